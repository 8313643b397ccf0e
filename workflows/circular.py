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

from workflows.checkpoints import Checkpoint, UnitBehind
from workflows.messages import Msg, msg
from workflows.summary import LedgerFigures, UnitSummary, percent


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
class CheckpointState:
    """The next checkpoint, if any is still to come, and its 约谈名单 as it stands today."""

    checkpoint: Checkpoint | None
    behind: Sequence[UnitBehind]
    any_set: bool  # whether the campaign sets checkpoints at all


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
                "circular.weekly_overall",
                report=report,
                week=day_text(week),
                units=len(rows),
                on_time=sum(r.weekly == "on_time" for r in rows),
                late=sum(r.weekly == "late" for r in rows),
                missing=sum(r.weekly == "missing" for r in rows),
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


def checkpoint_section(state: CheckpointState, today: date) -> Section:
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
        return Section(heading, (intro, msg("circular.checkpoint.clear", today=day_text(today))))
    units = tuple(
        msg(
            "circular.checkpoint.unit",
            unit=u.unit,
            count=len(u.items),
            items=[
                msg("circular.checkpoint.item", code=i.code, name=i.name, due=day_text(i.due_on))
                for i in u.items
                if i.due_on is not None
            ],
        )
        for u in state.behind
    )
    listed = msg("circular.checkpoint.behind", today=day_text(today), count=len(state.behind))
    return Section(heading, (intro, listed, *units, msg("circular.checkpoint.ask")))


def weekly_circular(
    campaign: str,
    rows: Sequence[UnitSummary],
    *,
    report: str,
    week: date,
    cases: Sequence[OverdueCase],
    checkpoint: CheckpointState,
    today: date,
    reads: Section | None = None,
) -> Circular:
    """The week's 工作进展通报 from the summary's figures, dated `today`; `reads`, the units
    that read the last circular late (`workflows/notices.py`), when one was due."""
    return Circular(
        title=msg("circular.title", campaign=campaign),
        to=msg("circular.to"),
        opening=msg("circular.opening", today=day_text(today), campaign=campaign),
        sections=(
            _overall(rows, report, week),
            _units(rows),
            _reports(rows, report),
            _cases(cases),
            checkpoint_section(checkpoint, today),
            *((reads,) if reads is not None else ()),
        ),
        signature=msg("circular.signature", campaign=campaign),
        dated=day_text(today),
    )
