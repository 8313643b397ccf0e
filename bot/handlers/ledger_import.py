"""A unit's ledger by workbook: `/import`, or a workbook sent in reply; the preview, then the
save in one transaction. Also `taizhang ledger import` at the console. Nothing is saved until
the preview is confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.handlers.reading import off_loop
from bot.handlers.upload_steps import ChatUpload, keep_upload, owned_upload, sha256_of
from bot.telegram.turn import Button, Services, Steps, Turn
from storage import campaigns, uploads
from storage import ledger_import as saving
from storage.audit import Stamp
from storage.models import Unit, saved_id
from workflows.buttons import Verb, callback_data
from workflows.guards import required
from workflows.ledger_import import (
    KnownItems,
    LedgerTarget,
    Tally,
    preview_message,
    read_book,
    tally,
)
from workflows.messages import Msg, msg
from workflows.workbook import Book, WorkbookRefused, open_book

UNIT_BUTTONS = 40  # more units than this: the admin names the unit in the caption


@dataclass(frozen=True)
class _Target:
    unit: Unit
    target: LedgerTarget
    known: KnownItems


def _ledger_target(
    turn: Turn, upload: ChatUpload, file: dict[str, Any], upload_id: int
) -> _Target | None:
    """The unit a ledger goes to, or None with the question (which unit?) or the reason said."""
    camp = required(turn.campaign, "the active campaign")
    unit: Unit | None
    if upload_id:  # an admin's file, its unit chosen by button
        row = uploads.upload_by_id(turn.session, upload_id)
        unit = turn.session.get(Unit, row.unit_id) if row and row.unit_id else None
    elif upload.unit and turn.actor.is_admin and not turn.is_group:  # `/import 轮台县`
        unit = campaigns.unit_named(turn.session, saved_id(camp), upload.unit)
        if unit is None:
            turn.say(msg("bind.unknown_unit", text=upload.unit))
    elif turn.unit_here is None and turn.actor.is_admin:
        _ask_unit(turn, file)
        return None
    else:
        unit = turn.reporting_unit()
    if unit is None:
        return None
    target = saving.ledger_target(turn.session, camp, unit)
    return _Target(unit, target, saving.known_items(turn.session, saved_id(unit), target.spec))


def _ask_unit(turn: Turn, file: dict[str, Any]) -> None:
    """An admin's ledger, sent in private: which unit's is it?"""
    camp = required(turn.campaign, "the active campaign")
    units = campaigns.units_of(turn.session, saved_id(camp))
    if len(units) > UNIT_BUTTONS:
        turn.say(msg("ledger_import.name_the_unit", name=file["name"]))
        return
    row = keep_upload(turn, "ledger", None, file, {})
    buttons = [
        Button(u.name, callback_data(Verb.IMP_UNIT, saved_id(row), saved_id(u))) for u in units
    ]
    turn.say(
        msg("ledger_import.ask_unit", name=file["name"]),
        buttons=[buttons[i : i + 2] for i in range(0, len(buttons), 2)],
    )


async def read_ledger(
    steps: Steps, book: Book, upload: ChatUpload, file: dict[str, Any], upload_id: int
) -> None:
    """A workbook read as the unit's ledger: which unit, every row checked, one preview."""
    found = await steps.turn(lambda t: _ledger_target(t, upload, file, upload_id))
    if found is None:
        return
    counts = await off_loop(lambda: tally(read_book(book.sheets, found.target, found.known)))
    await steps.turn(lambda t: _ledger_preview(t, found, counts, file))


def _ledger_preview(turn: Turn, found: _Target, counts: Tally, file: dict[str, Any]) -> None:
    text = preview_message(counts, unit=found.unit.name, file=file["name"])
    if not counts.ready:
        turn.say(text)
        return
    state = {"new": counts.new, "changed": counts.changed}
    row = keep_upload(turn, "ledger", found.unit.id, file, state)
    turn.say(
        text,
        buttons=[
            [
                Button(msg("ledger_import.confirm"), callback_data(Verb.IMP_OK, saved_id(row))),
                Button(msg("form.button.cancel"), callback_data(Verb.IMP_NO, saved_id(row))),
            ]
        ],
    )


@dataclass(frozen=True)
class SaveLedger:
    """Download the previewed file again and save it in one transaction, off the event loop."""

    upload_id: int

    async def run(self, steps: Steps) -> None:
        """The file read again must be the one previewed; else nothing is saved."""
        upload_id = self.upload_id
        row = await steps.turn(lambda t: owned_upload(t, upload_id, "ledger", uploads.SAVING))
        if row is None:
            return
        data = await steps.download(row.file_id, row.file_name)
        try:
            if data is None or sha256_of(data) != row.digest:
                raise saving.Stale(row.file_name)
            await steps.turn(lambda t: _apply_ledger(t, upload_id, data))
        except (saving.Stale, WorkbookRefused):  # the save rolled back: say so, and forget it
            await steps.turn(lambda t: _stale(t, upload_id))


def _apply_ledger(turn: Turn, upload_id: int, data: bytes) -> None:
    row = owned_upload(turn, upload_id, "ledger", uploads.SAVING)
    unit = turn.session.get(Unit, row.unit_id) if row is not None else None
    if row is None or unit is None or turn.campaign is None:
        return
    target = saving.ledger_target(turn.session, turn.campaign, unit)
    expected = (row.state.get("new", 0), row.state.get("changed", 0))
    with open_book(data, row.file_name) as book:
        saved = saving.import_book(
            turn.session, unit, target, book.sheets, turn.stamp, {"file": row.file_name}, expected
        )
    uploads.close_upload(turn.session, row, uploads.SAVED, turn.stamp.at)
    turn.say(msg("ledger_import.done", unit=unit.name, new=saved.new, changed=saved.changed))


def _stale(turn: Turn, upload_id: int) -> None:
    row = uploads.upload_by_id(turn.session, upload_id)
    if row is not None:
        uploads.close_upload(turn.session, row, uploads.CANCELLED, turn.stamp.at)
        turn.say(msg("ledger_import.stale", name=row.file_name))


def cmd_import(turn: Turn, args: list[str]) -> None:
    """`/import` alone: how to send the ledger workbook."""
    turn.say(msg("ledger_import.usage"), force_reply=True, mention=turn.is_group)


def console_import(
    services: Services,
    path: Path,
    unit_name: str,
    *,
    confirm: Callable[[str], bool],
    say: Callable[[str], None],
) -> int:
    """`taizhang ledger import FILE --unit 轮台县`: the preview, a confirm, then the save."""
    tr, lang = services.translator, services.settings.taizhang_locale

    def text(message: Msg) -> str:
        return re.sub(r"<[^>]+>", "", tr.text(message, lang))

    if not path.exists():
        say(text(msg("cli.no_file", path=str(path))))
        return 2
    data = path.read_bytes()
    try:
        with open_book(data, path.name) as book, services.db.unit_of_work() as session:
            camp = campaigns.active_campaign(session)
            if camp is None:
                say(text(msg("cli.no_campaign")))
                return 2
            unit = campaigns.unit_named(session, saved_id(camp), unit_name)
            if unit is None:
                say(text(msg("bind.unknown_unit", text=unit_name)))
                return 2
            target = saving.ledger_target(session, camp, unit)
            counts = tally(
                read_book(
                    book.sheets, target, saving.known_items(session, saved_id(unit), target.spec)
                )
            )
    except WorkbookRefused as err:
        say(text(err.message))
        return 2
    say(text(preview_message(counts, unit=unit.name, file=path.name)))
    if not counts.ready:
        return 2 if counts.problems else 0
    if not confirm(text(msg("ledger_import.console_confirm"))):
        say(text(msg("ledger_import.cancelled", name=path.name)))
        return 1
    stamp = Stamp(services.clock())
    try:
        with open_book(data, path.name) as book, services.db.unit_of_work() as session:
            unit = required(
                campaigns.unit_named(session, saved_id(camp), unit_name), f"unit {unit_name}"
            )
            saved = saving.import_book(
                session,
                unit,
                target,
                book.sheets,
                stamp,
                {"file": path.name, "by": "console"},
                (counts.new, counts.changed),
            )
    except saving.Stale:
        say(text(msg("ledger_import.stale", name=path.name)))
        return 2
    say(text(msg("ledger_import.done", unit=unit.name, new=saved.new, changed=saved.changed)))
    return 0
