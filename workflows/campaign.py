"""The campaign file: its schema, and validation whose errors name the field and the problem."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from workflows.calendar.dates import DateError, find_deadlines, parse_due, parse_phase, parse_span
from workflows.deliverables.checkpoints import Checkpoint
from workflows.documents.cadence import Cadence, read_cadences
from workflows.messages import Msg, msg
from workflows.problems.ledger import DEFAULT_FIELDS, FieldSpec, LedgerSpec, Rule, parse_rule
from workflows.supervision.scores import ScoreRule, rule_from, rule_problems
from workflows.words import name_key

WEEKDAYS = {
    "周一": 0,
    "周二": 1,
    "周三": 2,
    "周四": 3,
    "周五": 4,
    "周六": 5,
    "周日": 6,
    "星期一": 0,
    "星期二": 1,
    "星期三": 2,
    "星期四": 3,
    "星期五": 4,
    "星期六": 5,
    "星期日": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_KNOWN = {
    "name",
    "year",
    "timezone",
    "units",
    "phases",
    "deadlines",
    "weekly_report",
    "reminders",
    "feedback",
    "categories",
    "default_due_time",
    "ledger",
    "checkpoints",
    "scores",
    "cadences",
}
_OFFSET = re.compile(r"(\d+)\s*([dhms])")
_OFFSET_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
DEFAULT_REMINDERS = (timedelta(days=7), timedelta(days=3), timedelta(days=1), timedelta(hours=2))


@dataclass(frozen=True)
class PhaseSpec:
    """A phase of the campaign and the days it covers."""

    name: str
    start: date
    end: date


@dataclass(frozen=True)
class DeadlineSpec:
    """A deliverable every unit (or the listed units) must send by `due` (local time)."""

    deliverable: str
    due: datetime
    note: str = ""
    text: str = ""
    units: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RecurringSpec:
    """A report due every week on `weekday` at `at` (local time)."""

    name: str
    weekday: int
    at: time


@dataclass(frozen=True)
class FeedbackRule:
    """Forwarded cases are answered by the cutoff of the N-th working day after receipt;
    the unit is reminded at `remind_at` on the due day and `remind_before` the due time, and
    the admins hear `admins_after` working days after it."""

    working_days: int = 2
    cutoff: time = time(18, 0)
    remind_at: time = time(9, 0)
    remind_before: timedelta = timedelta(hours=2)
    admins_after: int = 1


@dataclass(frozen=True)
class CampaignSpec:
    """A whole campaign as its file describes it."""

    name: str
    year: int
    timezone: str
    units: tuple[str, ...]
    phases: tuple[PhaseSpec, ...] = ()
    deadlines: tuple[DeadlineSpec, ...] = ()
    weekly_reports: tuple[RecurringSpec, ...] = ()
    reminders: tuple[timedelta, ...] = DEFAULT_REMINDERS
    feedback: FeedbackRule = field(default_factory=FeedbackRule)
    categories: tuple[str, ...] = ()
    default_due_time: time = time(18, 0)
    ledger: LedgerSpec = field(default_factory=LedgerSpec)
    checkpoints: tuple[Checkpoint, ...] = ()
    scores: ScoreRule = field(default_factory=ScoreRule)
    cadences: tuple[Cadence, ...] = ()  # seed 003's 月调度季通报, when the file asks

    @property
    def zone(self) -> ZoneInfo:
        """The campaign's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class FieldError:
    """One problem in a campaign file: where (`deadlines[2].text`) and what."""

    path: str
    message: Msg


class CampaignInvalid(ValueError):
    """A campaign file with problems; `errors` lists every one found."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.path}: {e.message.id}" for e in errors))
        self.errors = errors


def clean(text: object) -> str:
    """Names as written, with runs of white space (full-width ones too) made one space."""
    return " ".join(str(text).split())


class _Reader:
    """Collects every error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: Msg) -> None:
        self.errors.append(FieldError(path, message))

    def text(self, value: object, path: str) -> str | None:
        if not isinstance(value, str | int) or not clean(value):
            self.fail(path, msg("campaign.expect_text"))
            return None
        return clean(value)

    def texts(self, value: object, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(path, msg("campaign.expect_list"))
            return ()
        out: list[str] = []
        keys: set[str] = set()
        for i, item in enumerate(value):
            t = self.text(item, f"{path}[{i}]")
            if t is None:
                continue
            if name_key(t) in keys:
                self.fail(f"{path}[{i}]", msg("campaign.duplicate", text=t))
            else:
                out.append(t)
                keys.add(name_key(t))
        return tuple(out)

    def clock(self, value: object, path: str, default: time) -> time:
        if value is None:
            return default
        if isinstance(value, int):  # YAML reads 18:00 unquoted as sexagesimal 1080
            value = f"{value // 60}:{value % 60:02d}"
        m = re.fullmatch(r"(\d{1,2})[:：](\d{2})", clean(value))
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            self.fail(path, msg("campaign.bad_time", text=clean(value)))
            return default
        return time(int(m.group(1)), int(m.group(2)))


def parse_offset(text: str) -> timedelta:
    """`7d`, `2h`, `1d12h`, `30s` as a duration; ValueError if it is none of those."""
    t = clean(text).lower().replace(" ", "")
    parts = _OFFSET.findall(t)
    if not parts or "".join(n + u for n, u in parts) != t:
        raise ValueError(text)
    return sum((timedelta(**{_OFFSET_UNITS[u]: int(n)}) for n, u in parts), timedelta())


def read_campaign_yaml(text: str, *, default_timezone: str = "Asia/Shanghai") -> CampaignSpec:
    """Read a campaign file's YAML text; `CampaignInvalid` lists every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "yaml"
        raise CampaignInvalid([FieldError(where, msg("campaign.bad_yaml"))]) from None
    return read_campaign(data, default_timezone=default_timezone)


def read_campaign(data: object, *, default_timezone: str = "Asia/Shanghai") -> CampaignSpec:
    """Validate a campaign mapping into a `CampaignSpec`; `CampaignInvalid` lists problems."""
    r = _Reader()
    if not isinstance(data, Mapping):
        raise CampaignInvalid([FieldError("", msg("campaign.not_a_mapping"))])
    for key in data:
        if key not in _KNOWN:
            r.fail(str(key), msg("campaign.unknown_field"))
    name = r.text(data.get("name"), "name") if "name" in data else None
    if "name" not in data:
        r.fail("name", msg("campaign.missing"))
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        r.fail("year", msg("campaign.bad_year", text=str(year)))
        year = 2000
    tz_name = clean(data.get("timezone") or default_timezone)
    try:
        zone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail("timezone", msg("campaign.bad_timezone", text=tz_name))
        zone = ZoneInfo("Asia/Shanghai")
    units = r.texts(data.get("units"), "units")
    if not units:
        r.fail("units", msg("campaign.no_units"))
    default_due = r.clock(data.get("default_due_time"), "default_due_time", time(18, 0))
    spec = CampaignSpec(
        name=name or "",
        year=year,
        timezone=zone.key,
        units=units,
        phases=_phases(r, data.get("phases"), year),
        deadlines=_deadlines(r, data.get("deadlines"), year, default_due, units),
        weekly_reports=_weekly(r, data.get("weekly_report")),
        reminders=_reminders(r, data.get("reminders")),
        feedback=_feedback(r, data.get("feedback")),
        categories=r.texts(data.get("categories"), "categories"),
        default_due_time=default_due,
        ledger=_ledger(r, data.get("ledger")),
        checkpoints=_checkpoints(r, data.get("checkpoints"), year),
        scores=_scores(r, data.get("scores")),
        cadences=_cadences(r, data.get("cadences")),
    )
    if r.errors:
        raise CampaignInvalid(r.errors)
    return spec


def _phases(r: _Reader, value: object, year: int) -> tuple[PhaseSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.fail("phases", msg("campaign.expect_list"))
        return ()
    out: list[PhaseSpec] = []
    for i, item in enumerate(value):
        path = f"phases[{i}]"
        try:
            if isinstance(item, Mapping):
                name = r.text(item.get("name"), f"{path}.name") or ""
                text = clean(item.get("text", ""))
                path = f"{path}.text"
                span = parse_span(text, year=year)
            else:
                name, span = parse_phase(clean(item), year=year)
        except DateError as err:
            r.fail(path, err.message)
            continue
        out.append(PhaseSpec(name, span.start, span.end))
    return tuple(out)


def _deadlines(
    r: _Reader, value: object, year: int, default_due: time, units: tuple[str, ...]
) -> tuple[DeadlineSpec, ...]:
    canonical = {name_key(u): u for u in units}
    if value is None:
        return ()
    if not isinstance(value, list):
        r.fail("deadlines", msg("campaign.expect_list"))
        return ()
    out: list[DeadlineSpec] = []
    for i, item in enumerate(value):
        path = f"deadlines[{i}]"
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, Mapping):
            r.fail(path, msg("campaign.expect_mapping"))
            continue
        only = None
        if item.get("units") is not None:
            named = r.texts(item.get("units"), f"{path}.units")
            for j, u in enumerate(named):
                if name_key(u) not in canonical:
                    r.fail(f"{path}.units[{j}]", msg("campaign.unknown_unit", text=u))
            only = tuple(canonical.get(name_key(u), u) for u in named)
        try:
            if "text" in item:
                found = find_deadlines(clean(item["text"]), year=year)
                if not found:
                    r.fail(f"{path}.text", msg("campaign.no_deadline", text=clean(item["text"])))
                for f in found:
                    due = datetime.combine(f.due.day, f.due.at or default_due)
                    deliverable = clean(item.get("deliverable") or f.deliverable)
                    out.append(DeadlineSpec(deliverable, due, f.note, clean(item["text"]), only))
            else:
                due_text = clean(item.get("due", ""))
                d = parse_due(due_text, year=year)
                deliverable = r.text(item.get("deliverable"), f"{path}.deliverable") or ""
                due = datetime.combine(d.day, d.at or default_due)
                note = clean(item.get("note", ""))
                out.append(DeadlineSpec(deliverable, due, note, due_text, only))
        except DateError as err:
            r.fail(f"{path}.{'text' if 'text' in item else 'due'}", err.message)
    seen: set[str] = set()
    for i, spec in enumerate(out):
        if spec.deliverable in seen:
            r.fail(f"deadlines[{i}]", msg("campaign.duplicate", text=spec.deliverable))
        seen.add(spec.deliverable)
    return tuple(out)


def _checkpoints(r: _Reader, value: object, year: int) -> tuple[Checkpoint, ...]:
    """`- {text: 2024年底, check: 未按计划完成整改的进行约谈}`, or the date text alone."""
    if value is None:
        return ()
    if not isinstance(value, list):
        r.fail("checkpoints", msg("campaign.expect_list"))
        return ()
    out: list[Checkpoint] = []
    for i, item in enumerate(value):
        path = f"checkpoints[{i}]"
        if isinstance(item, str | int):
            item = {"text": item}
        if not isinstance(item, Mapping):
            r.fail(path, msg("campaign.expect_mapping"))
            continue
        text = r.text(item.get("text"), f"{path}.text")
        if text is None:
            continue
        try:
            day = parse_due(text, year=year).day
        except DateError as err:
            r.fail(f"{path}.text", err.message)
            continue
        if any(c.day == day for c in out):
            r.fail(f"{path}.text", msg("campaign.duplicate", text=text))
            continue
        out.append(Checkpoint(text, day, clean(item.get("check") or "")))
    return tuple(sorted(out, key=lambda c: c.day))


def _scores(r: _Reader, value: object) -> ScoreRule:
    """`scores: {weights: {reports: 30, …}, green: 90, yellow: 75}` (default: README's)."""
    bad = rule_problems(value)
    for path, text in bad:
        r.fail(path, msg("campaign.bad_number", text=text))
    return ScoreRule() if bad else rule_from(value if isinstance(value, Mapping) else None)


def _cadences(r: _Reader, value: object) -> tuple[Cadence, ...]:
    """`cadences: {monthly: {workday: 1, at: "09:00"}, quarterly: true}` (default: none)."""
    cadences, bad = read_cadences(value)
    for path, text in bad:
        r.fail(path, msg("cadence.bad_value", text=text))
    return cadences


def _weekly(r: _Reader, value: object) -> tuple[RecurringSpec, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[RecurringSpec] = []
    for i, item in enumerate(items):
        path = "weekly_report" if not isinstance(value, list) else f"weekly_report[{i}]"
        if not isinstance(item, Mapping):
            r.fail(path, msg("campaign.expect_mapping"))
            continue
        wd = clean(item.get("weekday", "")).lower()
        if wd not in WEEKDAYS:
            r.fail(f"{path}.weekday", msg("campaign.bad_weekday", text=wd))
            continue
        name = r.text(item.get("name"), f"{path}.name") or ""
        out.append(
            RecurringSpec(
                name, WEEKDAYS[wd], r.clock(item.get("time"), f"{path}.time", time(18, 0))
            )
        )
    return tuple(out)


def _reminders(r: _Reader, value: object) -> tuple[timedelta, ...]:
    if value is None:
        return DEFAULT_REMINDERS
    if not isinstance(value, list):
        r.fail("reminders", msg("campaign.expect_list"))
        return DEFAULT_REMINDERS
    out: list[timedelta] = []
    for i, item in enumerate(value):
        try:
            out.append(parse_offset(str(item)))
        except ValueError:
            r.fail(f"reminders[{i}]", msg("campaign.bad_offset", text=clean(item)))
    return tuple(sorted(set(out), reverse=True))


def _feedback(r: _Reader, value: object) -> FeedbackRule:
    default = FeedbackRule()
    if value is None:
        return default
    if not isinstance(value, Mapping):
        r.fail("feedback", msg("campaign.expect_mapping"))
        return default
    numbers = {}
    for key, fallback in (
        ("working_days", default.working_days),
        ("admins_after", default.admins_after),
    ):
        n = value.get(key, fallback)
        if not isinstance(n, int) or not 1 <= n <= 30:
            r.fail(f"feedback.{key}", msg("campaign.bad_number", text=str(n)))
            n = fallback
        numbers[key] = n
    before = default.remind_before
    if "remind_before" in value:
        try:
            before = parse_offset(str(value["remind_before"]))
        except ValueError:
            r.fail(
                "feedback.remind_before",
                msg("campaign.bad_offset", text=clean(value["remind_before"])),
            )
    return FeedbackRule(
        numbers["working_days"],
        r.clock(value.get("cutoff"), "feedback.cutoff", default.cutoff),
        r.clock(value.get("remind_at"), "feedback.remind_at", default.remind_at),
        before,
        numbers["admins_after"],
    )


_FIELD_KINDS = ("text", "date", "number", "category", "choice")


def _ledger(r: _Reader, value: object) -> LedgerSpec:
    """The ledger's columns and consistency rules (default: seed 001's ledger)."""
    if value is None:
        return LedgerSpec()
    if not isinstance(value, Mapping):
        r.fail("ledger", msg("campaign.expect_mapping"))
        return LedgerSpec()
    fields: list[FieldSpec] = []
    for i, item in enumerate(value.get("fields") or []):
        path = f"ledger.fields[{i}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            r.fail(path, msg("campaign.expect_mapping"))
            continue
        name = r.text(item.get("name"), f"{path}.name")
        kind = clean(item.get("kind", "text"))
        if kind not in _FIELD_KINDS:
            r.fail(f"{path}.kind", msg("campaign.bad_kind", text=kind, kinds=list(_FIELD_KINDS)))
            continue
        if name is None:
            continue
        if any(f.name == name for f in fields):
            r.fail(f"{path}.name", msg("campaign.duplicate", text=name))
            continue
        fields.append(
            FieldSpec(
                name,
                clean(item.get("key") or name),
                kind,
                bool(item.get("optional", False)),
                int(item.get("max", 2000)),
                tuple(clean(o) for o in item.get("options", ())),
            )
        )
    numbers = {f.name for f in fields if f.kind == "number"}
    rules: list[Rule] = []
    for i, item in enumerate(value.get("rules") or []):
        path = f"ledger.rules[{i}].check"
        text = clean(item.get("check", "")) if isinstance(item, Mapping) else clean(item)
        try:
            rule = parse_rule(
                text, clean(item.get("message", "")) if isinstance(item, Mapping) else ""
            )
        except ValueError:
            r.fail(path, msg("campaign.bad_rule", text=text))
            continue
        unknown = sorted(rule.fields() - numbers)
        if unknown:
            r.fail(path, msg("campaign.rule_fields", fields=unknown))
            continue
        rules.append(rule)
    return LedgerSpec(tuple(fields) or DEFAULT_FIELDS, tuple(rules))
