"""Deadlines (报送节点) as people add, move and cancel them; every change in the audit trail."""

from __future__ import annotations

from sqlmodel import Session, select

from storage import planning
from storage.audit import Stamp, record, snapshot
from storage.models import Deadline
from workflows.deliverables.deadlines import DeadlineSave


def deadline_named(session: Session, campaign_id: int, deliverable: str) -> Deadline | None:
    """The campaign's deadline for this deliverable, live or cancelled."""
    stmt = select(Deadline).where(
        Deadline.campaign_id == campaign_id, Deadline.deliverable == deliverable
    )
    return session.exec(stmt).first()


def save_deadline(
    session: Session, campaign_id: int, row: Deadline | None, saved: DeadlineSave, stamp: Stamp
) -> Deadline:
    """Write a saved deadline on `row` (a new row when None); a moved one is planned afresh."""
    before = snapshot(row)
    if row is None:
        row = Deadline(
            campaign_id=campaign_id,
            deliverable=saved.deliverable,
            due_at=saved.due_at,
            created_at=stamp.at,
        )
    if saved.moved:
        row.due_set_at = stamp.at
    row.deliverable, row.due_at, row.unit_names = saved.deliverable, saved.due_at, saved.unit_names
    row.cancelled, row.from_file = False, False  # a person's word now, not the campaign file's
    session.add(row)
    session.flush()
    if saved.moved:  # what waited for the old time goes now, not at the planner's next pass
        planning.withdraw_rescheduled(session, row)
    record(session, stamp, "deadline.save", "deadline", row.id, before, snapshot(row))
    return row


def cancel_deadline(session: Session, row: Deadline, stamp: Stamp) -> None:
    """Cancel a deadline: no more reminders, gone from the lists; kept for the audit."""
    before = snapshot(row)
    row.cancelled = True
    session.add(row)
    record(session, stamp, "deadline.cancel", "deadline", row.id, before, snapshot(row))
