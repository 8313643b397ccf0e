"""The campaign summary: figures per unit, and how they read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from workflows.campaign import RecurringSpec
from workflows.messages import Lines, Msg, msg
from workflows.supervision.standing import DUE
from workflows.week.periods import WEEK, CampaignSpan, first_on_or_after, reporting_day


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
    weekly: str  # this week's report by the standing rule: on_time, late, due, missing, none
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
            "summary.weekly_header_due"
            if any(r.weekly == DUE for r in rows)
            else "summary.weekly_header",
            name=weekly_name,
            on_time=sum(r.weekly == "on_time" for r in rows),
            late=sum(r.weekly == "late" for r in rows),
            missing=sum(r.weekly == "missing" for r in rows),
            due=sum(r.weekly == DUE for r in rows),
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


@dataclass(frozen=True)
class UnitBar:
    """One unit's bar in the chart: its problems overdue, still being rectified, closed out."""

    name: str
    overdue: int
    open: int  # 整改中: neither closed out nor overdue (awaiting close-out included)
    closed: int


CHART_UNITS = 30  # bars a chart shows; more would not read on a phone or a printed page


def problem_bars(
    rows: Sequence[UnitSummary], limit: int = CHART_UNITS
) -> tuple[list[UnitBar], int]:
    """The units' bars, most overdue first (then most still open, then the campaign's order);
    the first `limit`, and how many units were left out."""
    bars = [
        UnitBar(
            r.name,
            r.ledger.overdue,
            r.ledger.total - r.ledger.closed - r.ledger.overdue,
            r.ledger.closed,
        )
        for r in rows
    ]
    ranked = sorted(enumerate(bars), key=lambda ib: (-ib[1].overdue, -ib[1].open, ib[0]))
    return [b for _, b in ranked[:limit]], max(0, len(bars) - limit)


@dataclass(frozen=True)
class WeekShare:
    """One week's report across the units: how many sent it on time, late, and of how many."""

    day: date  # the reporting day
    on_time: int
    late: int
    units: int

    @property
    def share(self) -> float:
        """The share of units that reported on time (0 when there are no units)."""
        return self.on_time / self.units if self.units else 0.0


def report_weeks(
    report: RecurringSpec,
    *,
    since: date,
    span: CampaignSpan,
    now: datetime,
    tz: tzinfo,
) -> list[date]:
    """The reporting days whose deadline has passed, from the campaign's start (or `since`,
    the day the campaign was loaded into the bot, if later) to now or the campaign's end."""
    start = max(since, span.starts_on) if span.starts_on else since
    first = first_on_or_after(start, report.weekday)
    last = reporting_day(report.weekday, now, tz)
    if datetime.combine(last, report.at, tzinfo=tz) > now:
        last -= WEEK
    if span.ends_at is not None:
        last = min(last, reporting_day(report.weekday, span.ends_at - timedelta(seconds=1), tz))
    return [first + WEEK * n for n in range(max(0, (last - first).days // 7 + 1))]


def on_time_weeks(
    days: Sequence[date], counts: Mapping[date, tuple[int, int]], units: int
) -> list[WeekShare]:
    """Week by week: the units' reports on time and late (`counts`: day → (on time, late))."""
    return [WeekShare(d, *counts.get(d, (0, 0)), units) for d in days]
