"""Ledger items and their progress updates (kept forever, never overwritten)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from storage.audit import Stamp, created, record, snapshot
from storage.evidence import keep_evidence
from storage.models import LedgerItem, ProgressUpdate, Unit, saved_id
from storage.unique_inserts import numbered
from workflows.problems.ledger import (
    ITEM_COLUMNS,
    ItemChanges,
    ItemColumns,
    Progress,
    Status,
    item_code,
)
from workflows.week.weekly import DONE


class Conflict(Exception):
    """Someone else changed the item since it was read (its version moved on)."""


IN_BATCH = 500  # ids in one `IN (…)`: a unit of thousands of items stays one query a batch


def new_item(unit: Unit, seq: int, given: ItemColumns, stamp: Stamp) -> LedgerItem:
    """The row of a new problem numbered `seq` in the unit's ledger."""
    item = LedgerItem(
        unit_id=saved_id(unit),
        code=item_code(unit.name, seq),
        seq=seq,
        fields=dict(given.extra),
        created_by=stamp.user_id,
        created_at=stamp.at,
        updated_at=stamp.at,
    )
    set_columns(item, given, every=True)  # name … source: LedgerColumns's, written in one place
    return item


def set_columns(item: LedgerItem, given: ItemColumns, *, every: bool = False) -> None:
    """Write the given columns on the item (`every`: all of them, as for a new item)."""
    for column in ITEM_COLUMNS:
        if every or column in given.given:
            setattr(item, column, getattr(given, column))


def create_item(session: Session, unit: Unit, given: ItemColumns, stamp: Stamp) -> LedgerItem:
    """Add a problem to the unit's ledger under the next short id (`轮台-007`).

    Two liaisons adding at the same moment both read the same last number: the database's
    unique code refuses the second, which takes the next number.
    """

    def build(seq: int) -> LedgerItem:
        return new_item(unit, seq, given, stamp)

    def first() -> int:
        top = session.exec(select(func.max(LedgerItem.seq)).where(LedgerItem.unit_id == unit.id))
        return (top.one() or 0) + 1

    return numbered(session, build, first, stamp, "item.create")


def item_by_code(session: Session, code: str) -> LedgerItem | None:
    """An item by its short id (`轮台-007`)."""
    return session.exec(select(LedgerItem).where(LedgerItem.code == code.strip())).first()


def open_items(session: Session, unit_id: int) -> list[LedgerItem]:
    """The unit's items still being rectified, oldest first."""
    stmt = select(LedgerItem).where(LedgerItem.unit_id == unit_id, LedgerItem.status == Status.OPEN)
    return list(session.exec(stmt.order_by(col(LedgerItem.seq))))


def items_of(session: Session, unit_ids: list[int]) -> list[LedgerItem]:
    """The units' items: open ones first (soonest due first), then the rest."""
    stmt = select(LedgerItem).where(col(LedgerItem.unit_id).in_(unit_ids))
    rows = list(session.exec(stmt))
    order = {Status.OPEN: 0, Status.CLOSING: 1, Status.PAUSED: 2, Status.CLOSED: 3}
    rows.sort(key=lambda i: (order.get(i.status, 4), i.due_on or date.max, i.unit_id, i.seq))
    return rows


def progress_of(session: Session, item_id: int) -> list[ProgressUpdate]:
    """Every progress update of an item, oldest first."""
    stmt = select(ProgressUpdate).where(ProgressUpdate.item_id == item_id)
    return list(session.exec(stmt.order_by(col(ProgressUpdate.created_at), col(ProgressUpdate.id))))


def closeout_ask(session: Session, item_id: int) -> int | None:
    """The id of the item's latest close-out ask (its 已完成，申请销号 with result and evidence)."""
    stmt = select(ProgressUpdate.id).where(
        ProgressUpdate.item_id == item_id, ProgressUpdate.status == DONE
    )
    # by id, not by time: an item's asks come one after another (each after the decision on
    # the last), so the latest has the largest id whatever the clocks of the processes said
    return session.exec(stmt.order_by(col(ProgressUpdate.id).desc())).first()


def last_progress(session: Session, item_ids: list[int]) -> dict[int, ProgressUpdate]:
    """The latest update of each item."""
    out: dict[int, ProgressUpdate] = {}
    for at in range(0, len(item_ids), IN_BATCH):  # SQLite takes 32,766 variables at most
        batch = item_ids[at : at + IN_BATCH]
        stmt = select(ProgressUpdate).where(col(ProgressUpdate.item_id).in_(batch))
        order = (col(ProgressUpdate.created_at), col(ProgressUpdate.id))
        for row in session.exec(stmt.order_by(*order)):
            out[row.item_id] = row
    return out


def change_item(
    session: Session,
    item: LedgerItem,
    changes: ItemChanges,
    *,
    expected_version: int | None,
    action: str,
    stamp: Stamp,
) -> None:
    """Change an item if nobody else did since `expected_version` was read; log it.

    The database checks too: the UPDATE matches only the version this session read (the
    mapper's `version_id_col`), so of two processes deciding at once one applies and the
    other gets `Conflict`, its unit of work still usable (the change ran in a savepoint).
    """
    code = item.code
    if expected_version is not None and item.version != expected_version:
        raise Conflict(code)
    before = snapshot(item)
    try:
        with session.begin_nested():
            if changes.status is not None:
                item.status = changes.status
            if changes.closed_at is not None:
                item.closed_at = changes.closed_at
            if changes.fields is not None:
                item.fields = dict(changes.fields)
            item.updated_at = stamp.at
            flag_modified(item, "updated_at")  # an UPDATE, so checked and counted, even if equal
            session.add(item)
    except StaleDataError:
        raise Conflict(code) from None
    record(session, stamp, action, "ledgeritem", item.id, before, snapshot(item))


def add_progress(
    session: Session, item: LedgerItem, progress: Progress, stamp: Stamp
) -> ProgressUpdate:
    """Record one week's progress on an item."""
    row = ProgressUpdate(
        item_id=saved_id(item),
        week_of=progress.week_of,
        status=progress.status,
        text=progress.text,
        result=progress.result,
        reason=progress.reason,
        new_due_on=progress.new_due_on,
        files=[dict(f) for f in progress.files],
        author_user_id=stamp.user_id,
        created_at=stamp.at,
    )
    created(session, stamp, "item.progress", row)
    keep_evidence(session, row, item.unit_id, row.files)
    return row
