"""The week's report: which week is due, what its update covers (the open items as they stand),
and its submit — the one door every weekly update goes through, whether it was answered step
by step in a chat, in the Mini App or in the filled workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from bot.usecases import abandoned
from bot.usecases.act import Act
from bot.usecases.corrections import apply_week, save_correction
from bot.usecases.items import add_item, progress_text
from storage import campaigns, chats, drafts, people, planning, submissions
from storage import corrections as correction_store
from storage import ledger as store
from storage.calendar import work_calendar
from storage.models import FormDraft, LedgerItem, Person, Unit, saved_id
from workflows import keys
from workflows.campaign import RecurringSpec
from workflows.deliverables.submission import is_on_time
from workflows.forms.contexts import WeeklyContext
from workflows.forms.engine import Draft
from workflows.forms.flow_names import FlowName
from workflows.guards import required
from workflows.messages import Msg, lines, msg
from workflows.planner import Planned
from workflows.problems.ledger import overdue_days
from workflows.week.correction import DIRECT, correction_kind
from workflows.week.periods import report_period
from workflows.week.week_answers import WeekAnswers
from workflows.week.weekly import EXPIRED, TAKEN_OVER, other_draft_fate, snapshot_item
from workflows.week.weekly_update import ItemNow, decide_week


class SubmitOutcome(StrEnum):
    """What became of a submitted week."""

    SAVED = "saved"  # the week's answers saved, its submission recorded
    ALREADY = "already"  # another liaison submitted the week first: nothing saved
    CORRECTION = "correction"  # a correction of a submitted week (saved, or asked)
    GONE = "gone"  # the unit no longer exists


@dataclass(frozen=True)
class WeekSubmitted:
    """A submitted week: what became of it, the short id of the new problem it added (if
    any), and the items others changed meanwhile (not saved)."""

    outcome: SubmitOutcome
    new_code: str = ""
    conflicts: tuple[str, ...] = ()


def _save(act: Act, ctx: WeeklyContext, answers: WeekAnswers, *, in_page: bool) -> WeekSubmitted:
    """Save a week's answers and say its summary (or, for a correction, save or ask it)."""
    if ctx.get("correcting"):
        save_correction(act, ctx, answers, in_page=in_page)
        return WeekSubmitted(SubmitOutcome.CORRECTION)
    unit = act.session.get(Unit, ctx["unit_id"])
    if unit is None:
        return WeekSubmitted(SubmitOutcome.GONE)
    period = date.fromisoformat(ctx["period"])
    name = ctx["report_name"]
    due = datetime.fromisoformat(ctx["due"])
    try:  # the week is claimed first: of two liaisons confirming at once, one saves
        submissions.record_submission(
            act.session,
            unit_id=saved_id(unit),
            stamp=act.stamp,
            on_time=is_on_time(due, act.stamp.at),
            report_name=name,
            period_start=period,
        )
    except submissions.AlreadySubmitted as done:
        act.say(msg("weekly.already", unit=unit.name, name=name, at=done.first.submitted_at))
        return WeekSubmitted(SubmitOutcome.ALREADY)
    rows = {it["id"]: act.session.get(LedgerItem, it["id"]) for it in ctx["items"]}
    items = {i: row for i, row in rows.items() if row is not None}
    current = {i: ItemNow(i, row.code, row.version, row.fields) for i, row in items.items()}
    week = decide_week(ctx, answers, current, at=act.stamp.at)
    raced = apply_week(act, week, items)
    new_code = add_item(act, unit, answers.values, prefix="new.").code if week.new_item else ""
    act.say(week.summary(new_code))
    if week.conflicts or raced:
        said = "week.conflicts" if in_page else "weekly.conflicts"
        act.say(msg(said, codes=[*week.conflicts, *raced]))
    return WeekSubmitted(SubmitOutcome.SAVED, new_code, (*week.conflicts, *raced))


def submit_week(
    act: Act,
    week: WeeklyContext,
    answers: WeekAnswers,
    *,
    to_groups: bool,
    in_page: bool = False,
) -> WeekSubmitted:
    """Save the week and say its summary to the one acting; `to_groups`: tell the unit's
    groups the summary too (a week done in private, in the Mini App or by workbook, where the
    group saw nothing); `in_page`: from the Mini App, whose words point to no chat command."""
    said = len(act.said)
    done = _save(act, week, answers, in_page=in_page)
    if to_groups and not week.get("correcting"):  # a correction posts its one line itself
        summary = lines([t for t in act.said[said:] if isinstance(t, Msg)])
        period = date.fromisoformat(week["period"])
        groups = chats.chats_of_unit(act.session, week["unit_id"])
        act.tell(
            Planned(
                keys.weekly_summary(week["unit_id"], period, g.chat_id),
                "weekly.summary",
                g.chat_id,
                summary,
                act.stamp.at,
            )
            for g in groups
        )
    return done


def weekly_report(
    act: Act, index: int, unit_id: int, period: date | None = None
) -> tuple[str, date, datetime]:
    """A weekly report's name, the reporting day of this week's report for the unit (or of
    `period`, when a link names it) and its due time."""
    if act.campaign is None:
        raise ValueError("no campaign is loaded")
    reports = campaigns.weekly_reports(act.campaign)
    report = (
        reports[min(index, len(reports) - 1)]
        if reports
        else RecurringSpec(act.text(msg("weekly.default_name")), 0, time(18, 0))
    )
    if period is None:
        span = planning.span_of(act.session, act.campaign)

        def submitted(day: date) -> bool:
            found = submissions.submission_of(
                act.session, unit_id, report_name=report.name, period_start=day
            )
            return found is not None

        period = report_period(
            report.weekday,
            report.at,
            act.stamp.at,
            act.zone,
            starts_on=span.starts_on,
            submitted=submitted,
        )
    return report.name, period, datetime.combine(period, report.at, tzinfo=act.zone)


def report_index(act: Act, period: date) -> int:
    """Which of the campaign's weekly reports falls on `period`'s weekday (the first if none)."""
    reports = campaigns.weekly_reports(required(act.campaign, "the active campaign"))
    return next((i for i, r in enumerate(reports) if r.weekday == period.weekday()), 0)


def latest_submitted_week(act: Act, unit: Unit) -> tuple[int, date] | None:
    """The unit's latest submitted week (the one /correct corrects): its weekly report's index
    and its reporting day; None when it has submitted none."""
    done = correction_store.latest_weekly(act.session, saved_id(unit))
    if done is None or done.period_start is None:
        return None
    reports = campaigns.weekly_reports(required(act.campaign, "the active campaign"))
    index = next((i for i, r in enumerate(reports) if r.name == done.report_name), 0)
    return index, done.period_start


def carry_over_week(act: Act, unit: Unit, after: int | None) -> FormDraft | None:
    """The weekly update of the unit the one acting began in another chat, moved to this one
    where it stands (`after`: the message that moved it); None when there is none elsewhere."""
    begun = drafts.weekly_draft_of(act.session, act.person.user_id, saved_id(unit))
    if begun is None or begun.chat_id == act.chat_id:
        return None
    return drafts.move_draft(act.session, begun, act.chat_id, after)


def _someone_else_updating(act: Act, unit_id: int) -> Person | None:
    """Another liaison's live weekly update of the unit; one whose week is over is closed, one
    idle for half an hour is taken over (each owner told, what they typed kept)."""
    while (row := drafts.unit_weekly_draft(act.session, unit_id, act.person.user_id)) is not None:
        fate = other_draft_fate(drafts.row_context(row), row.updated_at, act.stamp.at)
        if fate == EXPIRED:
            act.tell([abandoned.expire(act.session, row, act.stamp)])
        elif fate == TAKEN_OVER:
            act.tell([abandoned.take_over(act.session, row, act.stamp, act.person)])
        else:
            return people.person_by_user(act.session, row.user_id)
    return None


def weekly_context(
    act: Act,
    unit: Unit,
    index: int = 0,
    period: date | None = None,
    *,
    correcting: bool = False,
) -> WeeklyContext | None:
    """The week's update context (its open items as they stand now), or None with the reason
    said: the week is already reported (and how to correct it), or another liaison is updating
    it. `correcting`: the context of a correction of the week submitted."""
    if act.campaign is None:
        raise ValueError("no campaign is loaded")
    name, day, due = weekly_report(act, index, saved_id(unit), period)
    done = submissions.submission_of(
        act.session, saved_id(unit), report_name=name, period_start=day
    )
    if done is not None and not correcting:
        hint = (
            "correction.hint_direct"
            if correction_kind(due, act.stamp.at) == DIRECT
            else ("correction.hint_request")
        )
        act.say(
            lines(
                [
                    msg("weekly.already", unit=unit.name, name=name, at=done.submitted_at),
                    msg(hint, due=due),
                ]
            )
        )
        return None
    other = _someone_else_updating(act, saved_id(unit))
    if other is not None:
        act.say(msg("weekly.in_progress", unit=unit.name, who=other.name or other.display_name))
        return None
    items = store.open_items(act.session, saved_id(unit))
    last = store.last_progress(act.session, [saved_id(i) for i in items])
    cal, today = work_calendar(act.session), act.stamp.at.astimezone(act.zone).date()
    snap = [
        snapshot_item(
            {
                "id": i.id,
                "code": i.code,
                "name": i.name,
                "version": i.version,
                "due": i.due_on.isoformat() if i.due_on else None,
            },
            act.text(progress_text(last[i.id])) if i.id in last else "",
            overdue_days(i.due_on, i.status, today, cal),
        )
        for i in items
    ]
    week: WeeklyContext = {
        "unit": unit.name,
        "unit_id": saved_id(unit),
        "report": index,
        "report_name": name,
        "period": day.isoformat(),
        "due": due.isoformat(),
        "ledger": act.campaign.ledger,
        "items": snap,
    }
    if correcting and done is not None:
        week["correcting"] = saved_id(done)
    return week


def week_draft(act: Act, unit_id: int) -> FormDraft | None:
    """The weekly draft of the unit the one acting has open, in whichever chat it was begun."""
    return drafts.weekly_draft_of(act.session, act.person.user_id, unit_id)


def keep_week_draft(act: Act, row: FormDraft, draft: Draft) -> FormDraft:
    """The weekly draft's answers kept where the draft is (the group's, or the private chat's)."""
    return drafts.save_draft(
        act.session, row.chat_id, act.person.user_id, draft, now_at=act.stamp.at, row=row
    )


def drop_week_draft(act: Act, row: FormDraft) -> None:
    """The weekly draft forgotten (its week is being submitted)."""
    drafts.drop(act.session, row)


def correction_here(row: FormDraft | None, unit: Unit) -> date | None:
    """The week (its reporting day) of the correction of the unit that `row` (the speaker's
    draft open in this chat) is, if it is one: the workbook and the page then correct that
    week, as the chat does."""
    if row is None or row.flow != FlowName.WEEKLY:
        return None
    ctx = drafts.row_context(row)
    if not ctx.get("correcting") or ctx.get("unit_id") != unit.id:
        return None
    return date.fromisoformat(str(ctx["period"]))


def week_context_here(
    act: Act, row: FormDraft | None, unit: Unit, index: int = 0
) -> WeeklyContext | None:
    """`weekly_context` of this week, or of the week whose correction `row` is."""
    period = correction_here(row, unit)
    return weekly_context(act, unit, index, period, correcting=period is not None)
