"""The campaign's workbook through its one use case: the chat's /export, the board's download
and the console's `taizhang export` each call it, and give the same workbook."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

import bot.handlers.summary
import bot.web.board_files
from bot.cli.main import main
from bot.config import Settings
from bot.telegram.open_turn import open_turn
from bot.telegram.services import Services
from bot.telegram.source import Source, Speaker
from bot.telegram.turn import Turn
from bot.usecases.exports import export_workbook
from locales import Translator
from storage import campaigns, ledger
from storage.audit import Stamp
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import NOW, TRANSLATOR, calls, world
from workflows.problems.ledger import LedgerSpec, item_columns

ROOT = Path(__file__).resolve().parents[2]
ADMIN = 1


def _seed(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        for unit, name in ((w.unit, "违规评估"), (w.unit_named("尉犁县"), "超标补偿")):
            columns = {"name": name, "due_on": "2024-06-30", "category": "征收补偿环节"}
            ledger.create_item(s, unit, item_columns(columns, LedgerSpec()), Stamp(NOW, 1))


def _values(data: bytes | Path) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def _admins_turn(session: Session, db: Database, db_url: str) -> Turn:
    """An admin's turn in their private chat, as the chat's door opens it (no Telegram)."""
    settings = Settings(database_url=db_url, taizhang_admin_ids=str(ADMIN))
    services = Services(db, settings, Translator.load(), clock=lambda: NOW)
    turn = open_turn(session, services, Source(ADMIN, "private", "", Speaker(ADMIN, "a", "管")))
    assert turn is not None and turn.campaign is not None
    return turn


def test_the_chat_the_board_and_the_console_give_one_workbook(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(db)
    with db.unit_of_work() as s:
        turn = _admins_turn(s, db, db_url)
        assert turn.campaign is not None
        bot.handlers.summary.cmd_export(turn, [])  # the chat's /export
        chat_name, chat = turn.replies[-1].document  # type: ignore[misc]
        body = bot.web.board_files._export("")  # the board's download of the whole campaign
        answer = body(turn, turn.campaign)
        board, _, board_name = answer.data[bot.web.board_files.FILE]  # type: ignore[misc]
        direct = io.BytesIO()
        done = export_workbook(s, turn.campaign, direct, lambda m: TRANSLATOR.text(m), now=NOW)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)  # no .env of the repo's read
    console = tmp_path / "cli.xlsx"
    assert main(["export", "--out", str(console)]) == 0  # the console's `taizhang export`

    made = _values(direct.getvalue())
    assert sum(len(rows) for rows in made.values()) > 10  # the items are in it
    assert "违规评估" in str(made) and "超标补偿" in str(made)
    assert _values(chat) == _values(board) == _values(console) == made
    assert (
        chat_name == board_name == done.name == f"{turn.campaign.name}问题整改台账_2024-05-06.xlsx"
    )


def test_a_units_part_holds_only_its_items(db: Database) -> None:
    _seed(db)
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None
        unit = campaigns.unit_named(s, saved_id(camp), "尉犁县")
        out = io.BytesIO()
        done = export_workbook(s, camp, out, lambda m: TRANSLATOR.text(m), now=NOW, unit=unit)
    text = str(_values(out.getvalue()))
    assert "超标补偿" in text and "违规评估" not in text
    assert done.name == "尉犁县问题整改台账_2024-05-06.xlsx"


def test_every_door_writes_the_workbook_through_the_use_case_only() -> None:
    assert bot.handlers.summary.export_workbook is export_workbook
    assert bot.web.board_files.export_workbook is export_workbook
    doors = ("bot/handlers/summary.py", "bot/web/board_files.py", "bot/cli/main.py")
    for door in (*doors, "bot/sandbox/demo.py"):
        assert calls(ROOT / door, "export_workbook") == 1, door
    writers = {
        str(p.relative_to(ROOT)) for p in (ROOT / "bot").rglob("*.py") if calls(p, "write_workbook")
    }
    assert writers == {"bot/usecases/exports.py"}
