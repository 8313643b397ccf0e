"""Workbooks in: a unit's ledger (`/import`, or a workbook sent in reply) and a week by workbook.

A workbook is downloaded and read off the event loop, in a task of its own, so the bot goes on
serving everyone else; the database is touched only briefly before and after the reading.
Nothing is saved until the preview is confirmed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.handlers import items, weekly
from bot.telegram import gate
from bot.telegram.render import deliver
from bot.telegram.turn import (
    BotApp,
    Button,
    Reply,
    Services,
    Turn,
    answer_of,
    open_turn,
    services_of,
)
from storage import campaigns, drafts, uploads
from storage import ledger_import as saving
from storage.audit import Stamp
from storage.models import Unit, WorkbookUpload, saved_id
from workflows.buttons import Action, Verb, callback_data
from workflows.buttons import parse as parse_button
from workflows.contexts import item_answer
from workflows.forms import Draft
from workflows.guards import required
from workflows.inputs import Attachments, File, FileAnswer, FormEnv, InputError
from workflows.ledger_import import (
    EVIDENCE,
    SHOWN,
    KnownItems,
    LedgerTarget,
    Tally,
    UploadSeen,
    preview_message,
    problem_line,
    read_book,
    route_upload,
    tally,
)
from workflows.messages import Msg, lines, msg
from workflows.weekly import DONE, LATE, PLAN, SAME, changes, weekly_flow
from workflows.weekly_workbook import (
    FormOrigin,
    closing_items,
    form_meta,
    form_rows,
    is_this_week,
    may_read_form,
    missing_evidence,
    status_words,
    week_answers,
    write_form,
)
from workflows.workbook import MAX_BYTES, Book, WorkbookRefused, open_book

logger = logging.getLogger(__name__)
Ctx = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")
BUTTONS = frozenset(
    {Verb.IMP_UNIT, Verb.IMP_OK, Verb.IMP_NO, Verb.WK_OK, Verb.WK_NO, Verb.WFORM}
)  # this module's buttons, taken before the dispatcher's
SHEET_NAMES = (".xlsx", ".xlsm", ".xls")
UNIT_BUTTONS = 40  # more units than this: the admin names the unit in the caption
STATUSES = (PLAN, DONE, LATE, SAME)
_CAPTION = re.compile(r"^/import(?:@(\w+))?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Upload:
    """A file sent to the bot, and whether `/import` was its caption."""

    file: FileAnswer
    forced: bool = False  # `/import` as the caption: read as a ledger whatever else waits
    unit: str = ""  # `/import 轮台县`: the unit an admin names


async def _turn(
    update: Update, context: Ctx, body: Callable[[Turn], T], *, thread: bool = False
) -> tuple[Turn | None, T | None]:
    """One unit of work for this update (in a worker thread if asked); replies after commit."""
    services = services_of(context)

    def work() -> tuple[Turn | None, T | None]:
        with services.db.unit_of_work() as session:
            turn = open_turn(session, services, update)
            return turn, (body(turn) if turn is not None else None)

    turn, result = await asyncio.to_thread(work) if thread else work()
    if turn is not None and turn.replies:
        await deliver(turn)
    return turn, result


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
    _, route = await _turn(update, context, lambda turn: _route(turn, upload, sheet))
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
        return "done" if add_evidence(turn, upload.file) else "pass"
    if isinstance(route, Msg):
        turn.say(route)
        return "done"
    return route


async def _download(update: Update, context: Ctx, file_id: str, name: str) -> bytes | None:
    """The file's content from Telegram, or None with the failure said."""
    try:
        file = await context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError as err:
        logger.warning("could not download %s: %s", name, err)
        await _turn(update, context, lambda t: t.say(msg("workbook.download_failed", name=name)))
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def read_upload(update: Update, context: Ctx, upload: Upload, upload_id: int = 0) -> None:
    """Download a workbook and read it off the event loop; answer with one preview."""
    name = upload.file.name
    data = await _download(update, context, upload.file.file_id, name)
    if data is None:
        return
    file = {"file_id": upload.file.file_id, "name": name, "digest": _digest(data)}
    try:
        book = await asyncio.to_thread(open_book, data, name)
    except WorkbookRefused as err:
        refusal = err.message
        await _turn(update, context, lambda t: t.say(refusal))
        return
    try:
        origin = await asyncio.to_thread(form_meta, book)
        if origin is not None and not upload.forced:
            await _read_week(update, context, book, origin, file)
            return
        if not upload.forced and not upload_id:  # a workbook as evidence of a close-out
            _, taken = await _turn(update, context, lambda t: add_evidence(t, upload.file))
            if taken:
                return
        await _read_ledger(update, context, book, upload, file, upload_id)
    finally:
        book.close()


# ----- a ledger -----


@dataclass(frozen=True)
class _Target:
    unit: Unit
    target: LedgerTarget
    known: KnownItems


def _ledger_target(
    turn: Turn, upload: Upload, file: dict[str, Any], upload_id: int
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
    elif turn.reporting_unit is None and turn.actor.is_admin:
        _ask_unit(turn, file)
        return None
    else:
        unit = items.may_report(turn)
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
    row = _keep(turn, "ledger", None, file, {})
    buttons = [
        Button(u.name, callback_data(Verb.IMP_UNIT, saved_id(row), saved_id(u))) for u in units
    ]
    turn.say(
        msg("ledger_import.ask_unit", name=file["name"]),
        buttons=[buttons[i : i + 2] for i in range(0, len(buttons), 2)],
    )


def _keep(
    turn: Turn, kind: str, unit_id: int | None, file: dict[str, Any], state: dict[str, Any]
) -> WorkbookUpload:
    return uploads.save_upload(
        turn.session,
        kind=kind,
        chat_id=turn.chat.chat_id,
        user_id=turn.person.user_id,
        unit_id=unit_id,
        file=file,
        state=state,
        at=turn.stamp.at,
    )


async def _read_ledger(
    update: Update,
    context: Ctx,
    book: Book,
    upload: Upload,
    file: dict[str, Any],
    upload_id: int,
) -> None:
    _, found = await _turn(update, context, lambda t: _ledger_target(t, upload, file, upload_id))
    if found is None:
        return
    counts = await asyncio.to_thread(
        lambda: tally(read_book(book.sheets, found.target, found.known))
    )
    await _turn(update, context, lambda t: _ledger_preview(t, found, counts, file))


def _ledger_preview(turn: Turn, found: _Target, counts: Tally, file: dict[str, Any]) -> None:
    text = preview_message(counts, unit=found.unit.name, file=file["name"])
    if not counts.ready:
        turn.say(text)
        return
    state = {"new": counts.new, "changed": counts.changed}
    row = _keep(turn, "ledger", found.unit.id, file, state)
    turn.say(
        text,
        buttons=[
            [
                Button(msg("ledger_import.confirm"), callback_data(Verb.IMP_OK, saved_id(row))),
                Button(msg("form.button.cancel"), callback_data(Verb.IMP_NO, saved_id(row))),
            ]
        ],
    )


async def _save_ledger(update: Update, context: Ctx, upload_id: int) -> None:
    """Download the previewed file again and save it in one transaction, off the event loop."""
    _, row = await _turn(update, context, lambda t: _owned(t, upload_id, "ledger", uploads.SAVING))
    if row is None:
        return
    data = await _download(update, context, row.file_id, row.file_name)
    try:
        if data is None or _digest(data) != row.digest:
            raise saving.Stale(row.file_name)
        await _turn(update, context, lambda t: _apply_ledger(t, upload_id, data), thread=True)
    except (saving.Stale, WorkbookRefused):  # the save rolled back: say so, and forget it
        await _turn(update, context, lambda t: _stale(t, upload_id))


def _owned(
    turn: Turn, upload_id: int, kind: str, status: str = uploads.PENDING
) -> WorkbookUpload | None:
    row = uploads.upload_by_id(turn.session, upload_id)
    if row is None or row.kind != kind or row.status != status or row.unit_id is None:
        turn.say(msg("form.stale_button"))
        return None
    return row


def _apply_ledger(turn: Turn, upload_id: int, data: bytes) -> None:
    row = _owned(turn, upload_id, "ledger", uploads.SAVING)
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


# ----- a week by workbook -----


def statuses_read(turn: Turn) -> dict[str, str]:
    """The drop-down's words in every language, and the status each means."""
    tr = turn.services.translator
    return status_words(
        [(tr.text(msg(f"weekly.st.{s}"), lang), s) for lang in tr.catalogs for s in STATUSES]
        + [(s, s) for s in STATUSES]
    )


def _week_target(turn: Turn, origin: FormOrigin) -> dict[str, Any] | None:
    """The week the filled form is for, as the step-by-step update would begin it now."""
    unit = turn.session.get(Unit, origin.unit_id) if origin.unit_id is not None else None
    if turn.campaign is None or unit is None or unit.campaign_id != turn.campaign.id:
        unit = None
    refused = may_read_form(
        origin,
        unit=unit.name if unit else None,
        chat_unit=turn.chat.unit_id,
        in_group=turn.is_group,
        reports_for_unit=unit is not None and turn.actor.reports_for(unit.id),
    )
    if refused is not None or unit is None:
        turn.say(refused.reason if refused else msg("weekly_form.not_ours"))
        return None
    ctx = weekly.weekly_context(turn, unit, origin.report)
    if ctx is None:
        return None
    refused = is_this_week(origin, ctx["period"], ctx["report_name"])
    if refused is not None:
        turn.say(refused.reason)
        return None
    ctx["env"] = {"now": turn.stamp.at, "tz": turn.zone, "words": statuses_read(turn)}
    return ctx


async def _read_week(
    update: Update, context: Ctx, book: Book, origin: FormOrigin, file: dict[str, Any]
) -> None:
    _, ctx = await _turn(update, context, lambda t: _week_target(t, origin))
    if ctx is None:
        return
    env = ctx.pop("env")

    def read() -> Any:
        rows, problems = form_rows(book)
        reading = week_answers(
            ctx, rows, weekly_flow(ctx), FormEnv(env["now"], env["tz"]), env["words"]
        )
        reading.problems[:0] = problems
        return reading

    reading = await asyncio.to_thread(read)
    await _turn(update, context, lambda t: _week_preview(t, ctx, reading, file))


def _week_preview(turn: Turn, ctx: dict[str, Any], reading: Any, file: dict[str, Any]) -> None:
    if reading.problems:
        shown = [problem_line(p) for p in reading.problems[:SHOWN]]
        more = len(reading.problems) - len(shown)
        head = msg("weekly_form.refused", file=file["name"], count=len(reading.problems))
        tail = [msg("ledger_import.more", count=more)] if more else []
        turn.say(lines([head, *shown, *tail]))
        return
    row = _keep(turn, "week", ctx["unit_id"], file, {"context": ctx, "values": reading.values})
    open_draft = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    if open_draft is not None and open_draft.flow == "weekly":  # the form replaces it
        drafts.drop_draft(turn.session, turn.chat.chat_id, turn.person.user_id)
    _week_screen(turn, row)


def _week_screen(turn: Turn, row: WorkbookUpload, got: Msg | None = None) -> None:
    """The week's preview: the same summary as the step-by-step confirm, evidence still due."""
    ctx, values = row.state["context"], row.state["values"]
    env = FormEnv(turn.stamp.at, turn.zone)
    summary = msg(
        "weekly.summary", unit=ctx["unit"], changes=changes({**ctx, **values}, env)["changes"]
    )
    missing = missing_evidence(ctx, values)
    need = msg("weekly_form.need_evidence", codes=missing) if missing else msg("weekly_form.ready")
    body: list[Msg | str] = [got] if got is not None else []
    turn.say(
        lines([*body, summary, need]),
        buttons=[
            [
                Button(msg("form.button.confirm"), callback_data(Verb.WK_OK, saved_id(row))),
                Button(msg("form.button.cancel"), callback_data(Verb.WK_NO, saved_id(row))),
            ]
        ],
    )


def _evidence_item(
    ctx: Mapping[str, Any], values: Mapping[str, Any], given: FileAnswer, caption: str
) -> dict[str, Any] | None:
    """Which closing item a file is evidence for: the only one, or the one its caption names."""
    closing = closing_items(ctx, values)
    if len(closing) == 1:
        return closing[0]
    said = unicodedata.normalize("NFKC", f"{caption} {given.name}")
    named = [it for it in closing if unicodedata.normalize("NFKC", it["code"]) in said]
    return named[0] if len(named) == 1 else None


def add_evidence(turn: Turn, given: FileAnswer) -> bool:
    """A file sent while a week by workbook waits for evidence: taken for the close-out it
    names (or the only one); False if no such week waits here."""
    row = uploads.pending_upload(turn.session, turn.chat.chat_id, turn.person.user_id)
    if row is None or row.kind != "week":
        return False
    ctx, values = row.state["context"], dict(row.state["values"])
    codes = [it["code"] for it in closing_items(ctx, values)]
    if not codes:
        return False
    message = turn.update.effective_message
    item = _evidence_item(ctx, values, given, (message.caption if message else None) or "")
    if item is None:
        turn.say(msg("weekly_form.which_item", codes=codes))
        return True
    key = item_answer(item["id"], "evidence")
    env = FormEnv(turn.stamp.at, turn.zone)
    try:
        values[key] = Attachments(need_file=True).collect(values.get(key), given, env)
    except InputError as err:
        turn.say(err.message)
        return True
    uploads.update_upload(turn.session, row, turn.stamp.at, state={**row.state, "values": values})
    _week_screen(turn, row, msg("weekly_form.got_evidence", code=item["code"], name=given.name))
    return True


def _save_week(turn: Turn, upload_id: int) -> None:
    row = _owned(turn, upload_id, "week")
    if row is None:
        return
    ctx, values = row.state["context"], row.state["values"]
    missing = missing_evidence(ctx, values)
    if missing:
        turn.notice = turn.text(msg("weekly_form.need_evidence", codes=missing))
        return
    uploads.close_upload(turn.session, row, uploads.SAVED, turn.stamp.at)
    weekly.save_week(turn, ctx, values)


def download_form(turn: Turn, index: int) -> None:
    """下载填报表: this week's form of the unit's open items, sent as a workbook."""
    unit = items.may_report(turn)
    if unit is None:
        return
    ctx = weekly.weekly_context(turn, unit, index)
    if ctx is None:
        return
    content = write_form(
        ctx,
        title=turn.text(
            msg(
                "weekly_form.title",
                unit=unit.name,
                name=ctx["report_name"],
                period=date.fromisoformat(ctx["period"]),
            )
        ),
        instructions=turn.text(msg("weekly_form.instructions")),
        statuses=[turn.text(msg(f"weekly.st.{s}")) for s in STATUSES],
    )
    name = f"{unit.name}-{ctx['report_name']}-{ctx['period']}.xlsx"
    turn.replies.append(
        Reply(
            msg("weekly_form.caption", unit=unit.name, count=len(ctx["items"])),
            document=(name, content),
        )
    )


# ----- buttons and the command -----


async def on_button(update: Update, context: Ctx) -> None:
    """The buttons of a preview (confirm, cancel, which unit) and 下载填报表."""
    query = update.callback_query
    pressed = parse_button(query.data) if query is not None else None
    if query is None or not isinstance(pressed, Action):
        return
    ref = pressed.ref
    turn, later = await _turn(update, context, lambda t: _press(t, pressed))
    await query.answer(
        (turn.notice if turn else None) or None, show_alert=bool(turn and turn.notice)
    )
    if later == "save_ledger":
        context.application.create_task(_save_ledger(update, context, ref), update=update)
    elif later == "read_ledger":
        _, row = await _turn(update, context, lambda t: _owned(t, ref, "ledger"))
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
        download_form(turn, ref)
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
        _save_week(turn, ref)
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


def cmd_import(turn: Turn, args: list[str]) -> None:
    """`/import` alone: how to send the ledger workbook."""
    turn.say(msg("ledger_import.usage"), force_reply=True, mention=turn.is_group)


def install(app: BotApp) -> None:
    """Read workbooks and evidence before the usual handlers; take this module's buttons."""
    app.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO, on_file), group=-1)
    app.add_handler(
        CallbackQueryHandler(on_button, pattern=_is_ours),
        group=-1,
    )


# ----- the console -----


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
