"""The figures of /summary, counted in the database (one query per kind, all units at once)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, tzinfo

import sqlalchemy as sa
from sqlalchemy import case, func
from sqlmodel import Session, col, select

from storage.models import Deadline, ForwardedCase, LedgerItem, ProgressUpdate, Submission
from workflows.deliverables.checkpoints import CheckedItem
from workflows.documents.circular import OverdueCase
from workflows.documents.summary import CaseFigures, LedgerFigures


def ledger_figures(session: Session, unit_ids: list[int], today: date) -> dict[int, LedgerFigures]:
    """Per unit: items in all, closed out, awaiting close-out, overdue."""
    closed = func.sum(case((col(LedgerItem.status) == "closed", 1), else_=0))
    closing = func.sum(case((col(LedgerItem.status) == "closing", 1), else_=0))
    overdue = func.sum(
        case(((col(LedgerItem.due_on) < today) & (LedgerItem.status != "closed"), 1), else_=0)
    )
    # SQLAlchemy's select: SQLModel's is typed for at most four columns
    stmt = (
        sa.select(col(LedgerItem.unit_id), func.count(), closed, closing, overdue)
        .where(col(LedgerItem.unit_id).in_(unit_ids))
        .group_by(col(LedgerItem.unit_id))
    )
    out = {u: LedgerFigures() for u in unit_ids}
    for unit_id, total, n_closed, n_closing, n_overdue in session.execute(stmt):
        out[unit_id] = LedgerFigures(
            total, int(n_closed or 0), int(n_closing or 0), int(n_overdue or 0)
        )
    return out


def weekly_status(session: Session, unit_ids: list[int], name: str, period: date) -> dict[int, str]:
    """Per unit: this week's report `on_time`, `late` or `missing`."""
    stmt = select(Submission.unit_id, Submission.on_time).where(
        Submission.report_name == name, Submission.period_start == period
    )
    done = {u: ("on_time" if on_time else "late") for u, on_time in session.exec(stmt)}
    return {u: done.get(u, "missing") for u in unit_ids}


def weekly_counts(session: Session, unit_ids: list[int], name: str) -> dict[date, tuple[int, int]]:
    """Per reporting day of the weekly report `name`: the units' reports on time, and late."""
    on_time = func.sum(case((col(Submission.on_time), 1), else_=0))
    stmt = (
        sa.select(col(Submission.period_start), on_time, func.count())
        .where(
            col(Submission.report_name) == name,
            col(Submission.period_start).is_not(None),
            col(Submission.unit_id).in_(unit_ids),
        )
        .group_by(col(Submission.period_start))
    )
    return {
        day: (int(n_on_time or 0), int(n) - int(n_on_time or 0))
        for day, n_on_time, n in session.execute(stmt)
    }


def case_figures(session: Session, unit_ids: list[int], now: datetime) -> dict[int, CaseFigures]:
    """Per unit: cases answered, answered on time, open and overdue."""
    out: dict[int, CaseFigures] = defaultdict(CaseFigures)
    stmt = select(
        ForwardedCase.unit_id, ForwardedCase.status, ForwardedCase.due_at, ForwardedCase.answered_at
    ).where(col(ForwardedCase.unit_id).in_(unit_ids))
    for unit_id, status, due_at, answered_at in session.exec(stmt):
        f = out[unit_id]
        if status == "answered" and answered_at is not None:
            f.answered += 1
            f.on_time += answered_at <= due_at
        elif now > due_at:
            f.overdue += 1
        else:
            f.open += 1
    return {u: out[u] for u in unit_ids}


def overdue_cases(session: Session, unit_names: dict[int, str], now: datetime) -> list[OverdueCase]:
    """Forwarded cases past their time limit and not answered, oldest due first."""
    stmt = (
        select(ForwardedCase)
        .where(
            col(ForwardedCase.unit_id).in_(list(unit_names)),
            ForwardedCase.status != "answered",
            ForwardedCase.due_at < now,
        )
        .order_by(col(ForwardedCase.due_at), col(ForwardedCase.id))
    )
    return [
        OverdueCase(c.code, unit_names[c.unit_id], c.text, c.due_at) for c in session.exec(stmt)
    ]


def checked_items(session: Session, unit_names: dict[int, str], tz: tzinfo) -> list[CheckedItem]:
    """What the checkpoint rule reads of every item of these units (the day each closed, local)."""
    stmt = sa.select(
        col(LedgerItem.unit_id),
        col(LedgerItem.code),
        col(LedgerItem.name),
        col(LedgerItem.due_on),
        col(LedgerItem.status),
        col(LedgerItem.closed_at),
    ).where(col(LedgerItem.unit_id).in_(list(unit_names)))
    return [
        CheckedItem(
            unit_names[unit_id],
            code,
            name,
            due_on,
            status,
            closed_at.astimezone(tz).date() if closed_at is not None else None,
        )
        for unit_id, code, name, due_on, status, closed_at in session.execute(stmt)
    ]


def missing_deliverables(
    session: Session, campaign_id: int, unit_names: dict[int, str], now: datetime
) -> list[tuple[Deadline, list[str]]]:
    """Deliverables already due, with the units that have not submitted them."""
    rows = session.exec(
        select(Deadline).where(
            Deadline.campaign_id == campaign_id,
            col(Deadline.cancelled).is_(False),
            Deadline.due_at <= now,
        )
    ).all()
    out = []
    for d in sorted(rows, key=lambda d: d.due_at):
        done = set(session.exec(select(Submission.unit_id).where(Submission.deadline_id == d.id)))
        applies = [u for u, n in unit_names.items() if d.unit_names is None or n in d.unit_names]
        missing = [unit_names[u] for u in applies if u not in done]
        if missing:
            out.append((d, missing))
    return out


def week_counts(session: Session, unit_ids: list[int], start: date, today: date) -> dict[str, int]:
    """This week: new items, items with progress, items closed out, items newly overdue."""
    items = col(LedgerItem.unit_id).in_(unit_ids)
    new = session.exec(
        select(func.count())
        .select_from(LedgerItem)
        .where(items, func.date(LedgerItem.created_at) >= start)
    ).one()
    progressed = session.exec(
        select(func.count(func.distinct(ProgressUpdate.item_id)))
        .join(LedgerItem, col(LedgerItem.id) == col(ProgressUpdate.item_id))
        .where(items, col(ProgressUpdate.week_of) >= start)
    ).one()
    closed = session.exec(
        select(func.count())
        .select_from(LedgerItem)
        .where(items, LedgerItem.status == "closed", func.date(LedgerItem.closed_at) >= start)
    ).one()
    overdue = session.exec(
        select(func.count())
        .select_from(LedgerItem)
        .where(
            items,
            LedgerItem.status != "closed",
            col(LedgerItem.due_on) >= start,
            col(LedgerItem.due_on) < today,
        )
    ).one()
    return {"new": new, "progressed": progressed, "closed": closed, "overdue": overdue}
