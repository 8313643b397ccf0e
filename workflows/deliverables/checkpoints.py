"""Checkpoints (考核时间节点): the days at which units behind plan are interviewed (约谈).

Seed 003: 对2024年底、2025年6月、2025年底三个时间点未按计划完成整改的县（市、区）进行约谈问责.
A unit is behind at a checkpoint when one of its problems is past its 办结时间 and not closed
out (销号) by the end of that day; the problems are the 约谈名单's evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as the campaign file writes it (`2024年底`), its day, and what is checked."""

    text: str
    day: date  # the last day it covers: `2025年6月` is 30 June 2025
    check: str = ""


@dataclass(frozen=True)
class CheckedItem:
    """What the rule reads of a ledger item: its unit, 办结时间, status, and when it closed."""

    unit: str
    code: str
    name: str
    due_on: date | None
    status: str  # open, closing, closed, paused
    closed_on: date | None = None  # local day it was closed out, if it was


@dataclass(frozen=True)
class UnitBehind:
    """A unit on the 约谈名单 and its problems past their 办结时间, oldest due first."""

    unit: str
    items: tuple[CheckedItem, ...]


def behind_on(item: CheckedItem, cutoff: date) -> bool:
    """Whether `item` is past its 办结时间 before `cutoff` and not closed out before it."""
    if item.due_on is None or item.due_on >= cutoff:
        return False
    if item.status != "closed":
        return True
    return item.closed_on is not None and item.closed_on >= cutoff


def interview_list(
    items: Iterable[CheckedItem], at: Checkpoint, *, today: date | None = None
) -> list[UnitBehind]:
    """The 约谈名单 at `at`: units with problems past their 办结时间 and not 销号 by the end
    of its day, most problems first. With `today` before the checkpoint, the list as it stands
    today (what is already behind; the unit can still close it before the day)."""
    cutoff = at.day + timedelta(days=1)
    if today is not None and today < cutoff:
        cutoff = today
    by_unit: defaultdict[str, list[CheckedItem]] = defaultdict(list)
    order: dict[str, int] = {}
    for item in items:
        order.setdefault(item.unit, len(order))
        if behind_on(item, cutoff):
            by_unit[item.unit].append(item)
    out = [
        UnitBehind(unit, tuple(sorted(found, key=lambda i: (i.due_on or date.min, i.code))))
        for unit, found in by_unit.items()
    ]
    return sorted(out, key=lambda u: (-len(u.items), order[u.unit]))


def next_checkpoint(checkpoints: Sequence[Checkpoint], today: date) -> Checkpoint | None:
    """The first checkpoint whose day is not over by `today` (its own day included)."""
    coming = [c for c in checkpoints if c.day >= today]
    return min(coming, key=lambda c: c.day) if coming else None


def reached(checkpoints: Sequence[Checkpoint], today: date) -> list[Checkpoint]:
    """The checkpoints whose day is over by `today`, earliest first (a list is due for each)."""
    return sorted((c for c in checkpoints if c.day < today), key=lambda c: c.day)
