"""Whether a reminder about to be sent is still owed.

The planner plans a reminder for a unit that has not submitted, a case not answered, a week
not reported; it then waits in the outbox (quiet hours, the chat's budget, a retry, a claim
left by a process that died). A unit that submits meanwhile must not be reminded: the
reminders claimed for sending are checked once more and withdrawn when what they asked for
was done. The supervisors' lists (who has not submitted) are left alone: they tell a moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from storage.campaigns import active_campaign, weekly_reports
from storage.models import ForwardedCase, Notification, OutboxMessage, Submission
from workflows.cases import OPEN, SIGNED
from workflows.keys import ADMINS, DAILY, ESCALATE, REMIND, UNIT, NoticeKey, weekly_asked

CASE_CHASERS = (REMIND, ESCALATE, ADMINS, DAILY)  # asked of a case while it is unanswered


def withdraw_done(session: Session, rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Withdraw the claimed reminders whose unit submitted, case was answered or week was
    reported since they were planned; the others, to be sent."""
    ids = [r.notification_id for r in rows if r.notification_id is not None]
    if not ids:
        return list(rows)
    notes = session.exec(
        select(Notification.id, Notification.key).where(col(Notification.id).in_(ids))
    )
    submissions: dict[int, tuple[int, int]] = {}  # notification: (deadline, unit)
    chasers: dict[int, int] = {}  # notification: case
    weeks: dict[int, tuple[int, date, int]] = {}  # notification: (report, day, unit)
    for nid, key in notes:
        if nid is None:
            continue
        notice = NoticeKey.parse(key)
        week = weekly_asked(key)
        if notice is not None and notice.event == UNIT and notice.unit_id is not None:
            submissions[nid] = (notice.subject_id, notice.unit_id)
        elif notice is not None and notice.case_id is not None and notice.event in CASE_CHASERS:
            chasers[nid] = notice.case_id
        elif week is not None:
            weeks[nid] = week
    done = (
        _submitted(session, submissions) | _answered(session, chasers) | _reported(session, weeks)
    )
    for row in rows:
        if row.notification_id in done:
            row.status = "withdrawn"
            session.add(row)
    return [r for r in rows if r.notification_id not in done]


def _submitted(session: Session, asks: dict[int, tuple[int, int]]) -> set[int]:
    if not asks:
        return set()
    have = set(
        session.exec(
            select(Submission.deadline_id, Submission.unit_id).where(
                col(Submission.deadline_id).in_({d for d, _ in asks.values()})
            )
        )
    )
    return {nid for nid, ask in asks.items() if ask in have}


def _answered(session: Session, asks: dict[int, int]) -> set[int]:
    if not asks:
        return set()
    closed = set(
        session.exec(
            select(ForwardedCase.id).where(
                col(ForwardedCase.id).in_(set(asks.values())),
                col(ForwardedCase.status).not_in((OPEN, SIGNED)),
            )
        )
    )
    return {nid for nid, case in asks.items() if case in closed}


def _reported(session: Session, asks: dict[int, tuple[int, date, int]]) -> set[int]:
    camp = active_campaign(session) if asks else None
    if camp is None:
        return set()
    names = [r.name for r in weekly_reports(camp)]
    have = set(
        session.exec(
            select(Submission.report_name, col(Submission.period_start), Submission.unit_id).where(
                col(Submission.report_name).in_(names),
                col(Submission.period_start).in_({day for _, day, _ in asks.values()}),
            )
        )
    )
    return {
        nid
        for nid, (report, day, unit) in asks.items()
        if report < len(names) and (names[report], day, unit) in have
    }
