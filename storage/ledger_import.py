"""A ledger workbook saved into a unit's items: new ones numbered on, changed ones versioned.

The workbook is read whole first (its rows are capped), then written a batch at a time, each
batch in a unit of work of its own that also notes how far the import got
(`workflows.problems.ledger_import.ImportProgress`, kept in the upload's state): SQLite's write lock
is held for one batch, not for the whole file, and an import cut short (a process killed) goes on
from its last batch when confirmed again, adding nothing twice. Every item's audit trail
records the import, the file, its sheet and row, and who did it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage import campaigns, uploads
from storage.audit import Stamp, record, snapshot
from storage.ledger import new_item, set_columns
from storage.models import AuditEvent, Campaign, LedgerItem, Unit, WorkbookUpload, saved_id
from workflows.json_types import JSONObject, JSONValue, json_object
from workflows.problems.ledger import (
    ITEM_COLUMNS,
    SOURCE_FIELD,
    ItemColumns,
    LedgerSpec,
    item_columns,
)
from workflows.problems.ledger_import import (
    Event,
    ImportProgress,
    ImportRow,
    Known,
    KnownItems,
    LedgerTarget,
    batch_end,
)

FLUSH = 500  # new items added to the session at a time
IDLE = timedelta(seconds=90)  # a save not heard from for this long has died: another may go on
IMPORTED, UPDATED = "item.import", "item.import_update"


class Stale(Exception):
    """An item changed between the preview and the save."""


def known_items(
    session: Session, unit_id: int, spec: LedgerSpec, leave_out: Collection[int] = ()
) -> KnownItems:
    """The unit's items as the reader compares rows with them (but those `leave_out`: the
    items an import cut short had added)."""
    fields = (*spec.fields, SOURCE_FIELD)
    out = []
    left = set(leave_out)
    for item in session.exec(select(LedgerItem).where(LedgerItem.unit_id == unit_id)):
        if item.id in left:
            continue
        values: JSONObject = {}
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
    made: list[int] = field(default_factory=list)  # the new items' ids


def save_rows(
    session: Session,
    unit: Unit,
    spec: LedgerSpec,
    events: Iterable[Event],
    stamp: Stamp,
    source: Mapping[str, JSONValue],
) -> Saved:
    """Add the new items and change the matched ones; `source` names the file and the person."""
    seq = session.exec(select(func.max(LedgerItem.seq)).where(LedgerItem.unit_id == unit.id)).one()
    seq = seq or 0
    saved = Saved()
    batch: list[tuple[LedgerItem, ImportRow]] = []

    def flush() -> None:
        session.add_all([item for item, _ in batch])
        session.flush()
        saved.made += [saved_id(item) for item, _ in batch]
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
            if len(batch) >= FLUSH:
                flush()
        elif row.changed:
            _change(session, row, given, stamp, source)
            saved.changed += 1
    if batch:
        flush()
    return saved


def _change(
    session: Session,
    row: ImportRow,
    given: ItemColumns,
    stamp: Stamp,
    source: Mapping[str, JSONValue],
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
        source = json_object((event.after or {}).get("import", {}))
        yield event.at, event.actor_user_id, str(source.get("file", ""))


def claim_import(
    session: Session, row: WorkbookUpload, runner: str, at: datetime, *, force: bool = False
) -> bool:
    """Let `runner` save a confirmed upload: one waiting, or one whose save died (not heard
    from for IDLE, or `force`: the console's own, run again); False while another save is at
    work on it."""
    busy = row.status == uploads.SAVING and bool(row.state.get("runner"))
    if busy and not force and at - row.updated_at < IDLE:
        return False
    uploads.update_upload(
        session, row, at, state={**row.state, "runner": runner}, status=uploads.SAVING
    )
    return True


def dead_saves(session: Session, at: datetime) -> list[WorkbookUpload]:
    """Confirmed imports in a chat whose save has not been heard from for IDLE: their process
    died (the console's own go on when it is run again)."""
    stmt = select(WorkbookUpload).where(
        WorkbookUpload.kind == "ledger",
        WorkbookUpload.status == uploads.SAVING,
        WorkbookUpload.chat_id != uploads.CONSOLE,
        col(WorkbookUpload.updated_at) < at - IDLE,
    )
    return list(session.exec(stmt.order_by(col(WorkbookUpload.id))))


def _hold(session: Session, upload_id: int, at: datetime) -> WorkbookUpload | None:
    """The upload, written first (so SQLite's write lock and PostgreSQL's row lock are taken
    before it is read): two saves of one upload go one after the other, never side by side."""
    stmt = update(WorkbookUpload).where(col(WorkbookUpload.id) == upload_id).values(updated_at=at)
    session.exec(stmt)
    return session.get(WorkbookUpload, upload_id, populate_existing=True, with_for_update=True)


def import_progress(session: Session, upload_id: int, runner: str) -> ImportProgress | None:
    """How far this runner's import got, or None if the upload is no longer its to save."""
    row = session.get(WorkbookUpload, upload_id)
    if row is None or row.status != uploads.SAVING or row.state.get("runner") != runner:
        return None
    return ImportProgress.of(row.state)


def save_batch(
    session: Session,
    upload_id: int,
    runner: str,
    rows: Sequence[ImportRow],
    stamp: Stamp,
    source: Mapping[str, JSONValue],
) -> ImportProgress | None:
    """Save the next batch of a confirmed import and note how far it got, in the caller's unit
    of work; the last batch marks the upload saved. None: the upload is not this runner's."""
    row = _hold(session, upload_id, stamp.at)
    if row is None or row.status != uploads.SAVING or row.state.get("runner") != runner:
        return None
    unit = session.get(Unit, row.unit_id)
    camp = session.get(Campaign, unit.campaign_id) if unit is not None else None
    if unit is None or camp is None:
        raise Stale(row.file_name)
    progress = ImportProgress.of(row.state)
    end = batch_end(rows, progress.done)
    part = rows[progress.done : end]
    saved = save_rows(session, unit, campaigns.ledger_spec(camp), part, stamp, source)
    progress = progress.after(end, rows, saved.made)
    done = uploads.SAVED if end >= len(rows) else None
    state = {**row.state, "progress": progress.kept()}
    uploads.update_upload(session, row, stamp.at, state=state, status=done)
    return progress
