"""A 5,000-row ledger import is saved a batch at a time: other units are answered meanwhile,
and an import cut short by a killed process goes on (pressed again, or by itself in the next
process; at the console, run again), adding nothing twice."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot.sandbox.api import LocalBotApi
from storage import campaigns
from storage.db import Database
from storage.models import ForwardedCase, LedgerItem
from tests.e2e.ledger.test_unit_imports_its_ledger import XLSX, console_world, send
from tests.harness import Harness, MakeWorld
from tests.processes import TAIZHANG, BotProcess, bot_env, campaign_with_groups, run, wait_until
from tests.workbooks import simple_ledger

ROWS = 4999  # with its header, 5,000 rows: the most a sheet may have (MAX_ROWS)


def big_ledger(rows: int = ROWS) -> bytes:
    """A unit's ledger of `rows` new problems, each with its own name."""
    return simple_ledger(
        [
            (n, f"第{n}号问题", "群众反映", "征收补偿环节", "约谈", "2024-06-30", "住建局", "")
            for n in range(1, rows + 1)
        ]
    )


def items_of(db: Database, unit: str) -> list[tuple[int, str, str]]:
    """The unit's items: (seq, code, name), in their order."""
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        found = campaigns.unit_named(s, camp.id or 0, unit)
        stmt = select(LedgerItem).where(LedgerItem.unit_id == found.id)
        return [(i.seq, i.code, i.name) for i in s.exec(stmt.order_by(col(LedgerItem.seq)))]


def count_of(db: Database) -> int:
    with db.unit_of_work() as s:
        return s.exec(select(func.count()).select_from(LedgerItem)).one()


def exactly_once(items: list[tuple[int, str, str]]) -> None:
    """Every row of the file is one item, numbered on without a gap."""
    assert len(items) == ROWS
    assert [seq for seq, _, _ in items] == list(range(1, ROWS + 1))
    assert sorted(name for *_, name in items) == sorted(f"第{n}号问题" for n in range(1, ROWS + 1))
    assert len({code for _, code, _ in items}) == ROWS


async def test_other_units_are_answered_while_a_5000_row_import_is_saved(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(
        units=["轮台县", "尉犁县"], liaisons={"轮台县": "李明", "尉犁县": "刘芳"}
    )
    group, li = world.group("轮台县"), world["李明"]
    other, liu = world.group("尉犁县"), world["刘芳"]
    preview = await send(bot, group, li, "轮台县台账.xlsx", big_ledger(), caption="/import")
    assert f"新增{ROWS}个问题，更新0个问题" in preview["text"], preview["text"]
    await bot.api.press(preview, li, "确认导入")
    answers: list[tuple[str, int]] = []  # each answer to the other unit, and the items saved then
    while count_of(bot.db) < ROWS:
        for command in ("/help", "/deadlines"):
            answer = await bot.command(other, liu, command)
            answers.append((answer["text"], count_of(bot.db)))
    done = await bot.api.next_message(group, timeout=60)
    assert done["text"] == f"✅ 已导入轮台县台账：新增{ROWS}个问题，更新0个问题。"
    assert not any("抱歉" in text for text, _ in answers)
    # the other unit's turns came between the import's batches, not only before or after it
    between = [n for _, n in answers if 0 < n < ROWS]
    assert between, sorted(set(n for _, n in answers))
    exactly_once(items_of(bot.db, "轮台县"))
    await bot.settle(group)
    said = [m["text"] for m in bot.api.bot_messages(group)]
    assert sum("已导入" in t for t in said) == 1  # one reply, at the end, with the counts


def test_a_console_import_killed_midway_goes_on_when_run_again(tmp_path: Path, db_url: str) -> None:
    env, path = console_world(tmp_path, db_url, big_ledger())
    db = Database.open(db_url)
    command = ["ledger", "import", str(path), "--unit", "轮台县", "--yes"]
    killed_midway(command, tmp_path, env, lambda: count_of(db), ROWS)
    again = run(command, tmp_path, **env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines()[-1] == f"✅ 已导入轮台县台账：新增{ROWS}个问题，更新0个问题。"
    exactly_once(items_of(db, "轮台县"))
    # and once more: the file is the ledger now, nothing to add
    last = run(command, tmp_path, **env)
    assert f"与轮台县台账一致（{ROWS}个问题），无需导入" in last.stdout
    db.engine.dispose()


def killed_midway(
    command: list[str], cwd: Path, env: dict[str, str], saved: Callable[[], int], whole: int
) -> None:
    """Run a console import and SIGKILL it once its first batch is saved, before its last."""
    first = subprocess.Popen([TAIZHANG, *command], cwd=cwd, env=_env(env), stdout=subprocess.PIPE)
    try:
        asyncio.run(wait_until(lambda: saved() > 0, timeout=60))
    finally:
        first.kill()  # SIGKILL, mid-import: some batches saved, the rest not begun
        first.wait()
    assert 0 < saved() < whole, saved()


def _env(extra: dict[str, str]) -> dict[str, str]:
    """The environment `run` gives the command line, for a process the test kills."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "TAIZHANG_", "DATABASE_"))
    }
    return {**clean, **extra}


@pytest.mark.parametrize("pressed", [True, False], ids=["pressed again", "nobody presses"])
async def test_a_save_killed_with_its_process_goes_on_in_the_next(
    tmp_path: Path, db_url: str, pressed: bool
) -> None:
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(db_url)
    campaign_with_groups(api, db, tmp_path, ["甲县"], "1d")
    admin = api.user(990001, "管理员")
    private = api.private(admin)
    start = datetime.now(UTC).isoformat()
    # the bot's clock at 60×: a save not heard from for 90 s is dead after 1.5 s real
    env = bot_env(
        api, base, db_url, TAIZHANG_ADMIN_IDS="990001", TAIZHANG_CLOCK=f"{start}@60@{start}"
    )
    first = BotProcess(env, tmp_path / "first.log").start()
    second = BotProcess(env, tmp_path / "second.log")
    content = big_ledger()
    try:
        await api.send_file(
            private,
            admin,
            name="甲县台账.xlsx",
            size=len(content),
            mime=XLSX,
            content=content,
            caption="/import 甲县",
        )
        preview = await api.next_message(private, timeout=60)
        assert f"新增{ROWS}个问题，更新0个问题" in preview["text"], preview["text"]
        await api.press(preview, admin, "确认导入")
        await wait_until(lambda: count_of(db) > 0, timeout=60)
        first.kill()  # SIGKILL mid-import: some batches saved, the reply never made
        cut = count_of(db)
        assert 0 < cut < ROWS, cut
        second.start()
        toasts: list[str] = []
        # pressed again: "importing" while the dead save might still be at work; then the
        # press takes it up, without a word, unless the next process already has (the button
        # is spent once the import is saved). Nobody pressing: the next process takes it up.
        for _ in range(60 if pressed else 0):
            toasts.append(await toast_of(api, await api.press(preview, admin, "确认导入")))
            if "正在导入" not in toasts[-1]:
                break
            await asyncio.sleep(0.5)
        assert not toasts or toasts[-1] in ("", "该按钮已失效，请按最新的提示操作。"), toasts
        done = await api.next_message(private, timeout=60)
        after = await toast_of(api, await api.press(preview, admin, "确认导入"))
        assert after == "该按钮已失效，请按最新的提示操作。"  # saved: nothing more to do
    finally:
        first.kill()
        second.kill()
        await api.stop()
    assert done["text"] == f"✅ 已导入甲县台账：新增{ROWS}个问题，更新0个问题。", (cut, toasts)
    exactly_once(items_of(db, "甲县"))
    said = [m["text"] for m in api.bot_messages(private)]
    assert sum("已导入" in t for t in said) == 1  # one reply, at the end, with the counts
    db.engine.dispose()


async def toast_of(api: LocalBotApi, qid: str) -> str:
    """The answer to a press: its toast's text."""
    await api.until(lambda: any(a["callback_query_id"] == qid for a in api.callback_answers), 30)
    answer = next(a for a in api.callback_answers if a["callback_query_id"] == qid)
    return str(answer.get("text") or "")


CASES = 1200


def test_a_cases_import_killed_midway_records_each_row_once_when_run_again(
    tmp_path: Path, db_url: str
) -> None:
    header = (
        "序号,投诉/举报人及联系方式,原住房具体位置,问题内容简要,信息来源,受理和收到时间,"
        "承办科室,是否办结\n"
    )
    rows = "".join(
        f"{n},王某{n},轮台县团结路{n}号,第{n}户逾期未回迁,信访转办,2024-01-03 10:00,房产科,否\n"
        for n in range(1, CASES + 1)
    )
    env, path = console_world(tmp_path, db_url, b"")  # the campaign; the file is a CSV
    path = tmp_path / "登记办理台账.csv"
    path.write_text("登记办理台账\n" + header + rows, encoding="utf-8")
    db = Database.open(db_url)
    command = ["cases", "import", str(path), "--unit", "轮台县"]
    killed_midway(command, tmp_path, env, lambda: cases_of(db), CASES)
    again = run(command, tmp_path, **env)
    assert again.returncode == 0, again.stdout + again.stderr
    with db.unit_of_work() as s:
        found = list(s.exec(select(ForwardedCase)))
    assert sorted(c.fields["imported_row"] for c in found) == list(range(3, CASES + 3))
    assert len({c.code for c in found}) == CASES
    db.engine.dispose()


def cases_of(db: Database) -> int:
    with db.unit_of_work() as s:
        return s.exec(select(func.count()).select_from(ForwardedCase)).one()
