"""What the supervisors' board reads besides the summary's figures: the decisions waiting
(close-outs asked for, extensions of forwarded cases asked for) and a unit's ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import ForwardedCase, LedgerItem, ProgressUpdate
from workflows.casework.cases import ANSWERED, OPEN, SIGNED
from workflows.casework.extension import PENDING
from workflows.problems.ledger import Status
from workflows.week.weekly import DONE


@dataclass(frozen=True)
class WaitingCloseout:
    """A problem awaiting a close-out decision, with the ask it waits on (its result, files)."""

    item: LedgerItem
    ask: ProgressUpdate | None


def waiting_closeouts(
    session: Session, unit_ids: list[int], *, limit: int | None = None
) -> tuple[list[WaitingCloseout], int]:
    """The units' problems awaiting a close-out decision, longest waiting first (the first
    `limit` of them), and how many wait in all."""
    waiting = col(LedgerItem.unit_id).in_(unit_ids), LedgerItem.status == Status.CLOSING
    total = session.exec(select(func.count()).select_from(LedgerItem).where(*waiting)).one()
    stmt = (
        select(LedgerItem).where(*waiting).order_by(col(LedgerItem.updated_at), col(LedgerItem.id))
    )
    items = list(session.exec(stmt.limit(limit) if limit is not None else stmt))
    ids = [i.id for i in items]
    asks: dict[int, ProgressUpdate] = {}
    stmt_asks = select(ProgressUpdate).where(
        col(ProgressUpdate.item_id).in_(ids), ProgressUpdate.status == DONE
    )
    for row in session.exec(stmt_asks.order_by(col(ProgressUpdate.id))):  # the latest ask wins
        asks[row.item_id] = row
    return [WaitingCloseout(i, asks.get(i.id or 0)) for i in items], int(total)


def waiting_extensions(session: Session, unit_ids: list[int]) -> list[ForwardedCase]:
    """The units' open cases whose request for more time awaits a decision, soonest due first
    (their fields are read first, and only those cases loaded whole)."""
    stmt = select(ForwardedCase.id, ForwardedCase.fields).where(
        col(ForwardedCase.unit_id).in_(unit_ids), col(ForwardedCase.status).in_((OPEN, SIGNED))
    )
    asked = [
        i for i, f in session.exec(stmt) if (f.get("extension") or {}).get("status") == PENDING
    ]
    if not asked:
        return []
    rows = select(ForwardedCase).where(col(ForwardedCase.id).in_(asked))
    return list(session.exec(rows.order_by(col(ForwardedCase.due_at), col(ForwardedCase.id))))


def problems_due_soon(
    session: Session, unit_ids: list[int], today: date, until: date
) -> dict[int, int]:
    """Per unit: problems being rectified (not closed out nor awaiting it) due from today to
    `until` (the standing rule's "due soon")."""
    stmt = (
        select(LedgerItem.unit_id, func.count())
        .where(
            col(LedgerItem.unit_id).in_(unit_ids),
            col(LedgerItem.status).not_in((Status.CLOSED, Status.CLOSING)),
            col(LedgerItem.due_on) >= today,
            col(LedgerItem.due_on) <= until,
        )
        .group_by(col(LedgerItem.unit_id))
    )
    return {u: int(n) for u, n in session.exec(stmt)}


def cases_due_between(
    session: Session, unit_ids: list[int], start: datetime, end: datetime
) -> dict[int, int]:
    """Per unit: forwarded cases not answered whose time limit falls in [start, end)."""
    stmt = (
        select(ForwardedCase.unit_id, func.count())
        .where(
            col(ForwardedCase.unit_id).in_(unit_ids),
            ForwardedCase.status != ANSWERED,
            col(ForwardedCase.due_at) >= start,
            col(ForwardedCase.due_at) < end,
        )
        .group_by(col(ForwardedCase.unit_id))
    )
    return {u: int(n) for u, n in session.exec(stmt)}
