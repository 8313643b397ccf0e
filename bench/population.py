"""Filling a benchmark's database fast: one campaign and its units, by bulk INSERTs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from storage.models import Campaign, Unit
from workflows.words import name_key


def unit_name(i: int, digits: int) -> str:
    """The i-th unit's name, as the benchmarks number them."""
    return f"单位{i:0{digits}d}"


def campaign_with_units(
    conn: Connection, name: str, units: int, at: datetime, digits: int = 4, **fields: Any
) -> None:
    """Campaign 1 with units 1…`units`; `fields` override the campaign's defaults."""
    values: dict[str, Any] = {
        "name": name,
        "year": 2026,
        "timezone": "Asia/Shanghai",
        "reminders": [],
        "weekly_reports": [],
        "feedback_working_days": 2,
        "feedback_cutoff": "18:00",
        "feedback_rules": {},
        "categories": [],
        "ledger": {},
        "default_due_time": "18:00",
        "active": True,
        "loaded_at": at,
        "updated_at": at,
    }
    conn.execute(insert(Campaign).values(**(values | fields)))
    conn.execute(
        insert(Unit),
        [
            {
                "campaign_id": 1,
                "name": unit_name(i, digits),
                "name_key": name_key(unit_name(i, digits)),
                "position": i,
                "active": True,
            }
            for i in range(units)
        ],
    )
