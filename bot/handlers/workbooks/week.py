"""A week by workbook: 下载填报表 sends this week's form; the filled form sent back is read into
the same answers as the step-by-step update, its evidence collected, then saved as that would.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date

from bot.delivery.acts import acting
from bot.telegram.reply import Button, Reply
from bot.telegram.turn import Steps, Turn
from bot.telegram.upload_steps import keep_upload, owned_upload
from bot.telegram.workbook_pool import off_loop
from bot.usecases.callers import unit_by_id
from bot.usecases.uploads import form_replaces, keep_values, mark_saved, waiting_week
from bot.usecases.week import submit_week, week_context_here
from storage.models import WorkbookUpload, saved_id
from workflows.forms.buttons import Verb, callback_data
from workflows.forms.contexts import ItemSnapshot, WeeklyContext, checked
from workflows.forms.inputs import Attachments, FileAnswer, FormEnv, InputError
from workflows.json_read import json_object_of, need_mapping, need_object
from workflows.json_types import JSONObject
from workflows.messages import Msg, lines, msg
from workflows.problems.ledger_import import PREVIEW_SHOWN, problem_line
from workflows.problems.workbook import Book
from workflows.week.week_answers import EVIDENCE, WeekAnswers, item_answer
from workflows.week.weekly import DONE, LATE, PLAN, SAME, changes, weekly_flow
from workflows.week.weekly_workbook import (
    FormOrigin,
    FormReading,
    closing_items,
    form_rows,
    is_this_week,
    may_read_form,
    missing_evidence,
    status_words,
    week_answers,
    write_form,
)

WORKBOOK_STATUSES = (PLAN, DONE, LATE, SAME)


def statuses_read(turn: Turn) -> dict[str, str]:
    """The drop-down's words in every language, and the status each means."""
    tr = turn.services.translator
    return status_words(
        [
            (tr.text(msg(f"weekly.st.{s}"), lang), s)
            for lang in tr.catalogs
            for s in WORKBOOK_STATUSES
        ]
        + [(s, s) for s in WORKBOOK_STATUSES]
    )


def _week_target(
    turn: Turn, origin: FormOrigin
) -> tuple[WeeklyContext, FormEnv, dict[str, str]] | None:
    """The week the filled form is for, as the step-by-step update would begin it now."""
    unit = unit_by_id(turn.session, origin.unit_id) if origin.unit_id is not None else None
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
    with acting(turn) as act:
        ctx = week_context_here(act, turn.draft(), unit, origin.report)
    if ctx is None:
        return None
    refused = is_this_week(origin, ctx["period"], ctx["report_name"])
    if refused is not None:
        turn.say(refused.reason)
        return None
    return ctx, FormEnv(turn.stamp.at, turn.zone), statuses_read(turn)


async def read_week(steps: Steps, book: Book, origin: FormOrigin, file: Mapping[str, str]) -> None:
    """A filled weekly form read into the week's answers, checked as the step-by-step update
    checks them; one preview."""
    target = await steps.turn(lambda t: _week_target(t, origin))
    if target is None:
        return
    ctx, env, words = target

    def read() -> FormReading:
        rows, problems = form_rows(book)
        reading = week_answers(ctx, rows, weekly_flow(ctx), env, words)
        reading.problems[:0] = problems
        return reading

    reading = await off_loop(read)
    await steps.turn(lambda t: _week_preview(t, ctx, reading, file))


def _week_preview(
    turn: Turn, ctx: WeeklyContext, reading: FormReading, file: Mapping[str, str]
) -> None:
    if reading.problems:
        shown = [problem_line(p) for p in reading.problems[:PREVIEW_SHOWN]]
        more = len(reading.problems) - len(shown)
        head = msg("weekly_form.refused", file=file["name"], count=len(reading.problems))
        tail = [msg("ledger_import.more", count=more)] if more else []
        turn.say(lines([head, *shown, *tail]))
        return
    row = keep_upload(
        turn,
        "week",
        ctx["unit_id"],
        file,
        {"context": json_object_of(ctx), "values": json_object_of(reading.values)},
    )
    if form_replaces(turn.session, turn.draft()):  # the weekly update open here
        turn.keep_draft(None)
    _week_screen(turn, row)


def _kept(row: WorkbookUpload) -> tuple[WeeklyContext, JSONObject]:
    """The week a workbook's preview kept: its context, read as one, and its answers."""
    context = checked(WeeklyContext, need_mapping(row.state["context"]))
    return context, dict(need_object(row.state["values"]))


def _week_screen(turn: Turn, row: WorkbookUpload, got: Msg | None = None) -> None:
    """The week's preview: the same summary as the step-by-step confirm, evidence still due."""
    ctx, values = _kept(row)
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
    ctx: WeeklyContext, values: Mapping[str, object], given: FileAnswer, caption: str
) -> ItemSnapshot | None:
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
    row = waiting_week(turn.session, turn.chat.chat_id, turn.person.user_id)
    if row is None:
        return False
    ctx, values = _kept(row)
    codes = [it["code"] for it in closing_items(ctx, values)]
    if not codes:
        return False
    item = _evidence_item(ctx, values, given, turn.source.caption)
    if item is None:
        turn.say(msg("weekly_form.which_item", codes=codes))
        return True
    key = item_answer(item["id"], EVIDENCE)
    env = FormEnv(turn.stamp.at, turn.zone)
    try:
        values[key] = Attachments(need_file=True).collect(values.get(key), given, env)
    except InputError as err:
        turn.say(err.message)
        return True
    keep_values(turn.session, row, turn.stamp.at, values)
    _week_screen(turn, row, msg("weekly_form.got_evidence", code=item["code"], name=given.name))
    return True


def save_workbook_week(turn: Turn, upload_id: int) -> None:
    """确认提交: the week saved as the step-by-step update saves it, once its evidence is in."""
    row = owned_upload(turn, upload_id, "week")
    if row is None:
        return
    ctx, values = _kept(row)
    missing = missing_evidence(ctx, values)
    if missing:
        turn.notice = turn.text(msg("weekly_form.need_evidence", codes=missing))
        turn.alert = True  # an instruction to read, not a passing word
        return
    mark_saved(turn.session, row, turn.stamp.at)
    with acting(turn) as act:
        submit_week(act, ctx, WeekAnswers(values), to_groups=False)


def download_form(turn: Turn, index: int) -> None:
    """下载填报表: this week's form of the unit's open items, sent as a workbook."""
    unit = turn.reporting_unit()
    if unit is None:
        return
    with acting(turn) as act:
        ctx = week_context_here(act, turn.draft(), unit, index)
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
        statuses=[turn.text(msg(f"weekly.st.{s}")) for s in WORKBOOK_STATUSES],
    )
    name = f"{unit.name}-{ctx['report_name']}-{ctx['period']}.xlsx"
    turn.replies.append(
        Reply(
            msg("weekly_form.caption", unit=unit.name, count=len(ctx["items"])),
            document=(name, content),
        )
    )
