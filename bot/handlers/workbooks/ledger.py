"""A unit's ledger by workbook: `/import`, or a workbook sent in reply; the preview, then the
save a batch at a time (the console's `taizhang ledger import` is `bot/usecases/imports.py`).
Nothing is saved until the preview is confirmed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bot.delivery.acts import act_of
from bot.telegram.reply import Button
from bot.telegram.turn import Steps, Turn
from bot.telegram.upload_steps import ChatUpload, keep_upload, sha256_of
from bot.telegram.workbook_pool import off_loop
from bot.usecases.callers import unit_by_id
from bot.usecases.imports import (
    ImportToSave,
    Stale,
    drop_stale_import,
    import_to_save,
    ledger_now,
    read_rows,
    save_import_batch,
)
from bot.usecases.units import campaign_unit, campaign_units
from bot.usecases.uploads import kept_upload
from storage.models import Unit, saved_id
from workflows.forms.buttons import Verb, callback_data
from workflows.guards import required
from workflows.json_read import need_int
from workflows.json_types import JSONValue
from workflows.messages import Msg, msg
from workflows.problems.ledger_import import (
    ImportProgress,
    ImportRow,
    KnownItems,
    LedgerTarget,
    Tally,
    preview_message,
    read_book,
    tally,
)
from workflows.problems.workbook import Book, WorkbookRefused

PAUSE = 0.1  # seconds at least between an import's batches: other chats' turns write then
UNIT_BUTTONS = 40  # more units than this: the admin names the unit in the caption


@dataclass(frozen=True)
class _Target:
    unit: Unit
    target: LedgerTarget
    known: KnownItems


def _ledger_target(
    turn: Turn, upload: ChatUpload, file: Mapping[str, str], upload_id: int
) -> _Target | None:
    """The unit a ledger goes to, or None with the question (which unit?) or the reason said."""
    camp = required(turn.campaign, "the active campaign")
    unit: Unit | None
    if upload_id:  # an admin's file, its unit chosen by button
        row = kept_upload(turn.session, upload_id)
        unit = unit_by_id(turn.session, row.unit_id) if row and row.unit_id else None
    elif upload.unit and turn.actor.is_admin and not turn.is_group:  # `/import 轮台县`
        unit = campaign_unit(act_of(turn), upload.unit)
        if unit is None:
            turn.say(msg("bind.unknown_unit", text=upload.unit))
    elif turn.unit_here is None and turn.actor.is_admin:
        _ask_unit(turn, file)
        return None
    else:
        unit = turn.reporting_unit()
    if unit is None:
        return None
    target, known = ledger_now(turn.session, camp, unit)
    return _Target(unit, target, known)


def _ask_unit(turn: Turn, file: Mapping[str, str]) -> None:
    """An admin's ledger, sent in private: which unit's is it?"""
    units = campaign_units(act_of(turn))
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
    steps: Steps, book: Book, upload: ChatUpload, file: Mapping[str, str], upload_id: int
) -> None:
    """A workbook read as the unit's ledger: which unit, every row checked, one preview."""
    found = await steps.turn(lambda t: _ledger_target(t, upload, file, upload_id))
    if found is None:
        return
    counts = await off_loop(lambda: tally(read_book(book.sheets, found.target, found.known)))
    await steps.turn(lambda t: _ledger_preview(t, found, counts, file))


def _ledger_preview(turn: Turn, found: _Target, counts: Tally, file: Mapping[str, str]) -> None:
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
    """Download the previewed file again, read it off the event loop, and save it a batch at a
    time, each batch a turn of its own (others' turns get the database in between); the last
    batch says what was saved, once."""

    upload_id: int
    runner: str  # this save's own mark on the upload (`storage.ledger_import.claim_import`)

    async def run(self, steps: Steps) -> None:
        """The file read again must be the one previewed; else nothing (more) is saved."""
        upload_id, runner = self.upload_id, self.runner
        found = await steps.turn(lambda t: _to_save(t, upload_id, runner))
        if found is None:
            return
        row, target, known, progress = found.upload, found.target, found.known, found.progress
        data = await steps.download(row.file_id, row.file_name)
        try:
            if data is None or sha256_of(data) != row.digest:
                raise Stale(row.file_name)
            expected = (need_int(row.state.get("new", 0)), need_int(row.state.get("changed", 0)))
            rows = await off_loop(
                lambda: read_rows(data, row.file_name, target, known, progress, expected)
            )
            source = {"file": row.file_name}
            while True:
                began = time.monotonic()
                at = await steps.turn(lambda t: _save_batch(t, upload_id, runner, rows, source))
                if at is None or at.done >= len(rows):
                    return
                # a pause as long as the batch: SQLite lets a waiting writer in only when its
                # busy handler wakes (up to 100 ms apart), and batches back to back shut it out
                await asyncio.sleep(max(PAUSE, time.monotonic() - began))
        except (Stale, WorkbookRefused):  # the batch rolled back: say so, and forget it
            await steps.turn(lambda t: _stale(t, upload_id, runner))


def _to_save(turn: Turn, upload_id: int, runner: str) -> ImportToSave | None:
    """The upload this runner saves, its unit's ledger as it was before the import began (the
    items the import added left out), and how far it got."""
    if turn.campaign is None:
        return None
    return import_to_save(turn.session, turn.campaign, upload_id, runner)


def _save_batch(
    turn: Turn, upload_id: int, runner: str, rows: list[ImportRow], source: Mapping[str, JSONValue]
) -> ImportProgress | None:
    """One batch; after the last, the one reply with what the import did in all."""
    saved = save_import_batch(turn.session, upload_id, runner, rows, turn.stamp, source)
    if saved is None:
        return None
    progress, unit = saved
    if progress.done >= len(rows):
        turn.say(msg("ledger_import.done", unit=unit, new=progress.new, changed=progress.changed))
    return progress


def _stale(turn: Turn, upload_id: int, runner: str) -> None:
    dropped = drop_stale_import(turn.session, upload_id, runner, turn.stamp.at)
    if dropped is not None:
        turn.say(stale_message(*dropped))


def stale_message(name: str, progress: ImportProgress) -> Msg:
    """Nothing (more) imported: the ledger or the file changed; what was saved before stays."""
    if not (progress.new or progress.changed):
        return msg("ledger_import.stale", name=name)
    return msg("batches.stale_part", name=name, new=progress.new, changed=progress.changed)


def cmd_import(turn: Turn, args: list[str]) -> None:
    """`/import` alone: how to send the ledger workbook."""
    turn.say(msg("ledger_import.usage"), force_reply=True, mention=turn.is_group)
