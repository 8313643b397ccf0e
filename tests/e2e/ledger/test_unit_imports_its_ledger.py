"""End to end: a unit's own ledger workbook brought into the bot, previewed, confirmed."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import col, func, select

import bot.handlers.workbooks as importing
from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import AuditEvent, LedgerItem, WorkbookUpload
from tests.harness import Harness, MakeWorld
from tests.processes import run
from tests.workbooks import peoples_ledger, saved, simple_ledger
from workflows.problems.ledger import LedgerSpec, item_columns

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def send(bot: Harness, chat: dict, user: dict, name: str, content: bytes, **kw) -> dict:
    """A user sends a file; returns the bot's next message in that chat."""
    await bot.api.send_file(
        chat, user, name=name, size=len(content), mime=XLSX, content=content, **kw
    )
    return await bot.api.next_message(chat)


def ledger_state(bot: Harness) -> list[tuple]:
    with bot.db.unit_of_work() as s:
        items = s.exec(select(LedgerItem).order_by(col(LedgerItem.id))).all()
        return [(i.code, i.name, i.measures, i.due_on, i.version) for i in items]


def seed(bot: Harness, unit: str, items: list[dict]) -> None:
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        target = campaigns.unit_named(s, camp.id, unit)
        for values in items:
            ledger.create_item(s, target, item_columns(values, LedgerSpec()), Stamp(bot.clock()))


async def test_a_liaison_imports_the_countys_own_ledger_in_the_group(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    prompt = await bot.command(group, li, "/import")
    assert "请回复本消息发送本单位的问题台账" in prompt["text"]
    preview = await send(bot, group, li, "轮台县台账.xlsx", peoples_ledger(), reply_to=prompt)
    assert preview["text"].splitlines() == [
        "📥 轮台县台账导入预览（轮台县台账.xlsx）",
        "新增4个问题，更新0个问题",
        "新增（4个）：",
        "· 团结路棚改项目未按期回迁",
        "· 过渡安置费拖欠",
        "· 评估报告未送达",
        "· 违规强拆",
        "确认后一并保存；确认前台账不变。",
    ]
    assert ledger_state(bot) == []  # nothing saved before the confirm
    done = await bot.press(preview, li, "确认导入")
    assert done["text"] == "✅ 已导入轮台县台账：新增4个问题，更新0个问题。"
    state = ledger_state(bot)
    assert [(code, name) for code, name, *_ in state][:2] == [
        ("轮台-001", "团结路棚改项目未按期回迁"),
        ("轮台-002", "过渡安置费拖欠"),
    ]
    assert {due for *_, due, _ in state} == {date(2024, 6, 30), date(2024, 9, 30)}
    with bot.db.unit_of_work() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "item.import")).all()
    assert {e.actor_user_id for e in events} == {li["id"]} and len(events) == 4
    assert events[0].after["import"] == {"file": "轮台县台账.xlsx", "sheet": "问题台账", "row": 5}
    card = await bot.command(group, li, "/item 轮台-002")
    assert "由李明导入（轮台县台账.xlsx）" in card["text"]

    # the same file with /import as its caption, the privacy mode's other way in: all there now
    again = await send(bot, group, li, "轮台县台账.xlsx", peoples_ledger(), caption="/import")
    assert again["text"] == "“轮台县台账.xlsx”与轮台县台账一致（4个问题），无需导入。"


async def test_bad_files_are_refused_with_their_reason_and_nothing_is_stored(
    bot: Harness, make_world: MakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"})
    group, li = world.group("轮台县"), world["李明"]
    pdf = await send(bot, group, li, "通知.pdf", b"%PDF-1.7", caption="/import")
    assert pdf["text"] == "“通知.pdf”不是 Excel 工作簿。请发送 .xlsx 格式的台账文件。"
    renamed = await send(bot, group, li, "台账.xlsx", b"%PDF-1.7 renamed", caption="/import")
    assert renamed["text"] == "“台账.xlsx”不是 Excel 工作簿。请发送 .xlsx 格式的台账文件。"
    locked = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 900 + "EncryptedPackage".encode("utf-16-le")
    )
    protected = await send(bot, group, li, "台账.xlsx", locked, caption="/import")
    assert protected["text"].startswith("“台账.xlsx”设有打开密码，无法读取。")
    await bot.api.send_file(
        group, li, name="台账.xlsx", size=30 * 2**20, mime=XLSX, caption="/import"
    )
    big = await bot.api.next_message(group)
    assert big["text"].startswith("“台账.xlsx”超过20MB，机器人无法读取。")
    garbage = Workbook()
    for n in range(10_000):
        garbage.active.append([f"x{n}", n, "乱码"])
    headless = await send(bot, group, li, "导出.xlsx", saved(garbage), caption="/import")
    assert headless["text"].startswith("未找到台账的表头：前30行中没有一行同时写有问题名称")
    formulas = simple_ledger(
        [(1, "甲问题", "=B2", "征收补偿环节", "约谈", "2024-06-30", "住建局", "")]
    )
    refused = await send(bot, group, li, "台账.xlsx", formulas, caption="/import")
    assert refused["text"].splitlines()[:2] == [
        "❌ “台账.xlsx”有1处问题，未导入任何内容（轮台县）。请改正后重新发送：",
        "工作表“问题台账”第2行 C列“主要案情”：此处应为数值，但单元格是公式 =B2。"
        "请复制后“选择性粘贴→数值”",
    ]

    # while one workbook is read (off the event loop), the bot answers everybody else
    reading, answered = threading.Event(), threading.Event()
    real = importing.open_book

    def slow(data: bytes, name: str):
        reading.set()
        assert answered.wait(10), "the bot did not answer while a workbook was read"
        return real(data, name)

    monkeypatch.setattr(importing, "open_book", slow)
    passer = bot.api.user(5403, "路人")
    other = bot.api.private(passer)
    await bot.api.send_file(
        group, li, name="台账.xlsx", size=9, mime=XLSX, content=formulas, caption="/import"
    )
    assert await asyncio.to_thread(reading.wait, 10)
    hello = await bot.command(other, passer, "/help")
    answered.set()
    assert "可用命令" in hello["text"]
    assert "1处问题" in (await bot.api.next_message(group))["text"]
    assert ledger_state(bot) == []
    with bot.db.unit_of_work() as s:
        assert s.exec(select(func.count()).select_from(WorkbookUpload)).one() == 0
        assert (
            s.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(col(AuditEvent.entity) == "ledgeritem")
            ).one()
            == 0
        )


async def test_an_admin_imports_in_private_choosing_the_unit(bot: Harness) -> None:
    private = bot.api.private(bot.admin)
    content = simple_ledger(
        [(1, "安置房漏水", "群众反映", "依法行政环节", "维修", "2024-07-15", "住建局", "")]
    )
    question = await send(bot, private, bot.admin, "尉犁.xlsx", content)
    assert question["text"] == "“尉犁.xlsx”导入到哪个单位的台账？"
    preview = await bot.press(question, bot.admin, "尉犁县")
    assert "新增1个问题，更新0个问题" in preview["text"]
    done = await bot.press(preview, bot.admin, "确认导入")
    assert done["text"] == "✅ 已导入尉犁县台账：新增1个问题，更新0个问题。"
    assert [code for code, *_ in ledger_state(bot)] == ["尉犁-001"]


async def test_the_export_imports_back_unchanged_and_its_edits_as_exactly_those(
    bot: Harness,
) -> None:
    seed(
        bot,
        "轮台县",
        [
            {
                "name": "团结路棚改项目未按期回迁",
                "summary": "逾期两年",
                "category": "征收补偿环节",
                "measures": "约谈",
                "due_on": "2024-06-30",
                "lead": "住建局",
            },
            {"name": "过渡安置费拖欠", "due_on": "2024-03-31", "category": "征收补偿环节"},
            {"name": "评估报告未送达", "category": "房屋评估环节", "remarks": "第二行\n第三行"},
        ],
    )
    seed(bot, "尉犁县", [{"name": "尉犁的问题", "due_on": "2024-05-01"}])
    private = bot.api.private(bot.admin)
    export = await bot.command(private, bot.admin, "/export")
    workbook = export["payload"]
    before = ledger_state(bot)
    back = await send(bot, private, bot.admin, "taizhang.xlsx", workbook, caption="/import 轮台县")
    assert back["text"] == "“taizhang.xlsx”与轮台县台账一致（3个问题），无需导入。"

    book = load_workbook(io.BytesIO(workbook))
    sheet = book["问题台账"]
    # the header under the document's title and its 单位（盖章） line
    top = next(r for r in sheet.iter_rows(max_row=10) if any(c.value == "编号" for c in r))
    header = [c.value for c in top]
    below = sheet.iter_rows(min_row=top[0].row + 1)
    row = next(r for r in below if r[header.index("编号")].value == "轮台-002")
    row[header.index("办结时间")].value = date(2024, 8, 31)
    row[header.index("处置措施预案")].value = "督促补发，约谈项目单位"
    new = dict.fromkeys(header, None) | {
        "单位": "轮台县",
        "突出问题名称": "安置房漏水",
        "问题分类": "依法行政环节",
    }
    sheet.append([new[h] for h in header])
    out = io.BytesIO()
    book.save(out)
    edited = await send(
        bot, private, bot.admin, "台账（改）.xlsx", out.getvalue(), caption="/import 轮台县"
    )
    lines = edited["text"].splitlines()
    assert lines[1] == "新增1个问题，更新1个问题"
    assert "· 轮台-002 过渡安置费拖欠：处置措施预案、办结时间" in lines
    assert "另有2个问题与台账一致，不变。" in lines and "跳过其他单位的1行。" in lines
    await bot.press(edited, bot.admin, "确认导入")
    after = ledger_state(bot)
    assert after[0] == before[0] and after[2:4] == before[2:4]
    assert after[1] == (
        "轮台-002",
        "过渡安置费拖欠",
        "督促补发，约谈项目单位",
        date(2024, 8, 31),
        2,
    )
    assert after[4][:2] == ("轮台-004", "安置房漏水")


def console_world(tmp_path: Path, db_url: str, content: bytes) -> tuple[dict[str, str], Path]:
    """A campaign loaded at the console and a ledger file: the environment and the file."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the console test runs on a SQLite file")
    env = {"DATABASE_URL": db_url}
    assert run(["campaign", "load", "bazhou-2024"], tmp_path, **env).returncode == 0
    path = tmp_path / "台账.xlsx"
    path.write_bytes(content)
    return env, path


def test_the_console_imports_with_the_same_preview(tmp_path: Path, db_url: str) -> None:
    env, path = console_world(tmp_path, db_url, peoples_ledger())
    asked = run(["ledger", "import", str(path), "--unit", "轮台县"], tmp_path, **env)
    assert asked.returncode == 1 and "新增4个问题，更新0个问题" in asked.stdout
    done = run(["ledger", "import", str(path), "--unit", "轮台县", "--yes"], tmp_path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "✅ 已导入轮台县台账：新增4个问题，更新0个问题。"
