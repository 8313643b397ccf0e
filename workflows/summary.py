"""The campaign summary: figures per unit, and how they read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from workflows.campaign import RecurringSpec
from workflows.messages import Lines, Msg, msg
from workflows.periods import reporting_day


@dataclass(frozen=True)
class SummaryWeek:
    """The weekly report a summary reads out (the campaign's first), and its week's start."""

    report: str
    starts_on: date


def summary_week(reports: Sequence[RecurringSpec], now: datetime, tz: tzinfo) -> SummaryWeek:
    """Which weekly report the summary counts, and the reporting day of this week it began."""
    first = reports[0] if reports else None
    name = first.name if first else ""
    return SummaryWeek(name, reporting_day(first.weekday if first else 0, now, tz))


@dataclass(frozen=True)
class LedgerFigures:
    """A unit's ledger: items in all, closed out, awaiting close-out, overdue."""

    total: int = 0
    closed: int = 0
    closing: int = 0
    overdue: int = 0

    @property
    def rate(self) -> float:
        """销号率: the share of items closed out (0 when there are none)."""
        return self.closed / self.total if self.total else 0.0


@dataclass
class CaseFigures:
    """A unit's forwarded cases."""

    answered: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class UnitSummary:
    """Everything /summary says about one unit."""

    name: str
    ledger: LedgerFigures
    weekly: str  # on_time, late, missing
    cases: CaseFigures


def percent(part: int, whole: int) -> str:
    """`67%`, or `—` when there is nothing to divide."""
    return f"{round(100 * part / whole)}%" if whole else "—"


def summary_message(
    campaign: str,
    rows: Sequence[UnitSummary],
    weekly_name: str,
    missing: Sequence[tuple[str, object, Sequence[str]]],
) -> Msg:
    """The whole campaign in one message (split into pages by the adapter when long)."""
    total = LedgerFigures(
        sum(r.ledger.total for r in rows),
        sum(r.ledger.closed for r in rows),
        sum(r.ledger.closing for r in rows),
        sum(r.ledger.overdue for r in rows),
    )
    answered = sum(r.cases.answered for r in rows)
    on_time = sum(r.cases.on_time for r in rows)
    out: list[Msg | str] = [
        msg("summary.header", campaign=campaign),
        msg(
            "summary.totals",
            total=total.total,
            closed=total.closed,
            rate=percent(total.closed, total.total),
            overdue=total.overdue,
            answered=answered,
            on_time=percent(on_time, answered),
            cases_overdue=sum(r.cases.overdue for r in rows),
        ),
        msg(
            "summary.weekly_header",
            name=weekly_name,
            on_time=sum(r.weekly == "on_time" for r in rows),
            late=sum(r.weekly == "late" for r in rows),
            missing=sum(r.weekly == "missing" for r in rows),
        ),
    ]
    for r in rows:
        out.append(
            msg(
                "summary.unit",
                unit=r.name,
                total=r.ledger.total,
                closed=r.ledger.closed,
                rate=percent(r.ledger.closed, r.ledger.total),
                overdue=r.ledger.overdue,
                weekly=msg(f"summary.weekly.{r.weekly}"),
                cases=msg(
                    "summary.cases",
                    answered=r.cases.answered,
                    on_time=percent(r.cases.on_time, r.cases.answered),
                    overdue=r.cases.overdue,
                ),
            )
        )
    for deliverable, due, units in missing:
        out.append(msg("summary.missing", deliverable=deliverable, due=due, units=list(units)))
    return msg("lines", body=Lines(out))


def week_message(campaign: str, changes: Mapping[str, int]) -> Msg:
    """What changed this week."""
    return msg("summary.week", campaign=campaign, **changes)
