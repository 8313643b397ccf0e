"""Deadlines (报送节点) set by admins and read by everyone: one added, moved or cancelled
(/deadline and its buttons), the upcoming ones with their countdown (/deadlines), who has not
submitted the nearest (/missing), and when a weekly report is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.usecases.act import Act
from bot.usecases.units import campaign_units
from bot.usecases.week import weekly_report
from storage import campaigns, deadlines, planning, submissions
from storage.models import Deadline, Unit, saved_id
from workflows.deliverables import deadlines as dl
from workflows.deliverables.submission import applies_to, deadline_state, nearest_missing
from workflows.forms.contexts import DeadlineAnswers
from workflows.guards import required
from workflows.messages import Msg, lines, msg
from workflows.outcome import Refused
from workflows.planner import time_left
from workflows.week.periods import campaign_period


def applies(deadline: Deadline, unit: Unit) -> bool:
    """Whether the deadline is the unit's (all units', or named for it)."""
    return applies_to(deadline.unit_names, unit.name)


def weekly_due(
    act: Act, index: int, unit_id: int | None = None, *, latest: bool = False
) -> tuple[str, datetime, datetime]:
    """A weekly report's name, its reporting day (as a datetime) and its due time: for a unit,
    this week's report as the unit sees it; for the whole campaign, the next one due, or with
    `latest` the most recent reporting day (today included); never one before the start."""
    camp = required(act.campaign, "the campaign")
    if unit_id is not None:
        name, day, due = weekly_report(act, index, unit_id)
    else:
        report = campaigns.weekly_reports(camp)[index]
        starts_on = planning.span_of(act.session, camp).starts_on
        day = campaign_period(
            report.weekday, report.at, act.stamp.at, act.zone, starts_on=starts_on, latest=latest
        )
        name, due = report.name, datetime.combine(day, report.at, tzinfo=act.zone)
    return name, datetime.combine(day, datetime.min.time(), tzinfo=act.zone), due


def upcoming(act: Act, unit: Unit | None) -> Msg | Refused:
    """/deadlines: the deadlines shown now with their countdown and the weekly reports; for a
    unit, its own with its status; with no unit, how many units have submitted each."""
    if act.campaign is None:
        return Refused(msg("bind.no_campaign"))
    now = act.stamp.at
    units = campaign_units(act)
    out: list[Msg | str] = [msg("deadlines.header")]
    every = campaigns.deadlines_of(act.session, saved_id(act.campaign))
    shown = dl.shown_deadlines(every, lambda d: d.due_at, now)
    done = {
        (s.deadline_id, s.unit_id): s
        for s in submissions.submissions_for(act.session, [saved_id(d) for d in shown])
    }
    for d in shown:
        left = time_left(d.due_at, now)
        if unit is not None:
            if not applies(d, unit):
                continue
            status = deadline_state(done=(d.id, unit.id) in done, due=d.due_at, now=now)
            out.append(
                msg(
                    "deadlines.line_unit",
                    deliverable=d.deliverable,
                    due=d.due_at,
                    left=left,
                    status=status,
                )
            )
        else:
            applicable = [u for u in units if applies(d, u)]
            count = sum((d.id, u.id) in done for u in applicable)
            out.append(
                msg(
                    "deadlines.line_all",
                    deliverable=d.deliverable,
                    due=d.due_at,
                    left=left,
                    done=count,
                    total=len(applicable),
                )
            )
    for index in range(len(act.campaign.weekly_reports)):
        name, _, due = weekly_due(act, index, unit.id if unit is not None else None)
        out.append(msg("deadlines.weekly", name=name, due=due, left=time_left(due, now)))
    if len(out) == 1:
        out.append(msg("deadlines.none"))
    return lines(out)


@dataclass(frozen=True)
class DeadlineList:
    """/deadline alone: the campaign's deadlines, numbered, and their ids in that order (the
    door puts an edit and a cancel button on each)."""

    text: Msg
    ids: tuple[int, ...]


def deadline_list(act: Act) -> DeadlineList | Refused:
    """The deadlines an admin may edit or cancel; refused when there are none."""
    if act.campaign is None:
        return Refused(msg("bind.no_campaign"))
    rows = campaigns.deadlines_of(act.session, saved_id(act.campaign))
    if not rows:
        return Refused(msg("deadlines.none"))
    out: list[Msg | str] = [msg("deadline.list_header")]
    out += [
        msg("deadline.list_line", n=i, deliverable=d.deliverable, due=d.due_at)
        for i, d in enumerate(rows, 1)
    ]
    return DeadlineList(lines(out), tuple(saved_id(d) for d in rows))


def live_deadline(act: Act, deadline_id: int) -> Deadline | None:
    """The deadline a button names, unless it is gone or cancelled."""
    row = act.session.get(Deadline, deadline_id)
    return None if row is None or row.cancelled else row


def _now(row: Deadline | None) -> dl.DeadlineNow | None:
    if row is None:
        return None
    return dl.DeadlineNow(saved_id(row), row.deliverable, row.due_at, row.cancelled)


def set_deadline(act: Act, answers: DeadlineAnswers, editing: int | None) -> Msg | Refused:
    """A deadline added, or the one `editing` changed (a cancelled one of the same name comes
    back); refused when a live deadline has the name already."""
    camp_id = saved_id(required(act.campaign, "the campaign"))
    clash = deadlines.deadline_named(act.session, camp_id, answers["deliverable"])
    edited = act.session.get(Deadline, editing) if editing else None
    saved = dl.deadline_save(
        answers,
        editing_id=editing,
        editing=_now(edited),
        same_name=_now(clash),
        tz=act.zone,
        now=act.stamp.at,
    )
    if isinstance(saved, Refused):
        return saved
    deadlines.save_deadline(act.session, camp_id, edited if editing else clash, saved, act.stamp)
    return saved.said


def withdraw_deadline(act: Act, deadline_id: int) -> Msg | None:
    """The deadline cancelled (no more reminders, kept for the audit); None when it is gone."""
    row = act.session.get(Deadline, deadline_id)
    if row is None:
        return None
    deadlines.cancel_deadline(act.session, row, act.stamp)
    return msg("deadline.cancelled", deliverable=row.deliverable)


def missing_units(act: Act) -> Msg | Refused:
    """/missing: the units that have not submitted the nearest due or overdue deliverable,
    and each weekly report's latest."""
    if act.campaign is None:
        return Refused(msg("bind.no_campaign"))
    now = act.stamp.at
    units = campaign_units(act)
    out: list[Msg | str] = []
    pending = []
    for d in campaigns.deadlines_of(act.session, saved_id(act.campaign)):
        names = [
            u.name
            for u in units
            if applies(d, u)
            and not submissions.submission_of(act.session, saved_id(u), deadline_id=d.id)
        ]
        if names:
            pending.append((d.due_at, (d, names)))
    nearest = nearest_missing(pending, now)
    if nearest is not None:
        d, names = nearest
        out.append(
            msg(
                "missing.deliverable",
                deliverable=d.deliverable,
                due=d.due_at,
                left=time_left(d.due_at, now),
                units=names,
                count=len(names),
            )
        )
    for index in range(len(act.campaign.weekly_reports)):
        name, day, due = weekly_due(act, index, latest=True)
        names = [
            u.name
            for u in units
            if not submissions.submission_of(
                act.session, saved_id(u), report_name=name, period_start=day.date()
            )
        ]
        out.append(
            msg(
                "missing.weekly",
                name=name,
                due=due,
                units=names or msg("missing.none"),
                count=len(names),
            )
        )
    return lines(out or [msg("missing.all_done")])
