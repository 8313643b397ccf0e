"""The problem ledger (问题台账): its fields, statuses, short ids, and the consistency rules.

Fields come from the campaign file; the default set is seed 001's ledger. Rules such as
annex 2's `开工套数应大于等于应安置棚改居民户数` are declared in the campaign file too and
checked as each number is typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from workflows.calendar.working_days import WorkCalendar
from workflows.forms.engine import Condition, Step
from workflows.forms.inputs import (
    Answer,
    Choice,
    DateInput,
    FormEnv,
    InputError,
    Kind,
    Number,
    Option,
    Text,
)
from workflows.json_read import json_of, list_of, mapping_of, need_int
from workflows.json_types import JSONObject, JSONValue
from workflows.messages import Msg, msg

CATEGORIES = "categories"


class LedgerColumns(BaseModel):
    """A problem's own columns, declared once: `storage.models.LedgerItem` takes them as its
    table's columns by deriving from this model, and `ItemColumns` as what a flow or a workbook
    gives; the campaign's other fields are kept by name."""

    name: str = ""
    summary: str = ""
    category: str = ""
    measures: str = ""
    due_on: date | None = None
    lead: str = ""
    remarks: str = ""
    source: str = ""  # 问题来源: asked after the campaign's fields, never one of them


ITEM_COLUMNS = tuple(LedgerColumns.model_fields)
COLUMNS = tuple(c for c in ITEM_COLUMNS if c != "source")  # the ones a campaign's field may be
SOURCES = ("自查发现", "群众举报", "上级转办", "信访", "其他")


class Status:
    """An item's status, as stored; the words people see are in the catalogs."""

    OPEN = "open"  # 整改中
    CLOSING = "closing"  # 已完成待销号
    CLOSED = "closed"  # 已销号
    PAUSED = "paused"  # 暂缓


@dataclass(frozen=True)
class Progress:
    """One week's progress on an item (整改进展), as recorded and kept forever."""

    status: str  # the weekly answer (plan, done, late, same) or a rejected close-out
    week_of: date  # the reporting day of the week it counts for
    text: str = ""
    result: str = ""
    reason: str = ""
    new_due_on: date | None = None
    files: tuple[Mapping[str, JSONValue], ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """One ledger column: its header as in the documents, its key, and what it accepts."""

    name: str
    key: str
    kind: str = "text"  # text, date, number, category, choice
    optional: bool = False
    max_len: int = 2000
    options: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 10**9


DEFAULT_FIELDS = (
    FieldSpec("突出问题名称", "name", max_len=100),
    FieldSpec("主要案情", "summary"),
    FieldSpec("问题分类", "category", "category"),
    FieldSpec("处置措施预案", "measures"),
    FieldSpec("办结时间", "due_on", "date"),
    FieldSpec("牵头部门及责任人员", "lead", max_len=200),
    FieldSpec("备注", "remarks", optional=True),
)
SOURCE_FIELD = FieldSpec("问题来源", "source", "choice", options=SOURCES)


@dataclass(frozen=True)
class Rule:
    """`左 >= 右`: two sides made of field names and numbers joined by + and -."""

    left: tuple[tuple[int, str], ...]
    op: str
    right: tuple[tuple[int, str], ...]
    message: str
    text: str

    def fields(self) -> set[str]:
        """The field names the rule reads."""
        return {name for _, name in (*self.left, *self.right) if not name.lstrip("-").isdigit()}

    def holds(self, values: Mapping[str, int]) -> bool | None:
        """Whether it holds; None while a field it reads is not filled in."""
        if not self.fields() <= set(values):
            return None

        def side(terms: tuple[tuple[int, str], ...]) -> int:
            return sum(sign * (int(t) if t.isdigit() else int(values[t])) for sign, t in terms)

        a, b = side(self.left), side(self.right)
        return {">=": a >= b, "<=": a <= b, "==": a == b, ">": a > b, "<": a < b}[self.op]


_OP = re.compile(r"\s*(>=|<=|==|=|>|<|≥|≤)\s*")


def parse_rule(text: str, message: str = "") -> Rule:
    """`开工套数 >= 应安置棚改居民户数`, `逾期未交付使用户数 = 应安置户数 - 已安置户数`."""
    parts = _OP.split(text.strip())
    if len(parts) != 3:
        raise ValueError(text)
    op = {"=": "==", "≥": ">=", "≤": "<="}.get(parts[1], parts[1])

    def terms(side: str) -> tuple[tuple[int, str], ...]:
        out = []
        for sign, term in re.findall(r"([+-]?)\s*([^+\-\s]+)", side):
            out.append((-1 if sign == "-" else 1, term))
        if not out:
            raise ValueError(text)
        return tuple(out)

    return Rule(terms(parts[0]), op, terms(parts[2]), message or text, text)


@dataclass(frozen=True)
class LedgerSpec:
    """The campaign's ledger: its fields and its consistency rules."""

    fields: tuple[FieldSpec, ...] = DEFAULT_FIELDS
    rules: tuple[Rule, ...] = ()


class Checked:
    """A number step that also checks the campaign's rules against the numbers typed so far."""

    kind: ClassVar[str] = "number"

    def __init__(self, inner: Number, field: FieldSpec, spec: LedgerSpec, prefix: str) -> None:
        self.inner, self.field, self.spec, self.prefix = inner, field, spec, prefix

    def parse(self, answer: Answer, env: FormEnv) -> int:
        """The number, unless it breaks a rule; the error names the rule."""
        value = self.inner.parse(answer, env)
        known = numbers_typed(env.values, self.spec, self.prefix)
        known[self.field.name] = value
        for rule in self.spec.rules:
            if self.field.name in rule.fields() and rule.holds(known) is False:
                raise InputError(msg("ledger.rule_broken", rule=rule.message))
        return value

    def show(self, value: object) -> object:
        """The number."""
        return value


# A problem's 办结时间 as it is entered, and a late problem's new planned date: today or later,
# in every form (the chat's steps, the workbook, the Mini App), as the week's new date always was.
PLANNED_DATE = DateInput(not_before_today=True)


def field_kind(field: FieldSpec, spec: LedgerSpec, prefix: str) -> Kind:
    """The input kind that reads a field."""
    if field.kind == "date":
        return PLANNED_DATE if field.key == "due_on" else DateInput()
    if field.kind == "number":
        return Checked(Number(field.minimum, field.maximum), field, spec, prefix)
    if field.kind == "category":
        return Choice(source=CATEGORIES)
    if field.kind == "choice":
        return Choice(options=tuple(Option(o, o) for o in field.options))
    return Text(max_len=field.max_len)


def item_steps(
    spec: LedgerSpec, prefix: str = "", when: Condition | None = None
) -> tuple[Step, ...]:
    """The steps that fill in a new item's fields (and its source)."""
    steps = []
    for field in (*spec.fields, SOURCE_FIELD):
        steps.append(
            Step(
                prefix + field.key,
                "ledger.ask_field",
                field_kind(field, spec, prefix),
                optional=field.optional,
                when=when,
                params={"field": field.name},
            )
        )
    return tuple(steps)


def numbers_typed(values: Mapping[str, object], spec: LedgerSpec, prefix: str) -> dict[str, int]:
    """The number fields filled in so far, by header (for the rules)."""
    out = {}
    for field in spec.fields:
        value = values.get(prefix + field.key)
        if field.kind == "number" and isinstance(value, int):
            out[field.name] = value
    return out


def unit_short(name: str) -> str:
    """`轮台县` → `轮台`, `泽州县住建局` → `泽州`, `库尔勒经济技术开发区` → `库尔勒经开`."""
    short = re.sub(r"(住建局|住房和城乡建设局|建设管理部)$", "", name)
    short = short.replace("经济技术开发区", "经开")
    short = re.sub(r"(自治县|县|市|区|旗)$", "", short) or name
    return short[:6]


def item_code(unit_name: str, seq: int) -> str:
    """The short id people type and say: `轮台-007`."""
    return f"{unit_short(unit_name)}-{seq:03d}"


def is_overdue(due_on: date | None, status: str, today: date) -> bool:
    """An item past its 办结时间 and not closed out."""
    return due_on is not None and due_on < today and status not in (Status.CLOSED,)


def overdue_days(due_on: date | None, status: str, today: date, cal: WorkCalendar) -> int:
    """How many working days an item is past its 办结时间 (at least one once it is past, as a
    case past its time limit counts them); 0 while it is not overdue."""
    if due_on is None or not is_overdue(due_on, status, today):
        return 0
    return max(cal.working_days_between(due_on, today), 1)


def status_msg(status: str) -> Msg:
    """The localised status."""
    return msg(f"ledger.status.{status}")


class ItemColumns(LedgerColumns):
    """A problem's columns as given (a flow's answers, a row of a workbook) and the
    campaign's own fields by name; `given` says which columns were given at all (an import
    changes only those: a cleared cell is given, and empty)."""

    model_config = ConfigDict(frozen=True)

    extra: Mapping[str, JSONValue] = Field(default_factory=dict)
    given: frozenset[str] = frozenset()


def item_columns(values: Mapping[str, object], spec: LedgerSpec, prefix: str = "") -> ItemColumns:
    """A problem's columns and the campaign's extra fields, from a flow's answers (or a row
    read as one)."""
    columns: dict[str, object] = {}
    extra: JSONObject = {}
    for spec_field in (*spec.fields, SOURCE_FIELD):
        key = prefix + spec_field.key
        value = values.get(key)
        if spec_field.key in ITEM_COLUMNS:
            if key in values:
                columns[spec_field.key] = value
        elif value is not None:
            extra[spec_field.name] = json_of(value)
    due = columns.get("due_on")
    text = {k: str(v) if v is not None else "" for k, v in columns.items() if k != "due_on"}
    return ItemColumns(
        **text,
        due_on=date.fromisoformat(due) if isinstance(due, str) and due else None,
        extra=extra,
        given=frozenset(columns),
    )


@dataclass(frozen=True)
class ItemChanges:
    """What a decision changes on an item: its status (and when it was closed), its
    campaign fields (a late item's new planned date). None: left as it is."""

    status: str | None = None
    closed_at: datetime | None = None
    fields: Mapping[str, JSONValue] | None = None

    def __bool__(self) -> bool:
        return self.status is not None or self.fields is not None


def _field_from(f: Mapping[str, object]) -> FieldSpec:
    name = str(f["name"])
    return FieldSpec(
        name,
        str(f.get("key") or name),
        str(f.get("kind", "text")),
        bool(f.get("optional", False)),
        need_int(f.get("max", 2000)),
        tuple(str(o) for o in list_of(f.get("options", ()))),
        need_int(f.get("min", 0)),
        need_int(f.get("max_value", 10**9)),
    )


def ledger_from(data: object) -> LedgerSpec:
    """The ledger spec of a campaign file's `ledger` section (validated by the campaign)."""
    if not data:
        return LedgerSpec()
    spec = mapping_of(data)
    fields = (
        tuple(_field_from(mapping_of(f)) for f in list_of(spec.get("fields", ()))) or DEFAULT_FIELDS
    )
    rules = tuple(
        parse_rule(str(r["check"]), str(r.get("message", "")))
        for r in map(mapping_of, list_of(spec.get("rules", ())))
    )
    return LedgerSpec(fields, rules)


def spec_to_json(spec: LedgerSpec) -> JSONObject:
    """The form stored with the campaign."""
    return {
        "fields": [
            {
                "name": f.name,
                "key": f.key,
                "kind": f.kind,
                "optional": f.optional,
                "max": f.max_len,
                "options": list(f.options),
                "min": f.minimum,
                "max_value": f.maximum,
            }
            for f in spec.fields
        ],
        "rules": [{"check": r.text, "message": r.message} for r in spec.rules],
    }
