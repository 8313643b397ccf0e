"""The supervisors' board (督办看板): every unit's standing, the units behind plan first.

A unit's standing is what /summary counts for it (its problems open, closed and overdue, this
week's report, its forwarded cases), how many working days its most overdue case is late, and
its colour by the one rule of `workflows/supervision/standing.py`. Which unit comes first is a rule
of the campaign's supervisors, so it lives here: red before yellow before green; then the most
problems past their 办结时间, then a week not reported (missing, then not yet due, then late),
then overdue cases and how late they are, then the most problems still open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.casework.cases import overdue_working_days
from workflows.documents.summary import UnitSummary
from workflows.supervision.colours import COLOURS
from workflows.supervision.standing import (
    DUE,
    LATE,
    MISSING,
    NO_REPORT,
    NOTHING_DUE,
    ON_TRACK,
    UnitFacts,
    Verdict,
    standing,
)

# a week not reported after its deadline weighs most, one not yet due next
WEEKLY_RANK = {MISSING: 0, DUE: 1, LATE: 2}


@dataclass(frozen=True)
class Standing:
    """One unit on the board: its summary, and its most overdue case's working days late."""

    unit_id: int
    summary: UnitSummary
    case_days: int = 0  # 0: no case past its time limit
    report: str = NO_REPORT  # this week's report against its deadline (standing.report_state)
    facts: UnitFacts = NOTHING_DUE
    verdict: Verdict = ON_TRACK

    @property
    def open(self) -> int:
        """Problems not closed out (those awaiting a close-out decision included)."""
        return self.summary.ledger.total - self.summary.ledger.closed

    @property
    def behind(self) -> bool:
        """Whether anything of the unit is late (red): a problem, this week's report, a case."""
        return self.verdict.colour == COLOURS[0]


def unit_standing(
    unit_id: int,
    summary: UnitSummary,
    *,
    report: str,
    case_days: int = 0,
    problems_due_soon: int = 0,
    cases_due_today: int = 0,
) -> Standing:
    """A unit on the board with its colour, by the standing rule."""
    facts = UnitFacts(
        problems_overdue=summary.ledger.overdue,
        problems_due_soon=problems_due_soon,
        report=report,
        cases_overdue=summary.cases.overdue,
        cases_due_today=cases_due_today,
    )
    return Standing(unit_id, summary, case_days, report, facts, standing(facts))


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
            COLOURS.index(r.verdict.colour),
            -s.ledger.overdue,
            WEEKLY_RANK.get(r.report, len(WEEKLY_RANK)),
            -s.cases.overdue,
            -r.case_days,
            -r.open,
            order[id(r)],
        )

    return sorted(rows, key=weight)
