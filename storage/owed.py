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
from storage.models import ForwardedCase, Notification, OutboxMessage, Submission, saved_id
from workflows.cases import OPEN, SIGNED
from workflows.keys import (
    ADMINS,
    DAILY,
    ESCALATE,
    REMIND,
    UNIT,
    NoticeKey,
    owed_again,
    weekly_asked,
)

CASE_CHASERS = (REMIND, ESCALATE, ADMINS, DAILY)  # asked of a case while it is unanswered
CATCHUP, TOLD = "catchup", "told"  # a message folding several; each notice folded in it
OWED = "owed"  # the mark of a notice told in a catch-up withdrawn while still owed


def withdraw_done(session: Session, rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Withdraw the claimed reminders whose unit submitted, case was answered or week was
    reported since they were planned; the others, to be sent.

    A catch-up that folded such a reminder is withdrawn whole, and the others it folded are
    no longer recorded as told but marked owed again (`keys.owed_again`): the planner's next
    pass tells them again without it, each of them even if a later stage has come meanwhile.
    """
    ids = [r.notification_id for r in rows if r.notification_id is not None]
    if not ids:
        return list(rows)
    notes = list(session.exec(select(Notification).where(col(Notification.id).in_(ids))))
    done = _done(session, {saved_id(n): n.key for n in notes})
    for catchup in (n for n in notes if n.kind == CATCHUP):
        told = [
            n
            for n in session.exec(
                select(Notification).where(
                    Notification.kind == TOLD, Notification.created_at == catchup.created_at
                )
            )
            if n.payload.get("told_in") == catchup.key
        ]
        told_done = _done(session, {saved_id(n): n.key for n in told})
        if not told_done:
            continue
        done.add(saved_id(catchup))
        _owed_again(session, [n for n in told if saved_id(n) not in told_done])
    for row in rows:
        if row.notification_id in done:
            row.status = "withdrawn"
            session.add(row)
    return [r for r in rows if r.notification_id not in done]


def _owed_again(session: Session, told: Sequence[Notification]) -> None:
    """Free the keys of notices told in a catch-up withdrawn unsent, marked as owed again."""
    marks = {owed_again(n.key): n for n in told}
    have = set(session.exec(select(Notification.key).where(col(Notification.key).in_(list(marks)))))
    for mark, n in marks.items():
        if mark not in have:  # told, withdrawn and freed once before: marked already
            payload = {"chat_id": n.payload.get("chat_id"), "told_in": n.payload.get("told_in")}
            session.add(
                Notification(
                    key=mark,
                    kind=OWED,
                    planned_for=n.planned_for,
                    created_at=n.created_at,
                    payload=payload,
                )
            )
        session.delete(n)


def _done(session: Session, keys: dict[int, str]) -> set[int]:
    """Of these notifications (id: key), the ones whose purpose was done."""
    submissions: dict[int, tuple[int, int]] = {}  # notification: (deadline, unit)
    chasers: dict[int, int] = {}  # notification: case
    weeks: dict[int, tuple[int, date, int]] = {}  # notification: (report, day, unit)
    for nid, key in keys.items():
        notice = NoticeKey.parse(key)
        week = weekly_asked(key)
        if notice is not None and notice.event == UNIT and notice.unit_id is not None:
            submissions[nid] = (notice.subject_id, notice.unit_id)
        elif notice is not None and notice.case_id is not None and notice.event in CASE_CHASERS:
            chasers[nid] = notice.case_id
        elif week is not None:
            weeks[nid] = week
    answered = _answered(session, chasers)
    return _submitted(session, submissions) | answered | _reported(session, weeks)


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
