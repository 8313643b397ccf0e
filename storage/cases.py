"""Forwarded cases and their feedback."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.audit import Stamp, created, record, snapshot
from storage.models import (
    AuditEvent,
    Feedback,
    ForwardedCase,
    Notification,
    OutboxMessage,
    Person,
    Unit,
    saved_id,
)
from storage.unique_inserts import numbered
from workflows.casework.cases import ANSWERED, OPEN, SIGNED, CaseChange, case_code
from workflows.json_read import need_int
from workflows.json_types import JSONObject
from workflows.keys import CASE_POSTED


def next_number(session: Session) -> int:
    """The next free case number (`ZB-0007` is 7)."""
    count = session.exec(select(func.count()).select_from(ForwardedCase)).one()
    while case_by_code(session, case_code(count + 1)) is not None:  # codes survive deletions
        count += 1
    return count + 1


def case_by_code(session: Session, code: str) -> ForwardedCase | None:
    """A case by its code (`ZB-0001`, case-insensitive)."""
    return session.exec(select(ForwardedCase).where(ForwardedCase.code == code.upper())).first()


def create_case(
    session: Session,
    *,
    unit_id: int,
    text: str,
    reference: str,
    received_at: datetime,
    due_at: datetime,
    stamp: Stamp,
    files: list[JSONObject] | None = None,
    fields: JSONObject | None = None,
) -> ForwardedCase:
    """Record a forwarded case under the next free code (the next again if another took it)."""

    def build(number: int) -> ForwardedCase:
        return ForwardedCase(
            code=case_code(number),
            unit_id=unit_id,
            text=text,
            reference=reference,
            files=files or [],
            received_at=received_at,
            due_at=due_at,
            forwarded_by=stamp.user_id,
            fields=fields or {},
        )

    return numbered(session, build, lambda: next_number(session), stamp, "case.forward")


def update_case(
    session: Session, case: ForwardedCase, change: CaseChange, action: str, stamp: Stamp
) -> None:
    """Change a case and log it on its timeline."""
    before = snapshot(case)
    if change.status is not None:
        case.status = change.status
    if change.signed_at is not None:
        case.signed_at = change.signed_at
    if change.answered_at is not None:
        case.answered_at = change.answered_at
    if change.due_at is not None:
        case.due_at = change.due_at
    if change.fields is not None:
        case.fields = dict(change.fields)
    session.add(case)
    session.flush()
    record(session, stamp, action, "forwardedcase", case.id, before, snapshot(case))


def add_feedback(
    session: Session,
    case: ForwardedCase,
    *,
    text: str,
    status: str,
    expected_on: date | None,
    files: list[JSONObject],
    on_time: bool,
    late_days: int,
    stamp: Stamp,
) -> Feedback:
    """The unit's answer; the case is answered from now on."""
    feedback = Feedback(
        case_id=saved_id(case),
        text=text,
        status=status,
        expected_on=expected_on,
        files=files,
        author_user_id=stamp.user_id,
        created_at=stamp.at,
        on_time=on_time,
        late_working_days=late_days,
    )
    created(session, stamp, "case.feedback", feedback)
    answered = CaseChange(status=ANSWERED, answered_at=stamp.at)
    update_case(session, case, answered, "case.answered", stamp)
    return feedback


def open_cases(session: Session, unit_ids: list[int]) -> list[ForwardedCase]:
    """Cases of these units not yet answered, soonest due first."""
    stmt = select(ForwardedCase).where(
        col(ForwardedCase.unit_id).in_(unit_ids), col(ForwardedCase.status).in_((OPEN, SIGNED))
    )
    return list(session.exec(stmt.order_by(col(ForwardedCase.due_at))))


IMPORTED_FROM = "imported_from"  # a case's field: the fingerprint of the file it came from


def imported_rows(session: Session, unit_ids: list[int], fingerprint: str) -> set[int]:
    """The rows of this file (by its fingerprint) already recorded as cases of these units."""
    stmt = select(ForwardedCase).where(col(ForwardedCase.unit_id).in_(unit_ids))
    return {
        need_int(c.fields.get("imported_row", 0))
        for c in session.exec(stmt)
        if c.fields.get(IMPORTED_FROM) == fingerprint
    }


def cases_of(session: Session, unit_ids: list[int]) -> list[ForwardedCase]:
    """The units' cases, open ones first, then answered ones (/cases shows them a page at a
    time, so none is cut off)."""
    stmt = select(ForwardedCase).where(col(ForwardedCase.unit_id).in_(unit_ids))
    rows = list(session.exec(stmt.order_by(col(ForwardedCase.due_at))))
    rows.sort(key=lambda c: (c.status == ANSWERED, c.due_at))
    return rows


def feedback_of(session: Session, case_id: int) -> list[Feedback]:
    """A case's feedback, oldest first."""
    stmt = select(Feedback).where(Feedback.case_id == case_id).order_by(col(Feedback.created_at))
    return list(session.exec(stmt))


def case_of_message(session: Session, chat_id: int, message_id: int) -> ForwardedCase | None:
    """The case a bot message in a unit's group announced (people answer by replying to it)."""
    stmt = (
        select(Notification.case_id)
        .join(OutboxMessage, col(OutboxMessage.notification_id) == col(Notification.id))
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.telegram_message_id == message_id,
            Notification.kind == CASE_POSTED,
            col(Notification.case_id).is_not(None),
        )
    )
    case_id = session.exec(stmt).first()
    return session.get(ForwardedCase, case_id) if case_id is not None else None


def timeline_of(session: Session, case: ForwardedCase) -> list[tuple[AuditEvent, str]]:
    """What happened to a case and its feedback, oldest first, with who did it (their name)."""
    case_id = saved_id(case)
    feedback_ids = [saved_id(f) for f in feedback_of(session, case_id)]
    stmt = (
        select(AuditEvent)
        .where(
            ((col(AuditEvent.entity) == "forwardedcase") & (col(AuditEvent.entity_id) == case_id))
            | ((col(AuditEvent.entity) == "feedback") & col(AuditEvent.entity_id).in_(feedback_ids))
        )
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    events = list(session.exec(stmt))
    actors = {e.actor_user_id for e in events if e.actor_user_id is not None}
    people = session.exec(select(Person).where(col(Person.user_id).in_(actors)))
    names = {p.user_id: p.name or p.display_name for p in people}
    return [(e, names.get(e.actor_user_id, "") if e.actor_user_id else "") for e in events]


def unit_name(session: Session, unit_id: int) -> str:
    """A unit's name."""
    unit = session.get(Unit, unit_id)
    return unit.name if unit else ""


def signer_name(session: Session, case: ForwardedCase) -> str:
    """Who signed for the case (签收), as the timeline records it; empty if nobody has."""
    stmt = (
        select(Person)
        .join(AuditEvent, col(AuditEvent.actor_user_id) == col(Person.user_id))
        .where(
            AuditEvent.entity == "forwardedcase",
            AuditEvent.entity_id == case.id,
            AuditEvent.action == "case.sign",
        )
        .order_by(col(AuditEvent.id).desc())
    )
    person = session.exec(stmt).first()
    return (person.name or person.display_name) if person else ""
