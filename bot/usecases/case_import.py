"""`taizhang cases import FILE`: the registration ledger of seed 003's annex 3: every row read
first (one bad row and nothing is imported), then saved a batch at a time."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.cases import case_card, posted_notices
from storage import campaigns, chats
from storage import cases as store
from storage.audit import Stamp
from storage.calendar import work_calendar
from storage.db import Database
from storage.models import saved_id
from workflows.calendar.working_days import feedback_due
from workflows.casework.case_import import TEXT, ImportedCase, ImportReading, read_case_rows
from workflows.casework.cases import ANSWERED, CaseChange
from workflows.guards import required
from workflows.planner import Planned
from workflows.problems.ledger_import import BATCH

# puts planned posts in the outbox in a unit of work: (session, planned, zone, now) -> count
Deliver = Callable[[Session, list[Planned], ZoneInfo, datetime], int]


def sheet_rows(path: Path) -> tuple[list[dict[str, object]], int]:
    """The rows under the header (the row that has 问题内容简要), and the first one's number."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            grid: list[list[object]] = [list(r) for r in csv.reader(fh)]
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    for i, row in enumerate(grid):
        if any(str(c or "").strip() == TEXT for c in row):
            header = [str(c or "").strip() for c in row]
            above = grid[i - 1] if i else []
            for j, name in enumerate(header):  # merged cells (序号, 备注) sit in the row above
                if not name and j < len(above) and str(above[j] or "").strip():
                    header[j] = str(above[j]).strip()
            rows = [dict(zip(header, r, strict=False)) for r in grid[i + 1 :]]
            return rows, i + 2
    return [], 1


def import_cases(
    db: Database,
    clock: Callable[[], datetime],
    deliver: Deliver,
    path: Path,
    unit: str | None,
) -> tuple[int, ImportReading]:
    """Read the whole file; if every row reads, record and post the cases a batch at a time.

    Each batch is a transaction of its own (the bot's turns get the database between them),
    and each case keeps the file's fingerprint and its row: the same file imported again
    after a cut-short run records only the rows not saved yet, nothing twice. `deliver` puts
    a batch's posts in the outbox, in the batch's unit of work.
    """
    rows, first = sheet_rows(path)
    fingerprint = hashlib.sha256(path.read_bytes()).hexdigest()
    with db.unit_of_work() as session:
        camp = campaigns.active_campaign(session)
        if camp is None:
            raise LookupError("no campaign")
        units = {u.name: saved_id(u) for u in campaigns.units_of(session, saved_id(camp))}
        reading = read_case_rows(rows, units=list(units), default_unit=unit, first_row=first)
        if reading.refused or not reading.cases:
            return 0, reading
        saved = store.imported_rows(session, list(units.values()), fingerprint)
    left = [row for row in reading.cases if row.row not in saved]
    for at in range(0, len(left), BATCH):
        with db.unit_of_work() as session:
            _save_cases(clock(), deliver, session, left[at : at + BATCH], units, fingerprint)
    return len(reading.cases), reading


def _save_cases(
    now: datetime,
    deliver: Deliver,
    session: Session,
    rows: list[ImportedCase],
    units: dict[str, int],
    fingerprint: str,
) -> None:
    """One batch of read rows recorded as cases, and the new ones posted to their units."""
    camp = required(campaigns.active_campaign(session), "the active campaign")
    tz = ZoneInfo(camp.timezone)
    cal = work_calendar(session)
    rules = campaigns.case_rules(camp)
    stamp = Stamp(now)
    posts = []
    for row in rows:
        received = row.received.replace(tzinfo=tz)
        due = feedback_due(
            received, working_days=rules.working_days, cutoff=rules.cutoff, cal=cal, tz=tz
        )
        case = store.create_case(
            session,
            unit_id=units[row.unit],
            text=row.text,
            reference=row.reference,
            received_at=received,
            due_at=due,
            stamp=stamp,
            fields={**row.fields, "imported_row": row.row, store.IMPORTED_FROM: fingerprint},
        )
        if row.answered:
            answered = CaseChange(status=ANSWERED, answered_at=now)
            store.update_case(session, case, answered, "case.answered", stamp)
            continue
        groups = [c.chat_id for c in chats.chats_of_unit(session, units[row.unit])]
        card = case_card(session, case, rules, now, cal, tz)  # overdue already, it says so
        posts += posted_notices(case, card, groups, now)
    deliver(session, posts, tz, now)
