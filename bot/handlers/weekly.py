"""The weekly update (每周报送台账) in the chat: /weekly, /correct and the reminder's button;
the finished flow saved by `bot/usecases/week.py`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.delivery.acts import acting
from bot.delivery.outbox import post
from bot.telegram.applinks import app_button
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Button, Turn
from bot.usecases import abandoned
from bot.usecases.items import categories, progress_text
from bot.usecases.week import submit_week
from storage import campaigns, drafts, people, planning, submissions
from storage import corrections as correction_store
from storage import ledger as store
from storage.calendar import work_calendar
from storage.models import Person, Unit, saved_id
from workflows.buttons import Action, Verb, callback_data
from workflows.campaign import RecurringSpec
from workflows.contexts import (
    WeeklyContext,
    context_of,
)
from workflows.correction import DIRECT, correction_kind
from workflows.deeplink import WEEK_PAGE, AppLink, week_ref
from workflows.flow_names import FlowName
from workflows.forms import Draft
from workflows.ledger import overdue_days
from workflows.messages import lines, msg
from workflows.periods import WEEK, report_period
from workflows.weekly import (
    EXPIRED,
    TAKEN_OVER,
    other_draft_fate,
    over_word,
    snapshot_item,
    week_over,
    weekly_flow,
)
from workflows.weekly_update import summary_to_groups


def weekly_report(
    turn: Turn, index: int, unit_id: int, period: date | None = None
) -> tuple[str, date, datetime]:
    """A weekly report's name, the reporting day of this week's report for the unit (or of
    `period`, when a link names it) and its due time."""
    if turn.campaign is None:
        raise ValueError("no campaign is loaded")
    reports = campaigns.weekly_reports(turn.campaign)
    report = (
        reports[min(index, len(reports) - 1)]
        if reports
        else RecurringSpec(turn.text(msg("weekly.default_name")), 0, time(18, 0))
    )
    if period is None:
        span = planning.span_of(turn.session, turn.campaign)

        def submitted(day: date) -> bool:
            found = submissions.submission_of(
                turn.session, unit_id, report_name=report.name, period_start=day
            )
            return found is not None

        period = report_period(
            report.weekday,
            report.at,
            turn.stamp.at,
            turn.zone,
            starts_on=span.starts_on,
            submitted=submitted,
        )
    return report.name, period, datetime.combine(period, report.at, tzinfo=turn.zone)


def _someone_else_updating(turn: Turn, unit_id: int) -> Person | None:
    """Another liaison's live weekly update of the unit; one whose week is over is closed, one
    idle for half an hour is taken over (each owner told, what they typed kept)."""
    while (row := drafts.unit_weekly_draft(turn.session, unit_id, turn.person.user_id)) is not None:
        fate = other_draft_fate(drafts.row_context(row), row.updated_at, turn.stamp.at)
        if fate == EXPIRED:
            post(turn, [abandoned.expire(turn.session, row, turn.stamp)])
        elif fate == TAKEN_OVER:
            post(turn, [abandoned.take_over(turn.session, row, turn.stamp, turn.person)])
        else:
            return people.person_by_user(turn.session, row.user_id)
    return None


def weekly_context(
    turn: Turn,
    unit: Unit,
    index: int = 0,
    period: date | None = None,
    *,
    correcting: bool = False,
) -> dict[str, Any] | None:
    """The week's update context (its open items as they stand now), or None with the reason
    said: the week is already reported (and how to correct it), or another liaison is updating
    it. `correcting`: the context of a correction of the week submitted."""
    if turn.campaign is None:
        raise ValueError("no campaign is loaded")
    name, day, due = weekly_report(turn, index, saved_id(unit), period)
    done = submissions.submission_of(
        turn.session, saved_id(unit), report_name=name, period_start=day
    )
    if done is not None and not correcting:
        hint = (
            "correction.hint_direct"
            if correction_kind(due, turn.stamp.at) == DIRECT
            else ("correction.hint_request")
        )
        turn.say(
            lines(
                [
                    msg("weekly.already", unit=unit.name, name=name, at=done.submitted_at),
                    msg(hint, due=due),
                ]
            )
        )
        return None
    other = _someone_else_updating(turn, saved_id(unit))
    if other is not None:
        turn.say(msg("weekly.in_progress", unit=unit.name, who=other.name or other.display_name))
        return None
    items = store.open_items(turn.session, saved_id(unit))
    last = store.last_progress(turn.session, [saved_id(i) for i in items])
    cal, today = work_calendar(turn.session), turn.stamp.at.astimezone(turn.zone).date()
    snap = [
        snapshot_item(
            {
                "id": i.id,
                "code": i.code,
                "name": i.name,
                "version": i.version,
                "due": i.due_on.isoformat() if i.due_on else None,
            },
            turn.text(progress_text(last[i.id])) if i.id in last else "",
            overdue_days(i.due_on, i.status, today, cal),
        )
        for i in items
    ]
    return {
        "unit": unit.name,
        "unit_id": unit.id,
        "report": index,
        "report_name": name,
        "period": day.isoformat(),
        "due": due.isoformat(),
        "ledger": turn.campaign.ledger,
        "items": snap,
        **({"correcting": done.id} if correcting and done is not None else {}),
    }


def correction_here(turn: Turn, unit: Unit) -> date | None:
    """The week (its reporting day) of the speaker's correction of the unit open in this
    chat, if one is: the workbook and the page then correct that week, as the chat does."""
    row = turn.draft()
    if row is None or row.flow != FlowName.WEEKLY:
        return None
    ctx = drafts.row_context(row)
    if not ctx.get("correcting") or ctx.get("unit_id") != unit.id:
        return None
    return date.fromisoformat(ctx["period"])


def week_context_here(turn: Turn, unit: Unit, index: int = 0) -> dict[str, Any] | None:
    """`weekly_context` of this week, or of the week whose correction is open here."""
    period = correction_here(turn, unit)
    return weekly_context(turn, unit, index, period, correcting=period is not None)


def start_weekly(turn: Turn, index: int = 0) -> None:
    """This week's update: each open item in turn, new problems, one confirm."""
    unit = turn.reporting_unit()
    if unit is None or turn.campaign is None:
        return
    context = weekly_context(turn, unit, index)
    if context is None:
        return
    begin_weekly(turn, unit, context)


def begin_weekly(turn: Turn, unit: Unit, context: dict[str, Any]) -> None:
    """Say what the update covers and show its first step, in one message.

    With the Mini App configured, the first card opens the week in it; in a group, the card
    also offers the week as a workbook and 私聊填写 (the same update in the private chat, at
    the private chat's pace).
    """
    turn.say(
        msg(
            "weekly.start",
            unit=unit.name,
            name=context["report_name"],
            count=len(context["items"]),
            due=datetime.fromisoformat(context["due"]),
        )
    )
    index = context["report"]
    due = datetime.fromisoformat(context["due"])
    link = AppLink(
        WEEK_PAGE, saved_id(unit), week_ref(date.fromisoformat(context["period"])), due + WEEK
    )
    app = app_button(turn, msg("app.button.week"), link)
    extra: tuple[Button, ...] = (app,) if app is not None else ()
    if turn.is_group:
        extra += (
            Button(msg("weekly_form.button"), callback_data(Verb.WFORM, index)),
            Button(msg("weekly.button.private"), callback_data(Verb.WPRIV, index)),
        )
    turn.begin(FlowName.WEEKLY, context=context, extra=extra)


def cmd_weekly(turn: Turn, args: list[str]) -> None:
    """Start this week's update."""
    start_weekly(turn)


def cmd_correct(turn: Turn, args: list[str]) -> None:
    """`/correct`: the unit's latest submitted week, filled in again; saved directly until its
    deadline, asked of the supervisors after it (`workflows/correction.py`)."""
    unit = turn.reporting_unit()
    if unit is None or turn.campaign is None:
        return
    done = correction_store.latest_weekly(turn.session, saved_id(unit))
    if done is None or done.period_start is None:
        turn.say(msg("correction.nothing", unit=unit.name))
        return
    reports = campaigns.weekly_reports(turn.campaign)
    index = next((i for i, r in enumerate(reports) if r.name == done.report_name), 0)
    context = weekly_context(turn, unit, index, done.period_start, correcting=True)
    if context is None:
        return
    if week_over(context, turn.stamp.at):  # its draft would be closed at the first answer
        turn.say(msg("correction.too_late", unit=unit.name, name=context["report_name"]))
        return
    due = datetime.fromisoformat(context["due"])
    direct = correction_kind(due, turn.stamp.at) == DIRECT
    said = "correction.start_direct" if direct else "correction.start_request"
    turn.say(msg(said, unit=unit.name, name=context["report_name"], due=due))
    begin_weekly(turn, unit, context)


def _finish_weekly(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    week = context_of(draft, WeeklyContext)
    with acting(turn) as act:
        submit_week(act, week, values, to_groups=summary_to_groups(in_group=turn.is_group))


def on_weekly_press(turn: Turn, pressed: Action) -> None:
    """The weekly reminder's button: begin this week's update."""
    start_weekly(turn, pressed.ref)


FEATURE = Feature(
    "weekly",
    commands={"weekly": cmd_weekly, "correct": cmd_correct},
    presses={Verb.WEEKLY: on_weekly_press},
    flows={
        FlowName.WEEKLY: FlowBinding(
            weekly_flow,
            _finish_weekly,
            lambda turn: categories(turn.campaign),
            over_word,
            context=WeeklyContext,
        )
    },
)
