"""Corrections of a submitted week or deliverable: the week's words as submitted, and requests
for a correction after the deadline (a week's, or a deliverable's new material), kept in the
audit trail (who asked, when, what) until decided.

Both versions of a corrected week stay: the progress rows are never overwritten (a correction
adds new ones for the same week), and each correction is an audit event with before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import Session, col, select

from storage.audit import Stamp, record, snapshot
from storage.models import AuditEvent, ProgressUpdate, Submission
from workflows.guards import required
from workflows.json_types import JSONObject, JSONValue, json_object
from workflows.week.correction import Said

CORRECTED = "week.correct"
REPLACED = "submission.replace"
REQUESTED = "week.correction.request"
APPROVED, REJECTED = "week.correction.approved", "week.correction.rejected"


def latest_weekly(session: Session, unit_id: int) -> Submission | None:
    """The unit's latest submitted weekly report (the one a correction is about)."""
    stmt = select(Submission).where(
        Submission.unit_id == unit_id, col(Submission.deadline_id).is_(None)
    )
    return session.exec(stmt.order_by(col(Submission.period_start).desc())).first()


def week_said(session: Session, item_ids: list[int], week: date) -> dict[int, Said]:
    """What the week says now of each item (its latest progress of that week), by item id."""
    if not item_ids:
        return {}
    stmt = select(ProgressUpdate).where(
        col(ProgressUpdate.item_id).in_(item_ids), ProgressUpdate.week_of == week
    )
    out: dict[int, Said] = {}
    for row in session.exec(stmt.order_by(col(ProgressUpdate.created_at), col(ProgressUpdate.id))):
        out[row.item_id] = Said(row.status, row.text, row.result, row.reason, row.new_due_on)
    return out


def record_correction(
    session: Session, stamp: Stamp, submission_id: int, lines: JSONObject
) -> None:
    """Write down a correction made (what each changed field said before and after)."""
    record(session, stamp, CORRECTED, "submission", submission_id, None, lines)


def record_request(
    session: Session, stamp: Stamp, submission_id: int, asked: Mapping[str, JSONValue]
) -> int:
    """Keep a correction asked after the deadline (its context and answers); its id."""
    row = AuditEvent(
        at=stamp.at,
        actor_user_id=stamp.user_id,
        chat_id=stamp.chat_id,
        action=REQUESTED,
        entity="submission",
        entity_id=submission_id,
        after=dict(asked),
    )
    session.add(row)
    session.flush()
    return required(row.id, "the request just written")


def request_of(session: Session, request_id: int) -> AuditEvent | None:
    """A correction request by its id (None if there is no such request)."""
    # locked: of two supervisors deciding at once, the second reads the first one's decision
    row = session.get(AuditEvent, request_id, with_for_update=True)
    return row if row is not None and row.action == REQUESTED else None


def decided(session: Session, request_id: int) -> bool:
    """Whether a supervisor has approved or refused the request already."""
    stmt = select(AuditEvent.id).where(
        col(AuditEvent.action).in_([APPROVED, REJECTED]),
        AuditEvent.entity == "auditevent",
        AuditEvent.entity_id == request_id,
    )
    return session.exec(stmt).first() is not None


def waiting_requests(session: Session, unit_ids: list[int]) -> list[AuditEvent]:
    """The correction requests of these units no supervisor has decided yet, oldest first
    (the board's list; a decision is an audit event about the request)."""
    decision = select(AuditEvent.entity_id).where(
        col(AuditEvent.action).in_([APPROVED, REJECTED]), AuditEvent.entity == "auditevent"
    )
    stmt = select(AuditEvent).where(
        AuditEvent.action == REQUESTED, col(AuditEvent.id).not_in(decision)
    )
    wanted = set(unit_ids)
    return [
        row
        for row in session.exec(stmt.order_by(col(AuditEvent.at), col(AuditEvent.id)))
        if row.after is not None and json_object(row.after["ctx"]).get("unit_id") in wanted
    ]


def record_decided(
    session: Session, stamp: Stamp, request_id: int, *, approved: bool, reason: str = ""
) -> None:
    """Write down the decision on a request."""
    action = APPROVED if approved else REJECTED
    record(session, stamp, action, "auditevent", request_id, None, {"reason": reason})


def replace_material(
    session: Session, stamp: Stamp, row: Submission, *, note: str, files: list[JSONObject]
) -> None:
    """A submitted deliverable's material replaced; the old stays in the audit trail (who,
    when, the files and note before and after). Its first submission's time stands."""
    before = snapshot(row)
    row.note, row.files = note, files
    session.add(row)
    record(session, stamp, REPLACED, "submission", row.id, before, snapshot(row))
