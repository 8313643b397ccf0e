"""Submissions of deliverables and of weekly reports."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from storage.audit import Stamp, record, snapshot
from storage.models import Submission
from storage.unique_inserts import Taken, insert_once
from workflows.guards import required
from workflows.json_types import JSONObject


class AlreadySubmitted(Exception):
    """The unit has already submitted this deliverable, or this week's report: `first`."""

    def __init__(self, first: Submission) -> None:
        super().__init__(f"unit {first.unit_id} submitted at {first.submitted_at}")
        self.first = first


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
    files: list[JSONObject] | None = None,
    deadline_id: int | None = None,
    report_name: str = "",
    period_start: date | None = None,
) -> Submission:
    """Record that the unit submitted; `AlreadySubmitted` if it had (the database decides)."""
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
    try:
        insert_once(session, row)
    except Taken:
        first = submission_of(
            session,
            unit_id,
            deadline_id=deadline_id,
            report_name=report_name,
            period_start=period_start,
        )
        raise AlreadySubmitted(required(first, "the submission that came first")) from None
    record(session, stamp, "submission.record", "submission", row.id, None, snapshot(row))
    return row
