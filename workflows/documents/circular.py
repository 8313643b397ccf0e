"""The week's 工作进展通报 (the circular), as data: its title and numbered sections.

Every sentence is a message of `locales/`; the writer of the Word document (storage/circular.py)
only lays the text out. The sections follow a supervisor's circular: the overall figures, the
table of units, the units late or missing with the week's report, the forwarded cases overdue,
and the units behind plan at the next checkpoint (the 约谈名单 as it stands).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from workflows.deliverables.checkpoints import Checkpoint, UnitBehind
from workflows.documents.summary import LedgerFigures, UnitSummary, percent
from workflows.messages import Msg, msg
from workflows.supervision.colours import RED
from workflows.supervision.scores import MONTH, QUARTER, Period, Ranked, ScoreRule
from workflows.supervision.standing import DUE


@dataclass(frozen=True)
class Table:
    """A table of the circular: its header cells and its rows (plain values or messages)."""

    header: tuple[Msg, ...]
    rows: tuple[tuple[Msg | str | int, ...], ...]


@dataclass(frozen=True)
class Section:
    """A numbered section: its heading (`一、总体情况`), its paragraphs, and maybe a table."""

    heading: Msg
    paragraphs: tuple[Msg, ...]
    table: Table | None = None


@dataclass(frozen=True)
class Circular:
    """The whole circular, ready to be laid out."""

    title: Msg
    to: Msg
    opening: Msg
    sections: tuple[Section, ...]
    signature: Msg
    dated: Msg


@dataclass(frozen=True)
class OverdueCase:
    """A forwarded case past its time limit without an answer."""

    code: str
    unit: str
    text: str
    due: datetime


@dataclass(frozen=True)
class RankingState:
    """A period's ranking (workflows/supervision/scores.py) and the rule that made it."""

    period: Period
    rows: Sequence[Ranked]
    rule: ScoreRule


@dataclass(frozen=True)
class NextCheckpoint:
    """The next checkpoint, if any is still to come, and its 约谈名单 as it stands today (with
    the last quarter's scores, when given: each unit's, and the red ones not yet on the list)."""

    checkpoint: Checkpoint | None
    behind: Sequence[UnitBehind]
    any_set: bool  # whether the campaign sets checkpoints at all
    scores: RankingState | None = None


def day_text(day: date) -> Msg:
    """A date written in full, as a circular dates itself (`2024年5月13日`)."""
    return msg("circular.date", year=day.year, month=day.month, day=day.day)


def _totals(rows: Sequence[UnitSummary]) -> LedgerFigures:
    return LedgerFigures(
        sum(r.ledger.total for r in rows),
        sum(r.ledger.closed for r in rows),
        sum(r.ledger.closing for r in rows),
        sum(r.ledger.overdue for r in rows),
    )


def _overall(rows: Sequence[UnitSummary], report: str, week: date) -> Section:
    t = _totals(rows)
    answered = sum(r.cases.answered for r in rows)
    return Section(
        msg("circular.h.overall"),
        (
            msg(
                "circular.overall",
                total=t.total,
                closed=t.closed,
                rate=percent(t.closed, t.total),
                open=t.total - t.closed,
                closing=t.closing,
                overdue=t.overdue,
            ),
            msg(
                "circular.cases_overall",
                answered=answered,
                on_time=percent(sum(r.cases.on_time for r in rows), answered),
                overdue=sum(r.cases.overdue for r in rows),
            ),
            msg(
                "circular.weekly_overall_due"
                if any(r.weekly == DUE for r in rows)
                else "circular.weekly_overall",
                report=report,
                week=day_text(week),
                units=len(rows),
                on_time=sum(r.weekly == "on_time" for r in rows),
                late=sum(r.weekly == "late" for r in rows),
                missing=sum(r.weekly == "missing" for r in rows),
                due=sum(r.weekly == DUE for r in rows),
            ),
        ),
    )


def _units(rows: Sequence[UnitSummary]) -> Section:
    header = tuple(
        msg(f"circular.col.{c}")
        for c in ("unit", "total", "open", "closed", "overdue", "rate", "weekly")
    )
    body = tuple(
        (
            r.name,
            r.ledger.total,
            r.ledger.total - r.ledger.closed,
            r.ledger.closed,
            r.ledger.overdue,
            percent(r.ledger.closed, r.ledger.total),
            msg(f"summary.weekly.{r.weekly}"),
        )
        for r in rows
    )
    t = _totals(rows)
    total = (
        msg("circular.col.sum"),
        t.total,
        t.total - t.closed,
        t.closed,
        t.overdue,
        percent(t.closed, t.total),
        "",
    )
    return Section(
        msg("circular.h.units"), (msg("circular.units_intro"),), Table(header, (*body, total))
    )


def _reports(rows: Sequence[UnitSummary], report: str) -> Section:
    late = [r.name for r in rows if r.weekly == "late"]
    missing = [r.name for r in rows if r.weekly == "missing"]
    said: list[Msg] = []
    if late:
        said.append(msg("circular.reports.late", report=report, count=len(late), units=late))
    if missing:
        said.append(
            msg("circular.reports.missing", report=report, count=len(missing), units=missing)
        )
    due = [r.name for r in rows if r.weekly == DUE]
    if due:  # before the deadline nobody is 未报送 yet (the standing rule)
        said.append(msg("circular.reports.due", report=report, count=len(due), units=due))
    if not said:
        said.append(msg("circular.reports.all_on_time", report=report))
    return Section(msg("circular.h.reports"), tuple(said))


def _cases(cases: Sequence[OverdueCase]) -> Section:
    if not cases:
        return Section(msg("circular.h.cases"), (msg("circular.cases.none"),))
    lines = tuple(
        msg("circular.cases.line", code=c.code, unit=c.unit, text=c.text, due=c.due)
        for c in sorted(cases, key=lambda c: (c.due, c.code))
    )
    return Section(msg("circular.h.cases"), (msg("circular.cases.intro", count=len(cases)), *lines))


def checkpoint_section(state: NextCheckpoint, today: date) -> Section:
    """The next checkpoint and who is behind at it as things stand (the circular, the board)."""
    heading = msg("circular.h.checkpoint")
    point = state.checkpoint
    if point is None:
        key = "circular.checkpoint.all_past" if state.any_set else "circular.checkpoint.none"
        return Section(heading, (msg(key),))
    intro = msg(
        "circular.checkpoint.intro",
        when=point.text,
        day=day_text(point.day),
        check=point.check or msg("circular.checkpoint.default_check"),
    )
    if not state.behind:
        clear = msg("circular.checkpoint.clear", today=day_text(today))
        return Section(heading, (intro, clear, *_red_not_behind(state)))
    units = tuple(
        _with_score(
            state.scores,
            u.unit,
            msg(
                "circular.checkpoint.unit",
                unit=u.unit,
                count=len(u.items),
                items=[
                    msg(
                        "circular.checkpoint.item", code=i.code, name=i.name, due=day_text(i.due_on)
                    )
                    for i in u.items
                    if i.due_on is not None
                ],
            ),
        )
        for u in state.behind
    )
    listed = msg("circular.checkpoint.behind", today=day_text(today), count=len(state.behind))
    red = _red_not_behind(state)
    return Section(heading, (intro, listed, *units, *red, msg("circular.checkpoint.ask")))


def _with_score(scores: RankingState | None, unit: str, line: Msg) -> Msg:
    """A unit's line on the 约谈名单 with its score for the period, when it has one."""
    found = next((r for r in scores.rows if r.unit == unit), None) if scores else None
    if scores is None or found is None or found.score is None:
        return line
    return msg(
        "scores.checkpoint.unit",
        line=line,
        period=period_text(scores.period),
        score=f"{found.score:.1f}",
        colour=msg(f"scores.colour.{found.colour}"),
    )


def _red_not_behind(state: NextCheckpoint) -> tuple[Msg, ...]:
    """The units the scores put in red that have no problem overdue: named on the list too."""
    if state.scores is None:
        return ()
    behind = {u.unit for u in state.behind}
    red = [r.unit for r in state.scores.rows if r.colour == RED and r.unit not in behind]
    if not red:
        return ()
    period = period_text(state.scores.period)
    return (msg("scores.checkpoint.red", period=period, count=len(red), units=red),)


def period_text(period: Period) -> Msg:
    """A scored period in words: `2026年3月2日至2026年3月8日`, `2026年3月`, `2026年第1季度`."""
    if period.kind == MONTH:
        return msg("scores.period.month", year=period.start.year, month=period.start.month)
    if period.kind == QUARTER:
        quarter = (period.start.month - 1) // 3 + 1
        return msg("scores.period.quarter", year=period.start.year, quarter=quarter)
    last = date.fromordinal(period.end.toordinal() - 1)
    return msg("scores.period.week", start=day_text(period.start), end=day_text(last))


def ranking_section(state: RankingState) -> Section:
    """得分与排名: the rule in one sentence, the 红黄绿 list, and the table (circular, board)."""
    w = dict(state.rule.weights)
    intro = msg(
        "scores.intro",
        period=period_text(state.period),
        green=state.rule.green,
        yellow=state.rule.yellow,
        **w,
    )
    ranked = [r for r in state.rows if r.rank is not None]
    lines: list[Msg] = [intro]
    if not ranked:
        lines.append(msg("scores.none"))
    for colour in ("red", "yellow", "green"):
        units = [r.unit for r in ranked if r.colour == colour]
        if units:
            lines.append(msg(f"scores.band.{colour}", count=len(units), units=units))
    unranked = [r.unit for r in state.rows if r.rank is None]
    if ranked and unranked:
        lines.append(msg("scores.unranked", count=len(unranked), units=unranked))
    header = tuple(msg(f"scores.col.{c}") for c in ("rank", "unit", "score", "colour"))
    table = Table(
        header,
        tuple(
            (r.rank or 0, r.unit, f"{r.score:.1f}", msg(f"scores.colour.{r.colour}"))
            for r in ranked
        ),
    )
    return Section(msg("scores.h.ranking"), tuple(lines), table if ranked else None)


def weekly_circular(
    campaign: str,
    rows: Sequence[UnitSummary],
    *,
    report: str,
    week: date,
    cases: Sequence[OverdueCase],
    checkpoint: NextCheckpoint,
    today: date,
    ranking: RankingState | None = None,
    title: Msg | None = None,
    reads: Section | None = None,
) -> Circular:
    """The week's 工作进展通报 from the summary's figures, dated `today` (another `title` for a
    month's 调度 or a quarter's 通报); `reads`, the units that read the last circular late
    (`workflows/documents/notices.py`), when one was due."""
    return Circular(
        title=title or msg("circular.title", campaign=campaign),
        to=msg("circular.to"),
        opening=msg("circular.opening", today=day_text(today), campaign=campaign),
        sections=(
            _overall(rows, report, week),
            _units(rows),
            _reports(rows, report),
            _cases(cases),
            checkpoint_section(checkpoint, today),
            *((ranking_section(ranking),) if ranking is not None else ()),
            *((reads,) if reads is not None else ()),
        ),
        signature=msg("circular.signature", campaign=campaign),
        dated=day_text(today),
    )
