"""Whether a reminder about to be sent is still owed.

The planner plans a reminder for a unit that has not submitted, a case not answered, a week
not reported; it then waits in the outbox (quiet hours, the chat's budget, a retry, a claim
left by a process that died). A unit that submits meanwhile must not be reminded: the
reminders claimed for sending are checked once more and withdrawn when what they asked for
was done. The supervisors' lists (who has not submitted) are left alone: they tell a moment.
A notice planned for a due time its deadline or case no longer has is withdrawn too: the move
withdraws what waits, but skips a row another process holds at that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from storage.campaigns import active_campaign, weekly_reports
from storage.models import (
    Deadline,
    ForwardedCase,
    Notification,
    OutboxMessage,
    Submission,
    saved_id,
)
from workflows.casework.cases import OPEN, SIGNED
from workflows.json_types import json_int
from workflows.keys import (
    ADMINS,
    DAILY,
    ESCALATE,
    REMIND,
    UNIT,
    NoticeKey,
    Subject,
    owed_again,
    schedule_of,
    schedule_stamp,
    stage_target,
    weekly_asked,
)

CASE_CHASERS = (REMIND, ESCALATE, ADMINS, DAILY)  # asked of a case while it is unanswered
CATCHUP, TOLD = "catchup", "told"  # a message folding several; each notice folded in it
OWED = "owed"  # the mark of a notice told in a catch-up withdrawn while still owed


def withdraw_done(session: Session, rows: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Withdraw the claimed reminders whose unit submitted, case was answered or week was
    reported since they were planned; the others, to be sent.

    A catch-up that folded such a reminder is withdrawn whole; each other notice it folded,
    still owed, is told by a later stage of it waiting in the chat, or else is marked owed
    again (`keys.owed_again`): the planner's next pass tells it again, even if a later stage
    has come meanwhile.
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
        _owed_again(session, [n for n in told if saved_id(n) not in told_done], done)
    for row in rows:
        if row.notification_id in done:
            row.status = "withdrawn"
            session.add(row)
    return [r for r in rows if r.notification_id not in done]


def _owed_again(session: Session, told: Sequence[Notification], withdrawn: set[int]) -> None:
    """Free the notices told in a catch-up withdrawn unsent, and still owed: each is told by a
    message waiting in its chat with a later stage of it (the 2-hour stage of the same
    deadline, to the same unit), or else marked owed again for the planner's next pass."""
    carriers = _waiting_stages(
        session, {json_int(n.payload.get("chat_id")) for n in told}, withdrawn
    )
    marks = {owed_again(n.key): n for n in told}
    have = set(session.exec(select(Notification.key).where(col(Notification.key).in_(marks))))
    for mark, n in marks.items():
        carrier = carriers.get(stage_target(n.key) or "")
        if carrier is not None:  # told with the later stage: one reminder, not two
            n.payload = {**n.payload, "told_in": carrier.key}
            n.created_at = carrier.created_at  # how a catch-up finds what it tells
            session.add(n)
            continue
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


def _waiting_stages(
    session: Session, chats: set[int | None], withdrawn: set[int]
) -> dict[str, Notification]:
    """The notices not sent yet to these chats (but those withdrawn), by the stage target
    (`stage_target`) of each notice they tell, their own or one folded in them."""
    waiting = {
        saved_id(n): n
        for n in session.exec(
            select(Notification)
            .join(OutboxMessage, col(OutboxMessage.notification_id) == col(Notification.id))
            .where(
                col(OutboxMessage.chat_id).in_(chats),
                col(OutboxMessage.status).in_(("pending", "sending")),
                col(Notification.id).not_in(withdrawn),
            )
        )
    }
    by_key = {n.key: n for n in waiting.values()}
    tells = [(n.key, n) for n in waiting.values()]
    folded = select(Notification).where(
        Notification.kind == TOLD,
        col(Notification.created_at).in_({n.created_at for n in waiting.values()}),
    )
    for t in session.exec(folded) if waiting else ():
        carrier = by_key.get(str(t.payload.get("told_in")))
        if carrier is not None:
            tells.append((t.key, carrier))
    return {target: n for key, n in tells if (target := stage_target(key)) is not None}


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
    done = _submitted(session, submissions) | answered | _reported(session, weeks)
    return done | _moved(session, keys)


def _moved(session: Session, keys: dict[int, str]) -> set[int]:
    """Of these notifications, the ones planned for a due time their deadline or case no longer
    has (moved since, or the deadline withdrawn)."""
    planned = {nid: n for nid, key in keys.items() if (n := NoticeKey.parse(key)) and n.due}
    current: dict[str, str] = {}
    for subject, table in ((Subject.DEADLINE, Deadline), (Subject.CASE, ForwardedCase)):
        ids = {n.subject_id for n in planned.values() if n.subject is subject}
        if ids:
            rows = session.exec(select(table.id, table.due_at).where(col(table.id).in_(ids)))
            current |= {schedule_of(subject, i): schedule_stamp(due) for i, due in rows if i}
    return {nid for nid, n in planned.items() if current.get(n.schedule) != n.due}


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
