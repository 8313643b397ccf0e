"""Submissions of deliverables and of weekly reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from storage.audit import Stamp, created
from storage.models import Submission


def submission_of(
    session: Session,
    unit_id: int,
    *,
    deadline_id: int | None = None,
    report_name: str = "",
    period_start: date | None = None,
) -> Submission | None:
    """The unit's submission of a deliverable, or of a weekly report for one reporting day."""
    stmt = select(Submission).where(Submission.unit_id == unit_id)
    if deadline_id is not None:
        stmt = stmt.where(Submission.deadline_id == deadline_id)
    else:
        stmt = stmt.where(
            Submission.report_name == report_name, Submission.period_start == period_start
        )
    return session.exec(stmt).first()


def submissions_for(session: Session, deadline_ids: list[int]) -> list[Submission]:
    """Every submission of these deliverables."""
    stmt = select(Submission).where(col(Submission.deadline_id).in_(deadline_ids))
    return list(session.exec(stmt))


def record_submission(
    session: Session,
    *,
    unit_id: int,
    stamp: Stamp,
    on_time: bool,
    note: str = "",
    files: list[dict[str, Any]] | None = None,
    deadline_id: int | None = None,
    report_name: str = "",
    period_start: date | None = None,
) -> Submission:
    """Record that the unit submitted; the caller checked it had not already."""
    row = Submission(
        unit_id=unit_id,
        deadline_id=deadline_id,
        report_name=report_name,
        period_start=period_start,
        submitted_at=stamp.at,
        on_time=on_time,
        note=note,
        files=files or [],
        by_user_id=stamp.user_id,
    )
    created(session, stamp, "submission.record", row)
    return row
