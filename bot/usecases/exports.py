"""The campaign's workbook (台账导出), one use case for every door: /export in the chat, the
board's download, the console's `taizhang export` and the demo's outputs all write it here,
so that each gives the same workbook, named the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from sqlmodel import Session

from storage.export import write_workbook
from storage.models import Campaign, Unit, saved_id
from workflows.messages import Say, msg


@dataclass(frozen=True)
class Exported:
    """A workbook written: how many ledger and progress rows it holds, and the name a person
    downloads it by (its scope and day: 尉犁县问题整改台账_2024-03-04.xlsx)."""

    rows: int
    name: str


def export_name(camp: Campaign, say: Say, now: datetime, unit: Unit | None = None) -> str:
    """The workbook's file name: the unit's or the campaign's, and the campaign's day."""
    day = now.astimezone(ZoneInfo(camp.timezone)).date().isoformat()
    return say(msg("standing.file.export", scope=unit.name if unit else camp.name, date=day))


def export_workbook(
    session: Session,
    camp: Campaign,
    out: str | IO[bytes],
    say: Say,
    *,
    now: datetime,
    unit: Unit | None = None,
) -> Exported:
    """Write the campaign's workbook (or `unit`'s part of it) to a path or a stream, its words
    said by `say` (the documents' language)."""
    only = saved_id(unit) if unit is not None else None
    rows = write_workbook(session, camp, out, say, unit_id=only)
    return Exported(rows, export_name(camp, say, now, unit))
