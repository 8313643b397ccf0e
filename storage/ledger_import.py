"""A ledger workbook saved into a unit's items: new ones numbered on, changed ones versioned.

The workbook is read whole first (its rows are capped), then written in batches in the caller's
unit of work: one transaction, the write lock held only while writing. Every item's audit
trail records the import, the file, its sheet and row, and who did it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage import campaigns
from storage.audit import Stamp, record, snapshot
from storage.ledger import new_item, set_columns
from storage.models import AuditEvent, Campaign, LedgerItem, Unit, saved_id
from workflows.ledger import ITEM_COLUMNS, SOURCE_FIELD, ItemColumns, LedgerSpec, item_columns
from workflows.ledger_import import (
    Event,
    ImportRow,
    Known,
    KnownItems,
    LedgerTarget,
    Tally,
    read_book,
)
from workflows.workbook import Sheet

IMPORT_BATCH = 500
IMPORTED, UPDATED = "item.import", "item.import_update"


class Stale(Exception):
    """An item changed between the preview and the save."""


def known_items(session: Session, unit_id: int, spec: LedgerSpec) -> KnownItems:
    """The unit's items as the reader compares rows with them."""
    fields = (*spec.fields, SOURCE_FIELD)
    out = []
    for item in session.exec(select(LedgerItem).where(LedgerItem.unit_id == unit_id)):
        values: dict[str, Any] = {}
        for f in fields:
            value = getattr(item, f.key) if f.key in ITEM_COLUMNS else item.fields.get(f.name)
            values[f.key] = value.isoformat() if isinstance(value, date) else value
        out.append(Known(saved_id(item), item.code, item.name, item.version, values))
    return KnownItems.of(out)


def ledger_target(session: Session, camp: Campaign, unit: Unit) -> LedgerTarget:
    """What a ledger workbook is read against for this unit."""
    units = [u.name for u in campaigns.units_of(session, saved_id(camp))]
    return LedgerTarget(unit.name, units, campaigns.ledger_spec(camp), camp.categories, camp.year)


@dataclass
class Saved:
    """How many items an import added and changed."""

    new: int = 0
    changed: int = 0


def save_rows(
    session: Session,
    unit: Unit,
    spec: LedgerSpec,
    events: Iterable[Event],
    stamp: Stamp,
    source: dict[str, Any],
) -> Saved:
    """Add the new items and change the matched ones; `source` names the file and the person."""
    seq = session.exec(select(func.max(LedgerItem.seq)).where(LedgerItem.unit_id == unit.id)).one()
    seq = seq or 0
    saved = Saved()
    batch: list[tuple[LedgerItem, ImportRow]] = []

    def flush() -> None:
        session.add_all([item for item, _ in batch])
        session.flush()
        for item, row in batch:
            after = {
                **(snapshot(item) or {}),
                "import": {**source, "sheet": row.sheet, "row": row.row},
            }
            record(session, stamp, IMPORTED, "ledgeritem", item.id, None, after)
        batch.clear()

    for row in (e for e in events if isinstance(e, ImportRow)):
        given = item_columns(row.values, spec)
        if row.is_new:
            seq += 1
            item = new_item(unit, seq, ItemColumns(extra=given.extra), stamp)
            set_columns(item, given)  # a column the workbook lacks is left at its default
            batch.append((item, row))
            saved.new += 1
            if len(batch) >= IMPORT_BATCH:
                flush()
        elif row.changed:
            _change(session, row, given, stamp, source)
            saved.changed += 1
    if batch:
        flush()
    return saved


def _change(
    session: Session, row: ImportRow, given: ItemColumns, stamp: Stamp, source: dict[str, Any]
) -> None:
    item = session.get(LedgerItem, row.item_id, with_for_update=True)
    if item is None or item.version != row.version:
        raise Stale(row.code)
    before = snapshot(item)
    set_columns(item, given)
    if given.extra:
        item.fields = {**item.fields, **given.extra}
    item.version += 1
    item.updated_at = stamp.at
    session.add(item)
    session.flush()
    after = {**(snapshot(item) or {}), "import": {**source, "sheet": row.sheet, "row": row.row}}
    record(session, stamp, UPDATED, "ledgeritem", item.id, before, after)


def import_history(session: Session, item_id: int) -> Iterator[tuple[datetime, int | None, str]]:
    """When an item was imported or changed by an import, by whom, from which file."""
    stmt = select(AuditEvent).where(
        AuditEvent.entity == "ledgeritem",
        AuditEvent.entity_id == item_id,
        col(AuditEvent.action).in_((IMPORTED, UPDATED)),
    )
    for event in session.exec(stmt.order_by(col(AuditEvent.at), col(AuditEvent.id))):
        source = (event.after or {}).get("import", {})
        yield event.at, event.actor_user_id, str(source.get("file", ""))


def import_book(
    session: Session,
    unit: Unit,
    target: LedgerTarget,
    sheets: list[Sheet],
    stamp: Stamp,
    source: dict[str, Any],
    expected: tuple[int, int],
) -> Saved:
    """Read the workbook again and save it, if it still does what its preview said it would.

    `expected` is the preview's (new, changed); anything else (a problem, an item changed by
    someone meanwhile) raises `Stale`, and the caller's unit of work rolls back.
    """
    counted = Tally()
    # read whole before the first write (the rows are capped, MAX_ROWS): SQLite's write lock
    # is then held for the writing alone, and a file that differs from its preview writes nothing
    events = list(read_book(sheets, target, known_items(session, saved_id(unit), target.spec)))
    for event in events:
        counted.add(event)
    if counted.problems or (counted.new, counted.changed) != expected:
        raise Stale(unit.name)
    return save_rows(session, unit, target.spec, events, stamp, source)
