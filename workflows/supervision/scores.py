"""Scores and rankings (评分 / 排名): the one rule, written here and in README, and nowhere else.

A unit's score for a period (a week, a month or a quarter) is a weighted share, out of 100, of
four things it had to do in that period, each counted only once its time has come:

- **reports** — weekly reports whose deadline fell in the period: the share sent on time;
- **problems** — problems whose 办结时间 fell in the period: the share closed out by it (the
  checkpoints' rule, `behind_on`, at the end of the 办结时间's day);
- **closed** — 销号率: problems whose 办结时间 has come by the period's end: the share closed out;
- **cases** — forwarded cases whose time limit fell in the period: the share answered in time.

A part with nothing due drops out and the others' weights share the 100; a unit with nothing
due at all in the period gets no score (暂不排名), never a zero: nothing is ranked on days a
unit could not act (before anything was due; a report whose day is not a working day is not
counted). Bands: 绿 from `green`, 黄 from `yellow`, 红 below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.deliverables.checkpoints import CheckedItem, behind_on
from workflows.json_read import mapping_of, need_int
from workflows.json_types import JSONValue
from workflows.supervision.colours import GREEN, RED, YELLOW
from workflows.week.periods import first_on_or_after

PARTS = ("reports", "problems", "closed", "cases")
DEFAULT_WEIGHTS: dict[str, int] = {"reports": 30, "problems": 30, "closed": 20, "cases": 20}
DEFAULT_GREEN, DEFAULT_YELLOW = 90, 75
WEEK, MONTH, QUARTER = "week", "month", "quarter"
PERIODS = (WEEK, MONTH, QUARTER)


# seed 003's 月调度季通报: `/summary 月调度`, `/summary 季通报`, or `/summary 通报 月|季`
CADENCE_WORDS = {
    "月调度": MONTH,
    "月": MONTH,
    "month": MONTH,
    "monthly": MONTH,
    "季通报": QUARTER,
    "季": QUARTER,
    "季度": QUARTER,
    "quarter": QUARTER,
    "quarterly": QUARTER,
}


def circular_cadence(args: list[str], circular_words: set[str]) -> str | None:
    """Which circular `/summary …` asks for (week, month, quarter), or None for another view."""
    words = [a.lower() for a in args]
    if words and words[0] in circular_words:
        return CADENCE_WORDS.get(words[1], WEEK) if len(words) > 1 else WEEK
    if words and words[0] in ("月调度", "季通报", "monthly", "quarterly"):
        return CADENCE_WORDS[words[0]]
    return None


@dataclass(frozen=True)
class ScoreRule:
    """The campaign's `scores:` section: each part's weight, and the bands' lower bounds."""

    weights: tuple[tuple[str, int], ...] = tuple(DEFAULT_WEIGHTS.items())
    green: int = DEFAULT_GREEN
    yellow: int = DEFAULT_YELLOW

    def to_json(self) -> dict[str, JSONValue]:
        """As stored with the campaign."""
        weights: dict[str, JSONValue] = {p: w for p, w in self.weights}
        return {"weights": weights, "green": self.green, "yellow": self.yellow}


def rule_from(data: Mapping[str, object] | None) -> ScoreRule:
    """The rule as stored (or as a campaign file writes it, once checked); default if absent."""
    if not data:
        return ScoreRule()
    weights: dict[str, object] = {**DEFAULT_WEIGHTS, **mapping_of(data.get("weights") or {})}
    return ScoreRule(
        tuple((p, need_int(weights[p])) for p in PARTS),
        need_int(data.get("green", DEFAULT_GREEN)),
        need_int(data.get("yellow", DEFAULT_YELLOW)),
    )


def rule_problems(data: object) -> list[tuple[str, str]]:
    """What is wrong with a campaign file's `scores:` section: (path, the bad value) pairs."""
    if data is None:
        return []
    if not isinstance(data, Mapping):
        return [("scores", str(data))]
    out = []
    weights = data.get("weights") or {}
    if not isinstance(weights, Mapping):
        return [("scores.weights", str(weights))]
    for key, value in weights.items():
        if key not in PARTS or not isinstance(value, int) or not 0 <= value <= 100:
            out.append((f"scores.weights.{key}", str(value)))
    for key, default in (("green", DEFAULT_GREEN), ("yellow", DEFAULT_YELLOW)):
        value = data.get(key, default)
        if not isinstance(value, int) or not 0 <= value <= 100:
            out.append((f"scores.{key}", str(value)))
    if not out and int(data.get("yellow", DEFAULT_YELLOW)) > int(data.get("green", DEFAULT_GREEN)):
        out.append(("scores.yellow", str(data.get("yellow"))))
    return out


@dataclass(frozen=True)
class Period:
    """A scored period: its kind and its days [start, end)."""

    kind: str
    start: date
    end: date


def period_of(kind: str, day: date) -> Period:
    """The week (Monday first), month or quarter that holds `day`."""
    if kind == WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=7))
    first_month = day.month if kind == MONTH else 3 * ((day.month - 1) // 3) + 1
    months = 1 if kind == MONTH else 3
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return Period(kind, start, end)


def last_complete(kind: str, today: date) -> Period:
    """The last period of this kind that is over by `today` (the one a 通报 reports on)."""
    return period_of(kind, period_of(kind, today).start - timedelta(days=1))


@dataclass(frozen=True)
class UnitRecord:
    """What a unit had to do in a period (due) and what it did (done), per part."""

    reports_due: int = 0
    reports_on_time: int = 0
    problems_due: int = 0
    problems_in_time: int = 0
    closed_due: int = 0
    closed: int = 0
    cases_due: int = 0
    cases_in_time: int = 0

    def parts(self) -> dict[str, tuple[int, int]]:
        """Per part: (done, due)."""
        return {
            "reports": (self.reports_on_time, self.reports_due),
            "problems": (self.problems_in_time, self.problems_due),
            "closed": (self.closed, self.closed_due),
            "cases": (self.cases_in_time, self.cases_due),
        }


def report_deadlines(
    period: Period, weekday: int, at: time, tz: tzinfo, *, starts_on: date | None = None
) -> list[datetime]:
    """The weekly report's deadlines in the period, none before the campaign starts."""
    first = first_on_or_after(max(period.start, starts_on or period.start), weekday)
    days = (first + timedelta(days=7 * i) for i in range(14))  # a quarter holds at most 14 weeks
    return [datetime.combine(d, at, tzinfo=tz) for d in days if d < period.end]


def unit_record(
    period: Period,
    now: datetime,
    tz: tzinfo,
    cal: WorkCalendar,
    *,
    reports: Iterable[tuple[datetime, bool | None]] = (),
    problems: Iterable[CheckedItem] = (),
    cases: Iterable[tuple[datetime, datetime | None]] = (),
) -> UnitRecord:
    """Count a unit's period: `reports` are (deadline, sent on time; None: not sent), `problems`
    the unit's items, `cases` (time limit, answered at). Only what fell due by `now` counts."""
    today = now.astimezone(tz).date()
    cutoff = min(period.end, today)  # a day counts once it is over (as the checkpoints do)

    def in_period(at: datetime) -> bool:
        day = at.astimezone(tz).date()
        return period.start <= day < period.end and at <= now

    sent = [
        on_time is True
        for deadline, on_time in reports
        if in_period(deadline) and cal.is_workday(deadline.astimezone(tz).date())
    ]
    items = list(problems)
    this_period = [i for i in items if i.due_on is not None and period.start <= i.due_on < cutoff]
    come = [i for i in items if i.due_on is not None and i.due_on < cutoff]
    answered = [
        answered_at is not None and answered_at <= due_at
        for due_at, answered_at in cases
        if in_period(due_at)
    ]
    return UnitRecord(
        reports_due=len(sent),
        reports_on_time=sum(sent),
        problems_due=len(this_period),
        problems_in_time=sum(not behind_on(i, _day_after(i.due_on)) for i in this_period),
        closed_due=len(come),
        closed=sum(_closed_by(i, cutoff) for i in come),
        cases_due=len(answered),
        cases_in_time=sum(answered),
    )


def _day_after(day: date | None) -> date:
    """The end of a 办结时间's day: closed out before it is closed out in time."""
    return (day or date.min) + timedelta(days=1)


def _closed_by(item: CheckedItem, cutoff: date) -> bool:
    """Whether the item was closed out before `cutoff` (an old one with no day: closed)."""
    return item.status == "closed" and (item.closed_on is None or item.closed_on < cutoff)


def score(record: UnitRecord, rule: ScoreRule) -> float | None:
    """The unit's score out of 100, one decimal; None when nothing was due (暂不排名)."""
    weights = dict(rule.weights)
    shares = [
        (weights[part], done / due)
        for part, (done, due) in record.parts().items()
        if due and weights[part]
    ]
    total = sum(w for w, _ in shares)
    if not total:
        return None
    return round(100 * sum(w * s for w, s in shares) / total, 1)


def band(value: float, rule: ScoreRule) -> str:
    """The score's colour: 绿 from `green`, 黄 from `yellow`, 红 below."""
    return GREEN if value >= rule.green else YELLOW if value >= rule.yellow else RED


@dataclass(frozen=True)
class Ranked:
    """A unit in the ranking: its place (None: 暂不排名), score and colour."""

    unit: str
    rank: int | None
    score: float | None
    colour: str | None
    record: UnitRecord


def ranking(records: Sequence[tuple[str, UnitRecord]], rule: ScoreRule) -> list[Ranked]:
    """Units best first; equal scores share a place (1, 2, 2, 4); units with no score last, in
    the campaign's order."""
    scored = [(unit, rec, score(rec, rule)) for unit, rec in records]
    ranked = sorted(
        ((u, r, s) for u, r, s in scored if s is not None), key=lambda t: -(t[2] or 0.0)
    )
    out: list[Ranked] = []
    for i, (unit, rec, value) in enumerate(ranked):
        place = out[-1].rank if out and out[-1].score == value else i + 1
        out.append(Ranked(unit, place, value, band(value or 0.0, rule), rec))
    out += [Ranked(u, None, None, None, r) for u, r, s in scored if s is None]
    return out
