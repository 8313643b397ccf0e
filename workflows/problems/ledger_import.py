"""Reading a unit's own ledger workbook (问题整改台账) into its items, every cell checked.

People's ledgers have title rows above the header, merged header cells, a 序号 column,
full-width spaces and line breaks inside headers, their own words for the columns (整改措施
for 处置措施预案), dates typed as text (`2024年6月30日`, `6月30日`, `2024.6.30`), empty rows
and a 合计 row at the end. The reader finds the header row itself, reads each row against the
campaign's ledger, and matches it to an existing item by 编号, else by 突出问题名称 within the
unit. Rows are read one at a time and handed on, so a preview and a save read the same way
and memory does not grow with the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain

from workflows.calendar.dates import DateError, parse_due
from workflows.forms.inputs import InputError, Number
from workflows.json_read import list_of, mapping_of, need_int
from workflows.json_types import JSONValue
from workflows.messages import Msg, lines, msg
from workflows.problems.ledger import SOURCE_FIELD, SOURCES, FieldSpec, LedgerSpec
from workflows.problems.workbook import Cell, Formula, Row, Sheet, column_letter, text_of
from workflows.words import name_key

HEADER_SCAN = 30  # rows searched for the header
PREVIEW_SHOWN = 20  # problems, new and changed items listed in a preview
STOP_AFTER = 1000  # problems after which a file is not read further
CODE, UNIT, SEQ, IGNORED = "__code__", "__unit__", "__seq__", "__ignored__"

# Other words people use for the columns of seed 001's ledger, by field key.
VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("突出问题名称", "问题名称", "突出问题", "问题", "问题标题", "问题简述"),
    "summary": (
        "主要案情",
        "案情",
        "主要问题",
        "问题描述",
        "具体问题",
        "基本情况",
        "案情简介",
        "主要情况",
        "问题简要情况",
    ),
    "category": ("问题分类", "分类", "问题类别", "类别", "问题类型"),
    "measures": (
        "处置措施预案",
        "整改措施",
        "处置措施",
        "整改措施预案",
        "拟采取整改措施",
        "措施",
        "整改方案",
    ),
    "due_on": (
        "办结时间",
        "办结时限",
        "完成时限",
        "整改时限",
        "整改期限",
        "完成时间",
        "整改完成时限",
        "计划完成时间",
    ),
    "lead": (
        "牵头部门及责任人员",
        "牵头部门及责任人",
        "牵头单位及责任人",
        "责任单位及责任人",
        "牵头部门",
        "牵头单位",
        "责任单位",
        "责任人",
    ),
    "remarks": ("备注",),
    "source": ("问题来源", "来源", "线索来源"),
}
OTHER_COLUMNS: dict[str, tuple[str, ...]] = {
    CODE: ("编号", "问题编号"),
    UNIT: ("单位", "填报单位", "县市区"),
    SEQ: ("序号",),
    IGNORED: ("状态", "最新进展"),  # the export's own columns: read back, never imported
}
SKIP_WORDS = ("合计", "总计", "小计", "注:", "注：", "填报人", "填表人", "制表", "审核人", "联系人")


def header_key(text: object) -> str:
    """A header as compared: full-width folded, no spaces or line breaks, no `*` marks."""
    t = unicodedata.normalize("NFKC", text_of(text))
    return re.sub(r"[\s*:：]", "", t)


def _bare(key: str) -> str:
    """The header without a parenthesised note (`办结时间(时限)` → `办结时间`)."""
    return re.sub(r"\([^()]*\)$", "", key)


@dataclass(frozen=True)
class Header:
    """Where a sheet's header is, and which column holds which field."""

    last_row: int  # the header's last row; data starts below it
    columns: Mapping[int, str]  # column index → field key (or CODE, UNIT, SEQ, IGNORED)
    labels: Mapping[int, str]  # column index → the header as written, for messages


def _words(spec: LedgerSpec) -> dict[str, str]:
    """Every header word the reader knows → the field key (or a special column)."""
    words: dict[str, str] = {}
    for special, names in OTHER_COLUMNS.items():
        for n in names:
            words.setdefault(header_key(n), special)
    for f in (*spec.fields, SOURCE_FIELD):  # the campaign's own header first
        words[header_key(f.name)] = f.key
    for f in (*spec.fields, SOURCE_FIELD):
        for n in VARIANTS.get(f.key, ()):
            words.setdefault(header_key(n), f.key)
    return words


def _lookup(words: Mapping[str, str], value: Cell) -> str | None:
    if value is None or isinstance(value, Formula):
        return None
    key = header_key(value)
    return words.get(key) or words.get(_bare(key)) if key else None


def naming_field(spec: LedgerSpec) -> str:
    """The key of the field that names a problem (突出问题名称)."""
    return "name" if any(f.key == "name" for f in spec.fields) else spec.fields[0].key


def find_header(rows: Sequence[tuple[int, Row]], spec: LedgerSpec) -> Header | None:
    """The row (with the rows a merged header spans) naming the problem and two more fields."""
    words = _words(spec)
    fields = {f.key for f in (*spec.fields, SOURCE_FIELD)}
    naming = naming_field(spec)
    best: tuple[int, int] | None = None  # (score, index)
    for i, (_, row) in enumerate(rows):
        found = {_lookup(words, v) for v in row} & fields
        if naming in found and len(found) >= 3 and (best is None or len(found) > best[0]):
            best = (len(found), i)
    if best is None:
        return None
    i = best[1]
    number, row = rows[i]
    cells: dict[int, Cell] = dict(enumerate(row))
    if i > 0:  # a header cell merged down from the row above keeps its text there
        for c, v in enumerate(rows[i - 1][1]):
            if text_of(cells.get(c)) == "" and _lookup(words, v):
                cells[c] = v
    last = number
    if i + 1 < len(rows):  # sub-headers under a merged parent (整改情况 → 措施 | 时限)
        below_number, below = rows[i + 1]
        given = [(c, v) for c, v in enumerate(below) if text_of(v)]
        if given and all(_lookup(words, v) for _, v in given):
            for c, v in given:
                if not _lookup(words, cells.get(c)):
                    cells[c] = v
            last = below_number
    own = {header_key(f.name) for f in (*spec.fields, SOURCE_FIELD)}
    ranked = sorted(
        (header_key(v) not in own, c, key, v)
        for c, v in cells.items()
        if (key := _lookup(words, v)) is not None
    )
    columns: dict[int, str] = {}
    labels: dict[int, str] = {}
    for _, c, key, v in ranked:  # the campaign's own header wins over a variant, then the left
        if key not in columns.values():
            columns[c] = key
            labels[c] = " ".join(text_of(v).split())
    return Header(last, dict(sorted(columns.items())), labels)


@dataclass(frozen=True)
class Known:
    """An item already in the unit's ledger, as the import compares against it."""

    id: int
    code: str
    name: str
    version: int
    values: Mapping[str, object]  # field key → value, dates as ISO text


@dataclass
class KnownItems:
    """The unit's items, found by 编号 and by name."""

    by_code: dict[str, Known] = field(default_factory=dict)
    by_name: dict[str, list[Known]] = field(default_factory=dict)

    @classmethod
    def of(cls, items: Iterable[Known]) -> KnownItems:
        """The index of these items."""
        out = cls()
        for k in items:
            out.by_code[k.code] = k
            out.by_name.setdefault(name_key(k.name), []).append(k)
        return out


@dataclass(frozen=True)
class LedgerTarget:
    """What a ledger is read against: the unit, the campaign's ledger, its categories, year."""

    unit: str
    units: Sequence[str]
    spec: LedgerSpec
    categories: Sequence[str]
    year: int


@dataclass(frozen=True)
class Problem:
    """A cell (or a row, or a file) that cannot be imported, and why."""

    sheet: str
    row: int
    column: str  # `E列“办结时间”`, or "" for the whole row
    message: Msg


# a field's value as a row gives it: text, a number, a day as ISO text, or none (a cleared cell)
FieldValue = str | int | None


@dataclass(frozen=True)
class ImportRow:
    """One row read: a new item (`item_id` None), or the changes to an existing one."""

    sheet: str
    row: int
    name: str
    values: Mapping[str, FieldValue]  # new: every column given; existing: the changed ones
    item_id: int | None = None
    code: str = ""
    version: int = 0
    changed: tuple[str, ...] = ()  # the headers of the changed fields

    @property
    def is_new(self) -> bool:
        """Whether the row adds an item."""
        return self.item_id is None


@dataclass(frozen=True)
class Skipped:
    """A row of another unit (a whole campaign's export read for one unit)."""

    sheet: str
    row: int


Event = ImportRow | Problem | Skipped


def _excel_day(serial: float) -> date:
    return date(1899, 12, 30) + timedelta(days=int(serial))


def _as_date(value: Cell, year: int) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool) and 36526 <= value < 73051:
        return _excel_day(value).isoformat()  # a date serial in a cell not formatted as a date
    return parse_due(text_of(value), year=year).day.isoformat()


def _value(f: FieldSpec, raw: Cell, target: LedgerTarget) -> str | int:
    """A cell read as the field it stands in; raises `ValueError` with the reason as a Msg."""
    if f.kind == "date":
        try:
            return _as_date(raw, target.year)
        except DateError as err:
            raise _Bad(err.message) from None
    text = text_of(raw)
    if f.kind == "number":
        try:
            return Number(f.minimum, f.maximum).read(text)
        except InputError as err:
            raise _Bad(err.message) from None
    if f.kind == "category" and target.categories:
        canonical = {name_key(c): c for c in target.categories}
        if name_key(text) not in canonical:
            raise _Bad(
                msg("ledger_import.bad_category", text=text, options=list(target.categories))
            )
        return canonical[name_key(text)]
    if f.kind == "choice":
        options = f.options or SOURCES
        canonical = {name_key(o): o for o in options}
        if name_key(text) not in canonical:
            raise _Bad(msg("ledger_import.bad_choice", text=text, options=list(options)))
        return canonical[name_key(text)]
    if len(text) > f.max_len:
        raise _Bad(msg("form.text_too_long", max=f.max_len, length=len(text)))
    return text


class _Bad(ValueError):
    def __init__(self, message: Msg) -> None:
        super().__init__(message.id)
        self.message = message


def _same(a: object, b: object) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
    return bool(a == b)


def _skip_row(row: Row) -> bool:
    """A totals row, or a footnote such as `填报人：` under the table."""
    first = next((text_of(v) for v in row if text_of(v)), "")
    squeezed = re.sub(r"\s", "", unicodedata.normalize("NFKC", first))
    return squeezed.startswith(tuple(unicodedata.normalize("NFKC", w) for w in SKIP_WORDS))


def read_ledger_rows(
    sheet: str,
    rows: Iterator[tuple[int, Row]],
    header: Header,
    target: LedgerTarget,
    known: KnownItems,
    seen: dict[int, int],
) -> Iterator[Event]:
    """Each data row under the header: a new item, the changes to a known one, or problems.

    `seen` (item id → row) carries the items already matched across sheets, so a file that
    names the same item twice is refused rather than applied twice.
    """
    specs = {f.key: f for f in (*target.spec.fields, SOURCE_FIELD)}
    naming = naming_field(target.spec)
    own = name_key(target.unit)
    units = {name_key(u) for u in target.units}
    where = {k: _where(header, k) for k in header.columns.values()}
    for number, row in rows:
        if number <= header.last_row:
            continue
        cells = {key: row[c] for c, key in header.columns.items() if c < len(row)}
        given = {k: v for k, v in cells.items() if v is not None and text_of(v) != ""}
        if not given or _skip_row(row):
            continue
        unit = text_of(given.get(UNIT))
        if unit and name_key(unit) != own:
            if name_key(unit) in units:
                yield Skipped(sheet, number)
            else:
                yield Problem(sheet, number, where[UNIT], msg("import.unknown_unit", text=unit))
            continue
        field_cells = [k for k in given if k in specs]
        if naming not in given:
            if len(field_cells) >= 2:
                yield Problem(sheet, number, _where(header, naming), msg("import.missing"))
            continue
        values: dict[str, FieldValue] = {}
        bad = False
        for key in (k for k in cells if k in specs):
            raw = cells[key]
            if isinstance(raw, Formula):
                yield Problem(
                    sheet, number, where[key], msg("ledger_import.formula", formula=raw.text)
                )
                bad = True
                continue
            if raw is None or text_of(raw) == "":
                values[key] = "" if specs[key].kind in ("text", "category", "choice") else None
                continue
            try:
                values[key] = _value(specs[key], raw, target)
            except _Bad as err:
                yield Problem(sheet, number, where[key], err.message)
                bad = True
        if not bad:
            broken = _broken_rule(target.spec, values)
            if broken is not None:
                yield Problem(sheet, number, "", msg("ledger.rule_broken", rule=broken))
                bad = True
        name = text_of(given[naming])
        match, problem = _match(text_of(given.get(CODE)), name, known)
        if problem is not None:
            yield Problem(sheet, number, _where(header, naming), problem)
            continue
        if match is not None and match.id in seen:
            yield Problem(
                sheet, number, "", msg("ledger_import.twice", code=match.code, row=seen[match.id])
            )
            continue
        if match is not None:
            seen[match.id] = number
        if bad:
            continue
        if match is None:
            yield ImportRow(sheet, number, name, values)
            continue
        changed = {k: v for k, v in values.items() if not _same(v, match.values.get(k))}
        yield ImportRow(
            sheet,
            number,
            name,
            changed,
            match.id,
            match.code,
            match.version,
            tuple(specs[k].name for k in changed),
        )


def _where(header: Header, key: str) -> str:
    for c, k in header.columns.items():
        if k == key:
            return f"{column_letter(c)}:{header.labels[c]}"
    return ""


def _match(code: str, name: str, known: KnownItems) -> tuple[Known | None, Msg | None]:
    """The known item a row speaks of: by 编号, else by name; several of that name is an error."""
    if code and code in known.by_code:
        return known.by_code[code], None
    alike = known.by_name.get(name_key(name), [])
    if len(alike) > 1:
        return None, msg("ledger_import.ambiguous", name=name, codes=[k.code for k in alike])
    return (alike[0] if alike else None), None


def _broken_rule(spec: LedgerSpec, values: Mapping[str, object]) -> str | None:
    numbers = {
        f.name: number
        for f in spec.fields
        if f.kind == "number" and isinstance(number := values.get(f.key), int)
    }
    for rule in spec.rules:
        if rule.holds(numbers) is False:
            return rule.message
    return None


def read_book(sheets: Iterable[Sheet], target: LedgerTarget, known: KnownItems) -> Iterator[Event]:
    """Every ledger sheet of a workbook, row by row; a workbook without one is one Problem."""
    seen: dict[int, int] = {}
    found = False
    for sheet in sheets:
        if sheet.hidden:
            continue
        rows = sheet.rows()
        head: list[tuple[int, Row]] = []
        for pair in rows:
            head.append(pair)
            if len(head) >= HEADER_SCAN:
                break
        header = find_header(head, target.spec)
        if header is None:
            continue
        found = True
        yield from read_ledger_rows(sheet.name, chain(head, rows), header, target, known, seen)
    if not found:
        names = [f.name for f in target.spec.fields if not f.optional]
        yield Problem("", 0, "", msg("ledger_import.no_header", columns=names, rows=HEADER_SCAN))


@dataclass
class Tally:
    """What a read found, for the preview: counts, and the first few of each kind listed."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: int = 0
    stopped: bool = False  # too many problems: the rest of the file was not read
    listed_problems: list[Problem] = field(default_factory=list)
    listed_new: list[ImportRow] = field(default_factory=list)
    listed_changed: list[ImportRow] = field(default_factory=list)

    def add(self, event: Event) -> None:
        """Count one event."""
        if isinstance(event, Problem):
            self.problems += 1
            if len(self.listed_problems) < PREVIEW_SHOWN:
                self.listed_problems.append(event)
        elif isinstance(event, Skipped):
            self.skipped += 1
        elif event.is_new:
            self.new += 1
            if len(self.listed_new) < PREVIEW_SHOWN:
                self.listed_new.append(event)
        elif event.changed:
            self.changed += 1
            if len(self.listed_changed) < PREVIEW_SHOWN:
                self.listed_changed.append(event)
        else:
            self.unchanged += 1

    @property
    def ready(self) -> bool:
        """Whether the file can be imported as it is: no problem, and something to do."""
        return not self.problems and bool(self.new or self.changed)


def tally(events: Iterable[Event]) -> Tally:
    """Count a read, stopping once there are too many problems to be worth reading on."""
    out = Tally()
    for event in events:
        out.add(event)
        if out.problems >= STOP_AFTER:
            out.stopped = True
            break
    return out


def problem_line(p: Problem) -> Msg:
    """`工作表“问题台账”第7行 E列“办结时间”：…`."""
    if not p.sheet:
        return p.message
    if not p.column:
        return msg("ledger_import.problem_row", sheet=p.sheet, row=p.row, problem=p.message)
    letter, _, label = p.column.partition(":")
    return msg(
        "ledger_import.problem",
        sheet=p.sheet,
        row=p.row,
        letter=letter,
        column=label,
        problem=p.message,
    )


def preview_message(t: Tally, *, unit: str, file: str) -> Msg:
    """The one answer to a ledger workbook: what it would do, or every problem in it."""
    counts = msg("ledger_import.counts", new=t.new, changed=t.changed)
    if t.problems == 1 and not t.listed_problems[0].sheet:  # the file as a whole: no header
        return t.listed_problems[0].message
    if t.problems:
        out: list[Msg | str] = [
            msg("ledger_import.refused", file=file, unit=unit, count=t.problems),
            *(problem_line(p) for p in t.listed_problems),
        ]
        if t.problems > len(t.listed_problems):
            out.append(msg("ledger_import.more", count=t.problems - len(t.listed_problems)))
        if t.stopped:
            out.append(msg("ledger_import.stopped", count=STOP_AFTER))
        return lines([*out, msg("ledger_import.readable", counts=counts)])
    if not (t.new or t.changed):
        return msg("ledger_import.nothing", file=file, unit=unit, unchanged=t.unchanged)
    out = [msg("ledger_import.preview", file=file, unit=unit), counts]
    if t.new:
        out.append(msg("ledger_import.new_header", count=t.new))
        out += [msg("ledger_import.new_line", name=r.name) for r in t.listed_new]
        if t.new > len(t.listed_new):
            out.append(msg("ledger_import.and_more", count=t.new - len(t.listed_new)))
    if t.changed:
        out.append(msg("ledger_import.changed_header", count=t.changed))
        out += [
            msg("ledger_import.changed_line", code=r.code, name=r.name, fields=list(r.changed))
            for r in t.listed_changed
        ]
        if t.changed > len(t.listed_changed):
            out.append(msg("ledger_import.and_more", count=t.changed - len(t.listed_changed)))
    if t.unchanged:
        out.append(msg("ledger_import.unchanged", count=t.unchanged))
    if t.skipped:
        out.append(msg("ledger_import.skipped", count=t.skipped))
    return lines([*out, msg("ledger_import.confirm_hint")])


@dataclass(frozen=True)
class UploadSeen:
    """A file sent to the bot, and where it arrived, as routing it reads them."""

    name: str
    sheet: bool  # a spreadsheet by name or type
    size: int
    forced: bool  # sent with /import (or its caption): read as a workbook whatever is open
    unbound_group: bool
    flow_takes_files: bool | None  # None: no flow open here
    has_campaign: bool
    may_import: bool  # an admin, or a liaison of some unit


PASS, EVIDENCE, READ = "pass", "evidence", "read"


def route_upload(seen: UploadSeen, *, max_bytes: int) -> str | Msg:
    """Where a file goes: `PASS` (to the open flow or the usual handler), `EVIDENCE` (try it as
    evidence for the week's filled form, else pass), `READ` (read it as a workbook), or the
    message that refuses it."""
    if seen.unbound_group:
        return PASS  # an unbound group: only /bind is answered there
    if not seen.forced:
        flow = seen.flow_takes_files
        if flow or (flow is not None and not seen.sheet):
            return PASS
        if not seen.sheet:
            return EVIDENCE
    if not seen.has_campaign:
        return msg("bind.no_campaign")
    if not seen.sheet:
        return msg("workbook.not_a_workbook", name=seen.name)
    if not seen.may_import:
        return msg("ledger_import.who")
    if seen.size > max_bytes:
        return msg("workbook.too_big", name=seen.name, max_mb=max_bytes // 2**20)
    return READ


BATCH = 250  # rows written in one unit of work: other chats' turns get the database between


@dataclass(frozen=True)
class ImportProgress:
    """How far a confirmed import has been saved, kept with the upload batch by batch.

    `done` counts the file's rows (every ImportRow, in file order, unchanged ones too) saved or
    passed over; `made` the items the import added, left out when the file is read again to
    go on, so its own new rows read as new again and are not matched to themselves.
    """

    done: int = 0
    new: int = 0
    changed: int = 0
    made: tuple[int, ...] = ()

    @classmethod
    def of(cls, state: Mapping[str, object]) -> ImportProgress:
        """The progress kept in an upload's state (nothing saved yet: zeros)."""
        kept = mapping_of(state.get("progress"))
        return cls(
            need_int(kept.get("done", 0)),
            need_int(kept.get("new", 0)),
            need_int(kept.get("changed", 0)),
            tuple(need_int(i) for i in list_of(kept.get("made", ()))),
        )

    def kept(self) -> dict[str, JSONValue]:
        """As an upload's state keeps it."""
        return {"done": self.done, "new": self.new, "changed": self.changed, "made": [*self.made]}

    def after(self, end: int, rows: Sequence[ImportRow], made: Iterable[int]) -> ImportProgress:
        """The progress once rows[done:end] are saved, adding the items `made`."""
        part = rows[self.done : end]
        return ImportProgress(
            end,
            self.new + sum(r.is_new for r in part),
            self.changed + sum(bool(not r.is_new and r.changed) for r in part),
            (*self.made, *made),
        )


def rows_to_save(
    events: Iterable[Event], progress: ImportProgress, expected: tuple[int, int]
) -> list[ImportRow] | None:
    """The file's rows in order, if what is saved and what is left do what the preview said
    (`expected`: its new and changed); None if the file or the ledger changed meanwhile."""
    rows: list[ImportRow] = []
    for event in events:
        if isinstance(event, Problem):
            return None
        if isinstance(event, ImportRow):
            rows.append(event)
    if progress.done > len(rows):
        return None
    whole = progress.after(len(rows), rows, ())
    return rows if (whole.new, whole.changed) == expected else None


def batch_end(rows: Sequence[ImportRow], start: int, size: int = BATCH) -> int:
    """Where the batch beginning at `start` ends: after `size` rows that write, or the last."""
    writes = 0
    for i in range(start, len(rows)):
        if rows[i].is_new or rows[i].changed:
            writes += 1
            if writes > size:
                return i
    return len(rows)
