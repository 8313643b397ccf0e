"""`taizhang demo` plays its fortnight in CI, and its transcript shows every part working."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import aiohttp
from docx import Document
from openpyxl import load_workbook

from bot.config import Settings
from bot.sandbox.demo import VOUCHER, run_demo
from bot.sandbox.sandbox import demo_link
from bot.web.init_data import check
from storage.export import SHEETS
from tests.processes import TAIZHANG
from workflows.messages import Msg


async def test_the_demo_fortnight(tmp_path: Path) -> None:
    paths = await run_demo(out=tmp_path, speed=1_000_000, quiet=True)
    md = paths["markdown"].read_text(encoding="utf-8")

    entries = [e.split("\n", 1) for e in md.split("\n**")[1:]]
    said = [(head.split(" · ")[1], body) for head, body in entries]
    bot_said = Counter(head.split(" · ")[1] for head, _ in entries if "**台账机器人**" in head)

    def count(text: str, chat: str = "") -> int:
        return sum(text in body for where, body in said if chat in where)

    # countdown reminders: one per stage to each unit still missing (7d at binding, then 3d, 1d,
    # 2h; on a very fast clock a stage may go out a little late, marked 补发), none after sending
    reminder = "⏰ 距“自查自纠阶段总结及相关印证材料”报送截止（5月5日（周日）18:00）"
    assert count(reminder, "尉犁县") == 4
    assert count(reminder, "轮台县") == 3  # it sent the summary before the two-hour stage
    assert count(reminder, "库尔勒市") == 1  # it sent the summary on 30 April
    # the missing list at the deadline: once, in the supervisors' group (朱建军 is there)
    missing = "“自查自纠阶段总结及相关印证材料”已于5月5日（周日）18:00截止。未报送：尉犁县"
    assert count(missing) == 1 and count(missing, "自治州专班督办群") == 1
    # the supervisor 朱建军 was added to the supervisors' group: what the supervisors hear, he
    # reads there, not in private as well
    sup, group = "朱建军", "自治州专班督办群"
    # the weekly report: 尉犁县 forgot (and the seven units with no group); the supervisors'
    # group heard, once
    late = "本周“工作台账”已于4月29日（周一）18:00截止。未报送：尉犁县、若羌县、且末县、焉耆县、"
    assert count(late + "和静县、和硕县、博湖县、库尔勒经济技术开发区") == 1
    assert count(late, sup) == 0 and count(late, group) == 1
    # the close-out with a photo: asked in the supervisors' group, approved there by 朱建军,
    # and the approval told there and to 轮台县's group
    assert count("轮台县申请销号", group) == 1 and count("轮台县申请销号") == 1
    closed = "✅ 问题 轮台-001（团结路棚改过渡安置费拖欠）已于"
    assert count(closed, group) == 1 and count(closed, "轮台县") == 1 and count(closed) == 2
    # the case answered in time (the May Day holidays moved its due day) and the one not
    assert count("请于5月7日（周二）18:00前反馈（2个工作日）") == 1
    assert count("✅ 转办件 ZB-0001 已反馈（按时反馈）") == 1
    assert count("催办：尉犁县的转办件 ZB-0002") == 1 and count("催办：", group) == 1
    # 督办 to the admin: the first a working day after the due time, then one each morning
    assert count("督办：尉犁县的转办件 ZB-0002", "王管理") == 1
    assert count("督办：转办件 ZB-0002", "王管理") == 2
    # the overdue deliverables: after the first day, one message each working morning in the
    # supervisors' group listing each once (4/29 as part of the catch-up at binding, 4/29 and
    # 4/30 the liaison list alone, then 5/6–5/11 both); none in private. Before, each went
    # to the supervisor and to the group, one message per deliverable: 30 messages.
    overdue = "逾期未报（第"
    assert count(overdue, sup) == 0 and count(overdue, group) == 9 and count(overdue) == 9
    assert sum(body.count(overdue) for _, body in said) == 15
    assert count("督办汇总：以下2项仍未办结", group) == 6 and count("督办汇总") == 6
    assert count("逾期未报（第62个工作日）") == 1 and count("逾期未报（第6个工作日）") == 1
    # the digest, /summary and /export
    # the digest on each of the two Mondays to the supervisors' group, and the supervisor's
    # /summary at the end; the supervisor's private chat holds only what he asked for
    digest = "自治州房屋拆迁安置补偿领域违纪违法突出问题专项整治 · 工作汇总"
    assert count(digest, group) == 2 and count(digest, sup) == 1
    assert count(digest) == 6  # and the circular sent to the three units' groups (/notice 通报)
    # in all, the bot wrote 26 messages in the supervisors' group and 7 to 朱建军 (before: 25
    # and 31, most of them the same lists twice): 20, and the scenes of the week of 6 May (the
    # 调度, /notice's answer and its unread list, the flagged close-out, its reason and refusal)
    assert bot_said[group] == 26 and bot_said[sup] == 7
    # the monthly 调度 on a schedule: April's, once, on 6 May (1–5 May off), to the supervisors
    review = "（发送文件：月调度通报-20240506.docx）"
    assert count(review) == 1 and count(review, group) == 1
    assert count("2024年4月调度通报，请查阅附件。", group) == 1
    # a correction before the week's deadline: one 已更正 line in the group
    corrected = (
        "已更正：库尔勒-001 整改进展：已完成主体结构验收，正在装修→主体结构验收已通过，正在装修"
    )
    assert count(corrected) == 1 and count(corrected, "库尔勒市") == 1
    # the circular read (已阅) by two units; 尉犁县 reminded once, then the supervisors told
    pressed = [where for where, body in said if "（点击“已阅”）" in body]
    assert sorted(pressed) == ["库尔勒市专项整治联络群", "轮台县专项整治联络群"]
    reminded = "⏰ 尉犁县：5月6日（周一）11:00发出的“工作进展通报”尚未确认已阅"
    assert count(reminded, "尉犁县") == 1 and count(reminded, "孙燕") == 1  # 赵强 away
    assert count(reminded) == 2
    unread = "以下1个单位逾期仍未确认已阅5月6日（周一）11:00发出的“工作进展通报”：尉犁县"
    assert count(unread, group) == 1
    # the voucher photo of 轮台-001 sent again for 库尔勒-001: flagged to the supervisor
    # deciding, with when it was received and its short hash (fetched from Telegram)
    flagged = "同一文件已作为轮台-001的印证材料，4月29日（周一）由李明提交"
    assert count(flagged, group) == 1
    short = hashlib.sha256(VOUCHER).hexdigest()[:8]
    assert count(f"（5月6日（周一）15:00收到，{short}）", group) == 1
    # 赵强 away 6–8 May, 孙燕 covering: the reminders due meanwhile (the week's two-hour one,
    # the case's two, the circular's 已阅) name her in 尉犁县's group and reach her in private,
    # not him
    cover = "📌 赵强（请假至5月8日（周三）），请 孙燕 代为办理。"
    assert count(cover) == 8 and count(cover, "尉犁县") == 4
    assert count("【代岗提醒·尉犁县】", "孙燕") == 4 and count("【代岗提醒", "赵强") == 0
    week = "⏰ “工作台账”将于5月6日（周一）18:00截止（还有2小时0分），本单位尚未报送。"
    assert count(week, "尉犁县") == 1 and count(week, "孙燕") == 1
    assert count("✅ 已登记请假：5月6日（周一）至5月8日（周三），代岗：孙燕。", "赵强") == 1
    book = load_workbook(paths["workbook"])
    assert book.sheetnames == list(SHEETS)
    assert paths["chart"].read_bytes().startswith(b"\x89PNG")
    circular = Document(str(paths["circular"]))
    assert circular.paragraphs[1].text.endswith("工作进展情况的通报")
    units = [r.cells[0].text for r in circular.tables[0].rows]
    assert units[:3] == ["单位", "库尔勒市", "轮台县"] and units[-1] == "合计"
    said = "\n".join(p.text for p in circular.paragraphs)
    assert "未报送“工作台账”的单位（9个）：轮台县、尉犁县、若羌县" in said
    assert "ZB-0002（尉犁县）：反映塔里木片区补偿款未足额发放。" in said
    html = paths["html"].read_text(encoding="utf-8")
    # three unit groups, the supervisors' group, four private chats (赵强's /leave, 孙燕's copies)
    assert html.count("<th>") == 8


async def test_the_demo_does_a_week_in_the_mini_app(tmp_path: Path) -> None:
    paths = await run_demo(out=tmp_path, speed=1_000_000, quiet=True)
    md = paths["markdown"].read_text(encoding="utf-8")
    entries = [e.split("\n", 1) for e in md.split("\n**")[1:]]
    in_group = [body for head, body in entries if "库尔勒市专项整治联络群" in head]
    form = [i for i, body in enumerate(in_group) if "（在台账表单中）" in body]
    assert "📱 在表单中填写" in in_group[form[0]]
    assert "库尔勒-001 按计划推进：已完成主体结构验收，正在装修" in in_group[form[1]]
    assert "✅ 库尔勒市已报送本周“工作台账”" in in_group[form[-1]]
    # the week done in the form costs the group one message: its summary
    bot_said = [
        b for b in in_group[form[0] :] if "（在台账表单中）" not in b and "✅ 库尔勒市已报送" in b
    ]
    assert len(bot_said) == 1


def test_the_demo_link_is_refused_unless_the_bot_api_is_local() -> None:
    user = {"id": 8103, "first_name": "赵强"}
    at = datetime(2024, 5, 13, tzinfo=UTC)
    page = "http://127.0.0.1:8080/app/"
    real = Settings(telegram_bot_token="1:T", taizhang_webapp_url=page, _env_file=None)
    refused = demo_link(real, user, at)
    assert isinstance(refused, Msg) and refused.id == "demo.app_link_refused"
    local = Settings(
        telegram_bot_token="1:T",
        telegram_api_base_url="http://127.0.0.1:9/bot",
        taizhang_webapp_url=page,
        _env_file=None,
    )
    link = demo_link(local, user, at)
    assert isinstance(link, str) and link.startswith(page + "#tgWebAppData=")
    data = unquote(link.split("tgWebAppData=")[1].split("&")[0])
    assert check(data, "1:T", at).speaker.user_id == 8103


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ ", re.MULTILINE)
PAGES = {"week": "api/week", "new": "api/new", "board": "api/board"}  # each page's first call


async def _demo(out: Path, *options: str) -> asyncio.subprocess.Process:
    """`taizhang demo` as a newcomer runs it, on a very fast clock, in its own folder."""
    return await asyncio.create_subprocess_exec(
        TAIZHANG,
        "demo",
        "--speed",
        "1000000",
        "--lang",
        "zh_CN",
        "--out",
        str(out),
        *options,
        cwd=out.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _page_opens(http: aiohttp.ClientSession, page: str, url: str) -> None:
    """The page as the browser gets it, then its calls as app.js makes them: the signed
    initData from the fragment, the link's payload from the query."""
    parts = urlsplit(url)
    async with http.get(url) as res:
        assert res.status == 200 and 'id="main"' in await res.text()
    headers = {"Authorization": "tma " + parse_qs(parts.fragment)["tgWebAppData"][0]}
    if parts.query:
        headers["X-Taizhang-Link"] = parse_qs(parts.query)["startapp"][0]
    base = url.split("?")[0].split("#")[0]
    async with http.get(base + "api/open", headers=headers) as res:
        assert res.status == 200 and (await res.json())["page"] == page
    async with http.get(base + PAGES[page], headers=headers) as res:
        assert res.status == 200, await res.text()
        assert (await res.json())["ok"] is True


async def test_after_its_fortnight_the_demo_serves_its_pages_until_ctrl_c(
    tmp_path: Path,
) -> None:
    out = tmp_path / "taizhang-demo"
    demo = await _demo(out)
    assert demo.stdout is not None and demo.stderr is not None
    said: list[str] = []
    links: dict[str, str] = {}
    try:
        while len(links) < len(PAGES):
            line = (await asyncio.wait_for(demo.stdout.readline(), 120)).decode()
            assert line, "the demo ended before printing its pages:\n" + "".join(said)
            said.append(line)
            for page, mark in (("week", "📱"), ("new", "📝"), ("board", "📊")):
                if line.startswith(mark) and "http://127.0.0.1:" in line:
                    links[page] = "http" + line.split("http", 1)[1].strip()
        # the fortnight is over (its outputs are written), and the pages answer
        assert (out / "transcript.md").exists() and (out / "circular.docx").exists()
        async with aiohttp.ClientSession() as http:
            for page, url in links.items():
                await _page_opens(http, page, url)
    finally:
        demo.send_signal(signal.SIGINT)  # Ctrl-C
        rest, errors = await asyncio.wait_for(demo.communicate(), 30)
    assert demo.returncode == 0
    terminal = "".join(said) + rest.decode() + errors.decode()
    # the terminal shows the chats and the demo's own lines, no log line; those are in the file
    assert "库尔勒市专项整治联络群 · 台账机器人: " in terminal
    assert "演示已结束。" in terminal
    assert not LOG_LINE.search(terminal) and "apscheduler" not in terminal, terminal[-2000:]
    assert LOG_LINE.search((out / "demo.log").read_text(encoding="utf-8"))
    assert f"运行日志: {out / 'demo.log'}" in terminal


async def test_with_no_serve_the_demo_ends_after_its_fortnight(tmp_path: Path) -> None:
    out = tmp_path / "taizhang-demo"
    demo = await _demo(out, "--no-serve")
    said, errors = await asyncio.wait_for(demo.communicate(), 120)  # no Ctrl-C needed
    assert demo.returncode == 0, errors.decode()
    terminal = said.decode() + errors.decode()
    assert "演示已结束。" in terminal and "http://127.0.0.1:" not in terminal
    assert not LOG_LINE.search(terminal)
    assert (out / "transcript.md").exists() and (out / "demo.log").exists()
