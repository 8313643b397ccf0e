"""Files sent to the bot, routed: a workbook to read (a ledger, `ledger.py`, or a filled
weekly form, `week.py` — the two readers of this one door), evidence for a week sent by
workbook, or an answer to an open flow; and the buttons of their previews. Reading a workbook
is a follow-up task (`ReadWorkbook`), saving an import another (`ledger.SaveLedger`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import uuid4

from bot.handlers.workbooks import ledger as ledger_import
from bot.handlers.workbooks import week as weekly_form
from bot.telegram import workbook_pool
from bot.telegram.feature import Feature
from bot.telegram.turn import Steps, Turn
from bot.telegram.upload_steps import ChatUpload, sha256_of
from bot.usecases.callers import unit_by_id
from bot.usecases.imports import claim_save
from bot.usecases.uploads import (
    WAITING,
    WAITING_OR_SAVING,
    cancel_upload,
    choose_unit,
    kept_upload,
)
from storage.models import WorkbookUpload, saved_id
from workflows.forms.buttons import Action, Verb
from workflows.forms.inputs import FileAnswer
from workflows.messages import Msg, msg
from workflows.people.roles import CommandName
from workflows.problems.ledger_import import EVIDENCE, READ, UploadSeen, route_upload
from workflows.problems.workbook import MAX_BYTES, WorkbookRefused, open_book
from workflows.week.weekly_workbook import form_meta

SHEET_NAMES = (".xlsx", ".xlsm", ".xls")


_CAPTION = re.compile(r"^/import(?:@(\w+))?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)


def _is_sheet(name: str, mime: str) -> bool:
    return name.lower().endswith(SHEET_NAMES) or "spreadsheet" in mime or "ms-excel" in mime


def _caption(text: str, bot_name: str | None) -> tuple[bool, str]:
    """Whether the caption is `/import` for this bot, and the unit named after it."""
    m = _CAPTION.match(text.strip())
    if m is None or (m.group(1) and m.group(1).lower() != (bot_name or "").lower()):
        return False, ""
    return True, " ".join((m.group(2) or "").split())


def on_file(turn: Turn, given: FileAnswer, flow_takes_files: bool | None) -> bool:
    """A document or photo: a workbook to read, evidence for a week sent by workbook, or
    (not taken: False) an answer to the open flow."""
    forced, unit = _caption(turn.source.caption, turn.source.bot_username)
    sheet = given.media == "document" and _is_sheet(given.name, given.mime)
    upload = ChatUpload(given, forced, unit)
    seen = UploadSeen(
        name=given.name,
        sheet=sheet,
        size=given.size,
        forced=forced,
        unbound_group=turn.is_group and turn.chat.unit_id is None,
        flow_takes_files=flow_takes_files if not forced else None,
        has_campaign=turn.campaign is not None,
        may_import=turn.actor.is_admin or bool(turn.actor.units),
    )
    route = route_upload(seen, max_bytes=MAX_BYTES)
    if route == EVIDENCE:
        return weekly_form.add_evidence(turn, given)
    if isinstance(route, Msg):
        turn.say(route)
        return True
    if route == READ:
        turn.later(ReadWorkbook(upload, reader=turn.person.user_id))
        return True
    return False


@dataclass(frozen=True)
class ReadWorkbook:
    """Download a workbook and read it off the event loop, on the workbook pool; answer with
    one preview, or the reason it is refused (one file at a time per person)."""

    upload: ChatUpload
    upload_id: int = 0  # an admin's ledger whose unit was just chosen
    reader: int = 0  # who sent it (their files are read one at a time)

    async def run(self, steps: Steps) -> None:
        """Read it as a filled weekly form, as evidence for one, or as the unit's ledger."""
        if workbook_pool.busy(self.reader):
            await steps.turn(lambda t: t.say(msg("limits.workbook.one_at_a_time")))
            return
        with workbook_pool.reading(self.reader):
            try:
                await self._read(steps)
            except WorkbookRefused as err:
                refusal = err.message
                await steps.turn(lambda t: t.say(refusal))

    async def _read(self, steps: Steps) -> None:
        upload = self.upload
        name = upload.file.name
        data = await steps.download(upload.file.file_id, name)
        if data is None:
            return
        file = {"file_id": upload.file.file_id, "name": name, "digest": sha256_of(data)}
        book = await workbook_pool.off_loop(lambda: open_book(data, name))
        try:
            origin = await workbook_pool.off_loop(lambda: form_meta(book))
            if origin is not None and not upload.forced:
                await weekly_form.read_week(steps, book, origin, file)
                return
            if not upload.forced and not self.upload_id:  # a workbook as evidence of a close-out
                taken = await steps.turn(lambda t: weekly_form.add_evidence(t, upload.file))
                if taken:
                    return
            await ledger_import.read_ledger(steps, book, upload, file, self.upload_id)
        finally:
            book.close()


def _pending(
    turn: Turn, pressed: Action, statuses: tuple[str, ...] = WAITING
) -> WorkbookUpload | None:
    """The kept upload a preview's button names, if it is still waiting and the presser's;
    else the toast says why."""
    row = kept_upload(turn.session, pressed.ref)
    if row is None or row.chat_id != turn.chat.chat_id or row.status not in statuses:
        turn.notice = turn.text(msg("form.stale_button"))
        return None
    if row.user_id != turn.person.user_id:
        turn.notice = turn.text(msg("form.not_yours"))
        return None
    return row


def on_cancel(turn: Turn, pressed: Action) -> None:
    """取消 on a preview: the kept upload is dropped, nothing is saved."""
    row = _pending(turn, pressed)
    if row is not None:
        cancel_upload(turn.session, row, turn.stamp.at)
        turn.say(msg("ledger_import.cancelled", name=row.file_name))


def on_week_confirm(turn: Turn, pressed: Action) -> None:
    """确认提交 on a week sent by workbook."""
    if _pending(turn, pressed) is not None:
        weekly_form.save_workbook_week(turn, pressed.ref)


def on_unit(turn: Turn, pressed: Action) -> None:
    """Which unit an admin's ledger is for: read it again for that unit."""
    row = _pending(turn, pressed)
    if row is None:
        return
    unit = unit_by_id(turn.session, pressed.number(1))
    if unit is None or turn.campaign is None or unit.campaign_id != turn.campaign.id:
        turn.notice = turn.text(msg("form.stale_button"))
        return
    choose_unit(turn.session, row, turn.stamp.at, saved_id(unit))
    file = FileAnswer(row.file_id, row.file_name, "", 0, "document")
    turn.later(ReadWorkbook(ChatUpload(file), pressed.ref, turn.person.user_id))


def on_ledger_confirm(turn: Turn, pressed: Action) -> None:
    """确认导入: the save runs as a task of its own (download, read, a batch at a time). Pressed
    again after the save died with its process, it goes on from the last batch saved."""
    row = _pending(turn, pressed, WAITING_OR_SAVING)
    if row is None or row.unit_id is None:
        return
    runner = uuid4().hex
    if not claim_save(turn.session, row, runner, turn.stamp.at):
        turn.notice = turn.text(msg("batches.saving"))
        return
    turn.later(ledger_import.SaveLedger(pressed.ref, runner))


def on_form(turn: Turn, pressed: Action) -> None:
    """下载填报表."""
    weekly_form.download_form(turn, pressed.ref)


FEATURE = Feature(
    "workbooks",
    commands={CommandName.IMPORT: ledger_import.cmd_import},
    presses={
        Verb.IMP_UNIT: on_unit,
        Verb.IMP_OK: on_ledger_confirm,
        Verb.IMP_NO: on_cancel,
        Verb.WK_OK: on_week_confirm,
        Verb.WK_NO: on_cancel,
        Verb.WFORM: on_form,
    },
    files=(on_file,),
)
