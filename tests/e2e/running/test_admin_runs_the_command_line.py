"""The `taizhang` command line, run as a newcomer would run it: each test starts the real
process (the settings it reads are tested without one in tests/bot/test_settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.db import head_revision
from tests.processes import run


def test_run_without_a_token_says_what_to_set_and_exits_2(tmp_path: Path) -> None:
    result = run(["run"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_token_in_english(tmp_path: Path) -> None:
    result = run(["run"], tmp_path, TAIZHANG_LOCALE="en")
    assert result.stderr.startswith("TELEGRAM_BOT_TOKEN is not set")


def test_a_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    result = run(["run"], tmp_path, TAIZHANG_ADMIN_IDS="12,abc")
    assert result.returncode == 2 and "TAIZHANG_ADMIN_IDS" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_rate_that_is_not_positive_is_refused(tmp_path: Path) -> None:
    result = run(["run"], tmp_path, TAIZHANG_SEND_RATE="0", TELEGRAM_BOT_TOKEN="1:x")
    assert result.returncode == 2
    assert result.stderr == "taizhang: TAIZHANG_SEND_RATE: must be a positive number\n"


def test_migrate_brings_the_schema_to_head_and_masks_the_password(
    tmp_path: Path, db_url: str
) -> None:
    with_password = make_url(db_url)
    if with_password.get_backend_name() == "postgresql":
        with_password = with_password.set(password="secret-pw")  # trust auth ignores it
    url = with_password.render_as_string(hide_password=False)
    result = run(["migrate"], tmp_path, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert f"数据库已升级到最新版本（{head_revision()}）" in result.stdout
    assert "secret-pw" not in result.stdout


def test_campaign_load_and_show(tmp_path: Path, db_url: str) -> None:
    db = db_url
    loaded = run(["campaign", "load", "bazhou-2024"], tmp_path, DATABASE_URL=db)
    assert loaded.returncode == 0, loaded.stderr
    assert "10个单位，4个报送节点" in loaded.stdout
    # the 2024 campaign is long over: the console says that nothing will be sent
    assert "全部结束，不会再发送任何提醒或补发通知" in loaded.stdout
    again = run(["campaign", "load", "bazhou-2024"], tmp_path, DATABASE_URL=db)
    assert "无变化" in again.stdout
    shown = run(["campaign", "show"], tmp_path, DATABASE_URL=db)
    assert "2024年2月6日（周二）18:00前  联络员名单" in shown.stdout
    assert "安排部署阶段：2024年2月1日（周四） 至 2024年2月20日（周二）" in shown.stdout


def test_a_bad_campaign_file_lists_its_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: 测试\nyear: 2024\nunits: [甲县]\ndeadlines:\n"
        "  - text: 2月30日18：00前报送联络员名单\n",
        encoding="utf-8",
    )
    result = run(
        ["campaign", "load", str(bad)], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/y.db"
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "deadlines[0].text: 无法识别的日期“2月30日”"
    assert not (tmp_path / "y.db").exists()


def test_a_missing_file(tmp_path: Path) -> None:
    result = run(["campaign", "load", "nope.yaml"], tmp_path)
    assert result.returncode == 2 and "nope.yaml" in result.stderr


def test_cases_import_reports_every_bad_cell_and_imports_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert run(["campaign", "load", "jincheng-2024"], tmp_path, DATABASE_URL=db).returncode == 0
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(
        "单位,问题内容简要,受理和收到时间\n"
        "泽州县住建局,逾期未回迁,2024-08-20 10:00\n"
        "泽州县住建局,,2024-08-21\n"
        "某县,过渡费未发放,8月21日\n",
        encoding="utf-8",
    )
    result = run(["cases", "import", str(ledger)], tmp_path, DATABASE_URL=db)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "第3行“问题内容简要”：不能为空",
        "第4行“单位”：单位“某县”不在本行动的单位名单中",
        "第4行“受理和收到时间”：“8月21日”未写年份",
        "文件有误，未导入任何一行。请改正后重新导入。",
    ]
    ok = ledger.read_text(encoding="utf-8").splitlines()[:2]
    ledger.write_text("\n".join(ok) + "\n", encoding="utf-8")
    imported = run(["cases", "import", str(ledger)], tmp_path, DATABASE_URL=db)
    assert imported.returncode == 0 and imported.stdout.strip() == "已导入1件转办件。"


def test_cases_import_reads_an_xlsx_with_the_annex_header(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from workflows.casework.case_import import ANNEX_3

    db = f"sqlite:///{tmp_path / 'x.db'}"
    run(["campaign", "load", "jincheng-2024"], tmp_path, DATABASE_URL=db)
    book = Workbook()
    sheet = book.active
    sheet.append(["整治棚改居民逾期未回迁安置问题专项行动登记办理台账"])
    sheet.append(
        [
            "序号",
            "问题接收登记",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "办理情况",
            None,
            None,
            None,
            None,
            None,
            "备注",
        ]
    )
    sheet.append([None, *ANNEX_3[1:-1], None])
    row = dict.fromkeys(ANNEX_3, "")
    row.update(
        {
            "序号": 1,
            "问题内容简要": "逾期未回迁",
            "受理和收到时间": "2024年8月20日",
            "是否办结": "否",
        }
    )
    sheet.append([row[h] for h in ANNEX_3])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    result = run(
        ["cases", "import", str(path), "--unit", "阳城县住建局"], tmp_path, DATABASE_URL=db
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "zh_CN",
            "文件中没有“单位”列（附件3登记办理台账不设此列），请用 --unit 指明这些转办件的"
            "承办单位，例如 --unit 城区住建局。本行动的单位：城区住建局、开发区建设管理部、"
            "泽州县住建局、高平市住建局、阳城县住建局、陵川县住建局、沁水县住建局",
        ),
        (
            "en",
            "The file has no “单位” (unit) column — annex 3 has none: give the unit handling "
            "these cases with --unit, e.g. --unit 城区住建局. This campaign's units: "
            "城区住建局, 开发区建设管理部, 泽州县住建局, 高平市住建局, 阳城县住建局, "
            "陵川县住建局, 沁水县住建局",
        ),
    ],
)
def test_cases_import_of_annex_3_without_unit_asks_for_it_and_lists_the_units(
    tmp_path: Path, locale: str, expected: str
) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    assert run(["campaign", "load", "jincheng-2024"], tmp_path, DATABASE_URL=db).returncode == 0
    ledger = tmp_path / "登记办理台账.csv"
    ledger.write_text(
        "序号,问题内容简要,受理和收到时间,是否办结\n1,逾期未回迁,2024-08-20 10:00,否\n"
        "2,过渡费未发放,2024-08-21 09:00,否\n",
        encoding="utf-8",
    )
    result = run(
        ["cases", "import", str(ledger)], tmp_path, DATABASE_URL=db, TAIZHANG_LOCALE=locale
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == expected
    assert len(lines) == 2 and "单位“”" not in result.stderr  # no row blamed for a missing column
    wrong = run(
        ["cases", "import", str(ledger), "--unit", "某县"],
        tmp_path,
        DATABASE_URL=db,
        TAIZHANG_LOCALE=locale,
    )
    assert wrong.returncode == 2 and "某县" in wrong.stderr.splitlines()[0]
    assert "沁水县住建局" in wrong.stderr.splitlines()[0]
    given = run(
        ["cases", "import", str(ledger), "--unit", "泽州县住建局"], tmp_path, DATABASE_URL=db
    )
    assert given.returncode == 0 and given.stdout.strip() == "已导入2件转办件。"


CLOCK = "2024-04-29T08:00+08:00@600"


def test_the_campaign_over_line_reads_the_testing_clock(tmp_path: Path, db_url: str) -> None:
    loopback = {"TAIZHANG_CLOCK": CLOCK, "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}
    over = "全部结束，不会再发送任何提醒或补发通知"
    # bazhou-2024 ended in 2024: over on the wall clock, under way on 29 April 2024
    wall = run(["campaign", "load", "bazhou-2024"], tmp_path, DATABASE_URL=db_url)
    assert over in wall.stdout
    testing = run(["campaign", "show"], tmp_path, DATABASE_URL=db_url, **loopback)
    assert testing.returncode == 0 and over not in testing.stdout, testing.stdout
    refused = run(["campaign", "show"], tmp_path, DATABASE_URL=db_url, TAIZHANG_CLOCK=CLOCK)
    assert over in refused.stdout  # a clock refused against real Telegram: the wall clock
    # a campaign of 2099 is under way on the wall clock, over on a testing clock of 2100
    future = tmp_path / "future.yaml"
    future.write_text(
        "name: 远期测试\nyear: 2099\nunits: [甲县]\n"
        "phases:\n  - {name: 自查自纠阶段, text: 1月5日至2月27日}\n"
        "deadlines:\n  - {due: '2099-03-02 18:00', deliverable: 总结}\n",
        encoding="utf-8",
    )
    later = {**loopback, "TAIZHANG_CLOCK": "2100-01-04T08:00+08:00@600"}
    db = f"sqlite:///{tmp_path / 'future.db'}"
    loaded = run(["campaign", "load", str(future)], tmp_path, DATABASE_URL=db)
    assert loaded.returncode == 0 and over not in loaded.stdout, loaded.stderr
    shown = run(["campaign", "show"], tmp_path, DATABASE_URL=db, **later)
    assert "“远期测试”的各阶段和报送节点已于2099年3月2日（周一）18:00" in shown.stdout


def test_a_testing_clock_is_refused_against_real_telegram(tmp_path: Path) -> None:
    result = run(["run"], tmp_path, TELEGRAM_BOT_TOKEN="1:x", TAIZHANG_CLOCK=CLOCK)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "TAIZHANG_CLOCK" in result.stderr and "https://api.telegram.org/bot" in result.stderr
    other = run(
        ["run"],
        tmp_path,
        TELEGRAM_BOT_TOKEN="1:x",
        TAIZHANG_CLOCK=CLOCK,
        TELEGRAM_API_BASE_URL="http://10.0.0.8:8081/bot",
        TAIZHANG_LOCALE="en",
    )
    assert other.returncode == 2
    assert other.stderr.startswith("TAIZHANG_CLOCK is a testing option and only works")


def test_a_testing_clock_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    for garbage in ("tomorrow@600", "2024-04-29T08:00@600", CLOCK.replace("@600", "@-5"), "x"):
        result = run(
            ["run"],
            tmp_path,
            TELEGRAM_BOT_TOKEN="1:x",
            TAIZHANG_CLOCK=garbage,
            TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot",
        )
        assert result.returncode == 2, garbage
        assert f"TAIZHANG_CLOCK 的值“{garbage}”格式不对" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_testing_clock_is_accepted_by_a_process_on_a_loopback_api(tmp_path: Path) -> None:
    import asyncio

    from bot.sandbox.api import LocalBotApi
    from tests.processes import BotProcess, bot_env, wait_until

    async def go() -> str:
        api = LocalBotApi()
        base = await api.start()
        env = bot_env(api, base, f"sqlite:///{tmp_path / 'c.db'}", TAIZHANG_CLOCK=CLOCK)
        proc = BotProcess(env, tmp_path / "bot.log").start()
        try:
            await wait_until(lambda: api.requests["getUpdates"] >= 1, timeout=60)
        finally:
            proc.kill()
            await api.stop()
        return proc.output()

    db_url = f"sqlite:///{tmp_path / 'c.db'}"
    loaded = run(["campaign", "load", "bazhou-2024"], tmp_path, DATABASE_URL=db_url)
    assert "全部结束" in loaded.stdout  # on the wall clock, the 2024 campaign is over
    out = asyncio.run(go())
    assert "机器人的时间从 2024-04-29T00:00:00+00:00 开始，以真实时间的 600 倍速运行" in out
    assert "全部结束" not in out  # on the testing clock's 29 April 2024 it is under way
