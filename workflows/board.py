"""The supervisors' board (督办看板): every unit's standing, the units behind plan first.

A unit's standing is what /summary counts for it (its problems open, closed and overdue, this
week's report, its forwarded cases) and how many working days its most overdue case is late.
Which unit comes first is a rule of the campaign's supervisors, so it lives here: the most
problems past their 办结时间 first, then a week not reported (missing before late), then
overdue cases and how late they are, then the most problems still open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from workflows.calendar import WorkCalendar
from workflows.cases import overdue_working_days
from workflows.summary import UnitSummary

WEEKLY_RANK = {"missing": 0, "late": 1, "on_time": 2}  # a week not reported weighs most


@dataclass(frozen=True)
class Standing:
    """One unit on the board: its summary, and its most overdue case's working days late."""

    unit_id: int
    summary: UnitSummary
    case_days: int = 0  # 0: no case past its time limit

    @property
    def open(self) -> int:
        """Problems not closed out (those awaiting a close-out decision included)."""
        return self.summary.ledger.total - self.summary.ledger.closed

    @property
    def behind(self) -> bool:
        """Whether anything of the unit is late: a problem, this week's report, a case."""
        s = self.summary
        return bool(s.ledger.overdue or s.cases.overdue) or s.weekly != "on_time"


def case_days_by_unit(
    cases: Iterable[tuple[str, datetime]], now: datetime, cal: WorkCalendar, tz: tzinfo
) -> dict[str, int]:
    """Per unit name: the working days its most overdue open case is late."""
    out: dict[str, int] = {}
    for unit, due_at in cases:
        out[unit] = max(out.get(unit, 0), overdue_working_days(due_at, now, cal, tz))
    return out


def behind_first(rows: Sequence[Standing]) -> list[Standing]:
    """The board's order: the units furthest behind first, the others as the campaign lists
    them."""
    order = {id(r): i for i, r in enumerate(rows)}

    def weight(r: Standing) -> tuple[int, ...]:
        s = r.summary
        return (
            -s.ledger.overdue,
            WEEKLY_RANK.get(s.weekly, 0),
            -s.cases.overdue,
            -r.case_days,
            -r.open,
            order[id(r)],
        )

    return sorted(rows, key=weight)
