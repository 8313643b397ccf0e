"""Reading the date expressions of campaign documents, deterministically.

The documents write dates the Chinese official way (`2月6日18：00前`, `2024年5-7月`,
`2024年11月-2025年底`); a year left out is the campaign's. `前` means "by", never "ago".
An impossible date is an error, never shifted to a neighbouring day.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time

from workflows.messages import Msg, msg


class DateError(ValueError):
    """A date expression that names no real date, or that cannot be read at all."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text

    @property
    def message(self) -> Msg:
        """The localisable explanation, quoting the text that failed."""
        return msg(self.code, text=self.text)


@dataclass(frozen=True)
class Span:
    """A closed range of days, both ends included (a phase, `5月1日至6月30日`)."""

    start: date
    end: date


@dataclass(frozen=True)
class Due:
    """A point a deliverable is due by: a day, and a time when the text gives one."""

    day: date
    at: time | None = None


@dataclass(frozen=True)
class FoundDeadline:
    """A deadline read out of running text, with the deliverable it asks for."""

    due: Due
    deliverable: str
    note: str
    text: str


_ISO = re.compile(
    r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)(?:[ T]+(\d{1,2}):(\d{2})(?::\d{2})?)?"
)
_MONTH_PAIR = re.compile(r"(?<![\d.])(\d{1,2})-(\d{1,2})月")
_DAY_PAIR = re.compile(r"(?<=月)(\d{1,2})-(\d{1,2})[日号]")


def _term(p: str) -> str:
    """One date term; every group is named with prefix `p` so two terms can share a pattern."""
    return (
        rf"(?:(?P<{p}y>\d{{4}}|\d{{2}})年)?"
        rf"(?:(?P<{p}m>\d{{1,2}})月)?"
        rf"(?:(?P<{p}d>\d{{1,2}})[日号])?"
        rf"(?P<{p}edge>底|末)?"
        rf"(?:(?P<{p}hh>\d{{1,2}})(?::(?P<{p}mm>\d{{2}})|[点时](?P<{p}half>半)?"
        rf"(?:(?P<{p}mm2>\d{{1,2}})分)?))?"
    )


_RANGE = re.compile(rf"从?{_term('a')}(?:至|到|-|~)+{_term('b')}止?")
_POINT = re.compile(_term("a"))
_BY = re.compile(rf"{_term('a')}(?:之前|以前|前)")
_CLAUSE_BREAK = re.compile(r"[;。\n]")
_LEADING_VERB = re.compile(r"^[,、:\s]*(?:报送|上报|提交|报)?")
_TRAILING_NOTE = re.compile(r"\(([^()]*)\)$")


def normalize(text: str) -> str:
    """Full-width to half-width, one kind of dash, ISO dates rewritten the Chinese way."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[—–－〜]", "-", t)

    def iso(m: re.Match[str]) -> str:
        y, mo, d, hh, mm = m.groups()
        out = f"{y}年{int(mo)}月{int(d)}日"
        return out + (f"{int(hh)}:{mm}" if hh else "")

    t = _ISO.sub(iso, t)
    t = re.sub(r"\s+", "", t)
    t = _MONTH_PAIR.sub(r"\1月-\2月", t)
    return _DAY_PAIR.sub(r"\1日-\2日", t)


@dataclass(frozen=True)
class _Parts:
    year: int | None
    month: int | None
    day: int | None
    edge: bool
    at: time | None
    text: str

    @property
    def is_date(self) -> bool:
        return self.month is not None or (self.year is not None and self.edge)


def _parts(m: re.Match[str], p: str) -> _Parts:
    g = m.groupdict()

    def num(name: str) -> int | None:
        v = g.get(p + name)
        return int(v) if v else None

    year = num("y")
    if year is not None and year < 100:
        year += 2000
    hh = num("hh")
    at = None
    if hh is not None:
        mm = num("mm") if g.get(p + "mm") else num("mm2") or (30 if g.get(p + "half") else 0)
        if hh > 23 or (mm or 0) > 59:
            raise DateError("date.invalid", m.group(0))
        at = time(hh, mm or 0)
    # Errors quote the date itself (`2月30日`), not the time or the `前` after it.
    ends = [m.end(p + k) for k in ("y", "m", "d", "edge") if g.get(p + k)]
    end = max(ends, default=m.end())
    end += 1 if m.string[end : end + 1] in ("年", "月", "日", "号") else 0
    shown = m.string[m.start() : end]
    return _Parts(year, num("m"), num("d"), bool(g.get(p + "edge")), at, shown)


def _first_day(p: _Parts, year: int) -> date:
    y = p.year or year
    try:
        return date(y, p.month or 1, p.day or 1)
    except ValueError:
        raise DateError("date.invalid", p.text) from None


def _last_day(p: _Parts, year: int, month: int | None = None) -> date:
    y = p.year or year
    mo = p.month or month or 12
    if p.day is not None and not p.edge:
        try:
            return date(y, mo, p.day)
        except ValueError:
            raise DateError("date.invalid", p.text) from None
    if not 1 <= mo <= 12:
        raise DateError("date.invalid", p.text)
    return date(y, mo, calendar.monthrange(y, mo)[1])


def _point_day(p: _Parts, year: int) -> date:
    """The day a single term names; a month alone or `底` means its last day."""
    if p.day is None:
        return _last_day(p, year)
    return _first_day(p, year)


def parse_span(text: str, *, year: int) -> Span:
    """Read a range of days (`2月1日至2月20日`, `2024年5-7月`, `2024年11月-2025年底`)."""
    t = normalize(text)
    for m in _RANGE.finditer(t):
        a, b = _parts(m, "a"), _parts(m, "b")
        if not a.is_date or not (b.is_date or b.day is not None):
            continue
        start = _first_day(a, year)
        b_year = b.year or start.year
        year_end = b.edge and b.month is None and b.year is not None
        b_month = b.month if b.month is not None else (None if year_end else start.month)
        end = _last_day(_Parts(b_year, b_month, b.day, b.edge, b.at, b.text), start.year)
        if end < start and b.year is None:
            end = _last_day(
                _Parts(b_year + 1, b_month, b.day, b.edge, b.at, b.text), start.year + 1
            )
        if end < start:
            raise DateError("date.reversed", m.group(0))
        return Span(start, end)
    for m in _POINT.finditer(t):
        a = _parts(m, "a")
        if a.is_date:
            start = _first_day(a, year)
            return Span(start, _last_day(a, start.year, start.month))
    raise DateError("date.unreadable", text.strip())


def parse_due(text: str, *, year: int) -> Due:
    """Read one point in time (`2月6日18：00前`, `于9月26日前`, `2026-12-01 18:00`)."""
    t = normalize(text)
    for m in _POINT.finditer(t):
        a = _parts(m, "a")
        if a.is_date:
            return Due(_point_day(a, year), a.at)
    raise DateError("date.unreadable", text.strip())


def parse_phase(text: str, *, year: int) -> tuple[str, Span]:
    """Read `安排部署阶段（2月1日至2月20日）` into its name and its span."""
    t = unicodedata.normalize("NFKC", text).strip()
    name = re.split(r"[(（]", t, maxsplit=1)[0].strip(" ,，、:：")
    return name, parse_span(t, year=year)


def find_deadlines(text: str, *, year: int) -> list[FoundDeadline]:
    """Every `…前报送…` in running text, each with its deliverable and parenthesised note."""
    found: list[FoundDeadline] = []
    for clause in _CLAUSE_BREAK.split(normalize(text)):
        for m in _BY.finditer(clause):
            a = _parts(m, "a")
            if not a.is_date:
                continue
            due = Due(_point_day(a, year), a.at)
            rest = clause[m.end() :]
            nxt = _BY.search(rest)
            rest = rest[: nxt.start()] if nxt and _parts(nxt, "a").is_date else rest
            rest = _LEADING_VERB.sub("", rest).rstrip(",、. ")
            note = ""
            nm = _TRAILING_NOTE.search(rest)
            if nm:
                note, rest = nm.group(1), rest[: nm.start()]
            found.append(FoundDeadline(due, rest.strip(), note, m.group(0)))
    return found
