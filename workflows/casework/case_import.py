"""Reading seed 003's annex 3 (登记办理台账) into forwarded cases, all rows or none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from workflows.calendar.dates import DateError, parse_due
from workflows.json_read import json_of
from workflows.json_types import JSONObject
from workflows.messages import Msg, msg
from workflows.words import name_key

TEXT = "问题内容简要"
RECEIVED = "受理和收到时间"
UNIT_COLUMNS = ("单位", "承办单位", "县区", "县（市、区）")
DONE = "是否办结"
ANNEX_3 = (
    "序号",
    "投诉/举报人及联系方式",
    "是否棚改未回迁",
    "原住房具体位置",
    "协议签订时间",
    "协议明确回迁时间",
    "回迁安置项目名称",
    "问题内容简要",
    "信息来源",
    "受理和收到时间",
    "承办科室",
    "受理人",
    "是否棚改征收",
    "是否发生逾期",
    "填报逾期项目清单时间",
    "拟采取整改措施",
    "办理进展或结果",
    "是否办结",
    "备注",
)
RECEIVED_AT = time(9, 0)  # a receipt written as a date alone: the start of the working day


@dataclass(frozen=True)
class ImportedCase:
    """One row, read."""

    row: int
    unit: str
    text: str
    reference: str
    received: datetime  # naive, local time
    answered: bool
    fields: JSONObject


@dataclass
class ImportReading:
    """The rows read, every cell that could not be read (by row number and column), and what
    is wrong with the file as a whole (no unit given anywhere)."""

    cases: list[ImportedCase] = field(default_factory=list)
    problems: list[tuple[int, str, Msg]] = field(default_factory=list)
    file_problems: list[Msg] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Whether nothing may be imported: all rows or none."""
        return bool(self.problems or self.file_problems)


def _received(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, RECEIVED_AT)
    text = str(value or "").strip()
    if not text:
        raise DateError("date.unreadable", text)
    due = parse_due(text, year=1)
    if due.day.year < 2000:  # no year written: a registration ledger must say which
        raise DateError("import.no_year", text)
    return datetime.combine(due.day, due.at or RECEIVED_AT)


def read_case_rows(
    rows: Sequence[Mapping[str, object]],
    *,
    units: Sequence[str],
    default_unit: str | None = None,
    first_row: int = 2,
) -> ImportReading:
    """Read every row; `first_row` is the sheet row number of `rows[0]` (after the header)."""
    reading = ImportReading()
    canonical = {name_key(u): u for u in units}
    default = canonical.get(name_key(default_unit or ""), default_unit or "")
    rows = [{str(k).strip(): v for k, v in raw.items() if k is not None} for raw in rows]
    has_column = any(c in row for row in rows for c in UNIT_COLUMNS)
    # Annex 3 has no unit column: the unit comes from --unit, and saying so (with the units
    # to choose from) beats naming, row after row, a column the file does not have.
    if default_unit and default not in units:
        reading.file_problems.append(
            msg("import.unknown_default_unit", text=default_unit, units=list(units))
        )
    elif not default_unit and not has_column:
        example = units[0] if units else ""
        reading.file_problems.append(msg("import.no_unit", units=list(units), example=example))
    for i, row in enumerate(rows):
        number = first_row + i
        if not any(str(v or "").strip() for v in row.values()):
            continue  # blank lines between entries
        text = str(row.get(TEXT) or "").strip()
        if not text:
            reading.problems.append((number, TEXT, msg("import.missing")))
        column = next((c for c in UNIT_COLUMNS if str(row.get(c) or "").strip()), None)
        own = str(row[column]).strip() if column else ""
        unit = canonical.get(name_key(own), own) if own else default
        if column and unit not in units:
            reading.problems.append((number, column, msg("import.unknown_unit", text=own)))
        elif has_column and not own and not default_unit:
            column = next((c for c in UNIT_COLUMNS if c in row), UNIT_COLUMNS[0])
            reading.problems.append((number, column, msg("import.missing_unit")))
        try:
            received = _received(row.get(RECEIVED))
        except DateError as err:
            reading.problems.append((number, RECEIVED, err.message))
            continue
        if not text or unit not in units:
            continue
        reading.cases.append(
            ImportedCase(
                number,
                unit,
                text,
                str(row.get("序号") or "").strip(),
                received,
                str(row.get(DONE) or "").strip() in ("是", "已办结", "Y", "y", "yes"),
                {
                    k: (v.isoformat() if isinstance(v, datetime | date) else json_of(v))
                    for k, v in row.items()
                    if v not in (None, "")
                },
            )
        )
    return reading
