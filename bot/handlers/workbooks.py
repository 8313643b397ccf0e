"""Files sent to the bot, routed: a workbook to read (a ledger or a filled weekly form),
evidence for a week sent by workbook, or an answer to an open flow; and the buttons of their
previews, taken before the dispatcher's.
"""

from __future__ import annotations

import asyncio
import re

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.handlers import ledger_import, weekly_form
from bot.handlers import upload_steps as steps
from bot.handlers.upload_steps import Upload
from bot.telegram import gate
from bot.telegram.turn import BotApp, Ctx, Turn, answer_of
from storage import drafts, uploads
from storage.models import Unit
from workflows.buttons import Action, Verb
from workflows.buttons import parse as parse_button
from workflows.forms import Draft
from workflows.inputs import Attachments, File, FileAnswer
from workflows.ledger_import import EVIDENCE, UploadSeen, route_upload
from workflows.messages import Msg, msg
from workflows.weekly_workbook import form_meta
from workflows.workbook import MAX_BYTES, WorkbookRefused, open_book

BUTTONS = frozenset(
    {Verb.IMP_UNIT, Verb.IMP_OK, Verb.IMP_NO, Verb.WK_OK, Verb.WK_NO, Verb.WFORM}
)  # this module's buttons, taken before the dispatcher's


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


async def on_file(update: Update, context: Ctx) -> None:
    """A document or photo: a workbook to read, evidence for a week sent by workbook, or
    (falling through to the usual handler) an answer to an open flow."""
    message = update.effective_message
    if message is None:
        return
    forced, unit = _caption(message.caption or "", context.bot.username)
    doc = message.document
    sheet = doc is not None and _is_sheet(doc.file_name or "", doc.mime_type or "")
    given = answer_of(message)
    if not isinstance(given, FileAnswer):
        return
    upload = Upload(given, forced, unit)
    _, route = await steps.turn_in(update, context, lambda turn: _route(turn, upload, sheet))
    if route == "read":
        context.application.create_task(read_upload(update, context, upload), update=update)
    if route != "pass":
        raise ApplicationHandlerStop


def _open_flow_takes_files(turn: Turn) -> bool | None:
    """Whether the person's open flow here waits for a file; None if no flow is open."""
    from bot.telegram.flows import FLOWS

    row = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    if row is None or row.flow not in FLOWS:
        return None
    draft = Draft.from_json(row.state)
    steps = FLOWS[row.flow].build(draft.context).steps
    return draft.step < len(steps) and isinstance(steps[draft.step].kind, Attachments | File)


def _route(turn: Turn, upload: Upload, sheet: bool) -> str:
    """`read` (a workbook to read), `pass` (the usual handler's), or `done` (answered here)."""
    seen = UploadSeen(
        name=upload.file.name,
        sheet=sheet,
        size=upload.file.size,
        forced=upload.forced,
        unbound_group=turn.is_group and turn.chat.unit_id is None,
        flow_takes_files=_open_flow_takes_files(turn) if not upload.forced else None,
        has_campaign=turn.campaign is not None,
        may_import=turn.actor.is_admin or bool(turn.actor.units),
    )
    route = route_upload(seen, max_bytes=MAX_BYTES)
    if route == EVIDENCE:
        return "done" if weekly_form.add_evidence(turn, upload.file) else "pass"
    if isinstance(route, Msg):
        turn.say(route)
        return "done"
    return route


async def read_upload(update: Update, context: Ctx, upload: Upload, upload_id: int = 0) -> None:
    """Download a workbook and read it off the event loop; answer with one preview."""
    name = upload.file.name
    data = await steps.download(update, context, upload.file.file_id, name)
    if data is None:
        return
    file = {"file_id": upload.file.file_id, "name": name, "digest": steps.digest(data)}
    try:
        book = await asyncio.to_thread(open_book, data, name)
    except WorkbookRefused as err:
        refusal = err.message
        await steps.turn_in(update, context, lambda t: t.say(refusal))
        return
    try:
        origin = await asyncio.to_thread(form_meta, book)
        if origin is not None and not upload.forced:
            await weekly_form.read_week(update, context, book, origin, file)
            return
        if not upload.forced and not upload_id:  # a workbook as evidence of a close-out
            _, taken = await steps.turn_in(
                update, context, lambda t: weekly_form.add_evidence(t, upload.file)
            )
            if taken:
                return
        await ledger_import.read_ledger(update, context, book, upload, file, upload_id)
    finally:
        book.close()


async def on_button(update: Update, context: Ctx) -> None:
    """The buttons of a preview (confirm, cancel, which unit) and 下载填报表."""
    query = update.callback_query
    pressed = parse_button(query.data) if query is not None else None
    if query is None or not isinstance(pressed, Action):
        return
    ref = pressed.ref
    turn, later = await steps.turn_in(update, context, lambda t: _press(t, pressed))
    await query.answer(
        (turn.notice if turn else None) or None, show_alert=bool(turn and turn.notice)
    )
    if later == "save_ledger":
        context.application.create_task(
            ledger_import.save_ledger(update, context, ref), update=update
        )
    elif later == "read_ledger":
        _, row = await steps.turn_in(
            update, context, lambda t: steps.owned_upload(t, ref, "ledger")
        )
        if row is not None:
            upload = Upload(FileAnswer(row.file_id, row.file_name, "", 0, "document"))
            context.application.create_task(
                read_upload(update, context, upload, ref), update=update
            )
    raise ApplicationHandlerStop


def _is_ours(data: object) -> bool:
    """Whether a press is one of this module's buttons (the import's, and 下载填报表)."""
    pressed = parse_button(data) if isinstance(data, str) else None
    return isinstance(pressed, Action) and pressed.verb in BUTTONS


def _press(turn: Turn, pressed: Action) -> str:
    if not gate.admit(turn, pressed):
        return ""
    verb, ref = pressed.verb, pressed.ref
    if verb == Verb.WFORM:
        weekly_form.download_form(turn, ref)
        return ""
    row = uploads.upload_by_id(turn.session, ref)
    if row is None or row.chat_id != turn.chat.chat_id or row.status != uploads.PENDING:
        turn.notice = turn.text(msg("form.stale_button"))
        return ""
    if row.user_id != turn.person.user_id:
        turn.notice = turn.text(msg("form.not_yours"))
        return ""
    if verb in (Verb.IMP_NO, Verb.WK_NO):
        uploads.close_upload(turn.session, row, uploads.CANCELLED, turn.stamp.at)
        turn.say(msg("ledger_import.cancelled", name=row.file_name))
        return ""
    if verb == Verb.WK_OK:
        weekly_form.save_week(turn, ref)
        return ""
    if verb == Verb.IMP_UNIT:
        unit = turn.session.get(Unit, pressed.number(1))
        if unit is None or turn.campaign is None or unit.campaign_id != turn.campaign.id:
            turn.notice = turn.text(msg("form.stale_button"))
            return ""
        uploads.update_upload(turn.session, row, turn.stamp.at, unit_id=unit.id)
        return "read_ledger"
    if verb == Verb.IMP_OK and row.unit_id is not None:
        uploads.update_upload(turn.session, row, turn.stamp.at, status=uploads.SAVING)
        return "save_ledger"
    return ""


def install(app: BotApp) -> None:
    """Read workbooks and evidence before the usual handlers; take this module's buttons."""
    app.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO, on_file), group=-1)
    app.add_handler(
        CallbackQueryHandler(on_button, pattern=_is_ours),
        group=-1,
    )
