"""A week by workbook (下载填报表): the unit's open items in a form, and the filled form read back.

The form lists each open item with its last progress and leaves this week's columns empty:
the status (a drop-down of the four), progress, result, reason and new planned date. Read
back, each row is checked by the weekly update's own steps (the same kinds, the same
conditions: 进度滞后 needs a reason and a date not in the past), so a week given in the form
ends where the same answers given step by step would.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter

from workflows.forms.contexts import ItemSnapshot, WeeklyContext
from workflows.forms.engine import Flow
from workflows.forms.inputs import Attachments, Choice, FormEnv, InputError, StatusCard, TextAnswer
from workflows.messages import msg
from workflows.outcome import Refused
from workflows.problems.ledger_import import Problem, header_key
from workflows.problems.workbook import Book, Cell, Formula, column_letter, text_of
from workflows.week.week_answers import files_of, item_prefix, status_of
from workflows.week.weekly import DONE

FORM_SHEET = "填报表"
META_SHEET = "_taizhang"
MARK = "taizhang-weekly-form"
CODE, NAME, DUE, LAST = "编号", "突出问题名称", "办结时间", "最新进展"
STATUS, PROGRESS, RESULT, REASON, PLANNED = (
    "进展情况",
    "整改进展",
    "整改结果",
    "滞后原因",
    "计划完成时间",
)
HEADERS = (CODE, NAME, DUE, LAST, STATUS, PROGRESS, RESULT, REASON, PLANNED)
# The answer each column gives, by the weekly update's value keys (`i{id}.<suffix>`).
COLUMN_OF = {
    "status": STATUS,
    "progress": PROGRESS,
    "note": PROGRESS,
    "result": RESULT,
    "reason": REASON,
    "planned": PLANNED,
}
FIRST_ROW = 4  # title, instructions, header, then the items


def write_form(
    context: WeeklyContext,
    *,
    title: str,
    instructions: str,
    statuses: Sequence[str],
) -> bytes:
    """The form for a week's update of the context's items; `statuses` are the drop-down's."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    fill = book.add_format({"bg_color": "#FFF2CC", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    day = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    sheet = book.add_worksheet(FORM_SHEET)
    meta = book.add_worksheet(META_SHEET)
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, title, book.add_format({"bold": True}))
    sheet.merge_range(1, 0, 1, len(HEADERS) - 1, instructions, wrap)
    sheet.set_row(1, 45)
    for c, h in enumerate(HEADERS):
        sheet.write_string(FIRST_ROW - 2, c, h, head)
    for c, width in enumerate((12, 30, 12, 40, 20, 40, 30, 30, 14)):
        sheet.set_column(c, c, width)
    items = context["items"]
    for r, it in enumerate(items, FIRST_ROW - 1):
        sheet.write_string(r, 0, it["code"], wrap)
        sheet.write_string(r, 1, it["name"], wrap)
        if due := it.get("due"):
            sheet.write_datetime(r, 2, datetime.fromisoformat(due), day)
        sheet.write_string(r, 3, it.get("last") or "", wrap)
        for c in range(4, len(HEADERS)):
            sheet.write_blank(r, c, None, fill)
    if items:
        sheet.data_validation(
            FIRST_ROW - 1,
            4,
            FIRST_ROW - 2 + len(items),
            4,
            {
                "validate": "list",
                "source": f"='{META_SHEET}'!$A$2:$A${1 + len(statuses)}",
                "error_message": " / ".join(statuses)[:255],
            },
        )
    sheet.freeze_panes(FIRST_ROW - 1, 2)
    about = {
        "unit": context["unit"],
        "unit_id": context["unit_id"],
        "report": context["report"],
        "report_name": context["report_name"],
        "period": context["period"],
    }
    meta.write_string(0, 0, MARK)
    meta.write_string(0, 1, json.dumps(about, ensure_ascii=False))
    for r, label in enumerate(statuses, 1):
        meta.write_string(r, 0, label)
    meta.hide()
    sheet.activate()
    book.close()
    return out.getvalue()


@dataclass(frozen=True)
class FormOrigin:
    """What a filled form says it is for: the unit, which weekly report, which week."""

    unit_id: int | None  # None: the workbook's note was edited beyond reading
    report: int
    period: str


def form_origin(about: Mapping[str, object]) -> FormOrigin:
    """The form's note read with care: it is a hidden sheet, but a person can still edit it."""
    unit_id, report = about.get("unit_id"), about.get("report")
    return FormOrigin(
        unit_id if isinstance(unit_id, int) and unit_id > 0 else None,
        report if isinstance(report, int) and report >= 0 else 0,
        str(about.get("period") or ""),
    )


def may_read_form(
    origin: FormOrigin,
    *,
    unit: str | None,
    chat_unit: int | None,
    in_group: bool,
    reports_for_unit: bool,
) -> Refused | None:
    """Whether the form may be read here and by this person: a form of this campaign's unit
    (`unit` is its name, None if the form is of no unit here), sent in that unit's group or in
    private, by one of its liaisons."""
    if unit is None or origin.unit_id is None:
        return Refused(msg("weekly_form.not_ours"))
    if in_group and chat_unit != origin.unit_id:
        return Refused(msg("weekly_form.other_unit", unit=unit))
    if not reports_for_unit:
        return Refused(msg("submit.not_liaison", unit=unit))
    return None


def is_this_week(origin: FormOrigin, period: str, report_name: str) -> Refused | None:
    """A form of an earlier week is not read into this one: its rows answered other items."""
    if origin.period != period:
        return Refused(msg("weekly_form.old_week", name=report_name))
    return None


def form_meta(book: Book) -> FormOrigin | None:
    """What a filled form says about itself (unit, week), or None for any other workbook."""
    sheet = book.sheet(META_SHEET)
    if sheet is None:
        return None
    for _, row in sheet.rows():
        if len(row) > 1 and row[0] == MARK:
            try:
                about = json.loads(str(row[1]))
            except ValueError:
                return None
            return form_origin(about) if isinstance(about, dict) else None
        break
    return None


@dataclass(frozen=True)
class FormRow:
    """One item's row of the filled form: its sheet row and the answers by column."""

    row: int
    cells: Mapping[str, Cell]
    letters: Mapping[str, str]  # header → the column's letter, as the person's sheet has it


@dataclass
class FormReading:
    """The answers by item id, and every cell that cannot be taken."""

    values: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def form_rows(book: Book) -> tuple[dict[str, FormRow], list[Problem]]:
    """The filled rows by 编号; a row named twice is a problem."""
    sheet = book.sheet(FORM_SHEET) or next((s for s in book.sheets if not s.hidden), None)
    rows: dict[str, FormRow] = {}
    problems: list[Problem] = []
    if sheet is None:
        return rows, problems
    columns: dict[int, str] = {}
    wanted = {header_key(h): h for h in HEADERS}
    for number, row in sheet.rows():
        if not columns:
            found = {c: wanted[header_key(v)] for c, v in enumerate(row) if header_key(v) in wanted}
            if CODE in found.values() and STATUS in found.values():
                columns = found
            continue
        cells = {h: row[c] for c, h in columns.items() if c < len(row)}
        code = text_of(cells.get(CODE))
        if not code:
            continue
        if code in rows:
            problems.append(
                Problem(
                    sheet.name, number, "", msg("weekly_form.twice", code=code, row=rows[code].row)
                )
            )
            continue
        letters = {h: column_letter(c) for c, h in columns.items()}
        rows[code] = FormRow(number, cells, letters)
    return rows, problems


def _answer(raw: Cell) -> TextAnswer:
    if isinstance(raw, datetime | date):
        day = raw.date() if isinstance(raw, datetime) else raw
        return TextAnswer(day.isoformat())
    return TextAnswer(text_of(raw))


def _where(header: str, row: FormRow | None = None) -> str:
    letters = row.letters if row is not None else {}
    return f"{letters.get(header) or column_letter(HEADERS.index(header))}:{header}"


def week_answers(
    context: WeeklyContext,
    rows: Mapping[str, FormRow],
    flow: Flow,
    env: FormEnv,
    status_words: Mapping[str, str],
    *,
    sheet: str = FORM_SHEET,
) -> FormReading:
    """The week's values from the filled rows, each checked by the flow's own step for it.

    `status_words` maps what the drop-down says (in any language) to the status value.
    Evidence for close-outs is not in the form: it is sent as files afterwards.
    """
    reading = FormReading(values={"new": "no"})
    steps = {s.field: s for s in flow.steps}
    items = context["items"]
    known = {it["code"] for it in items}
    for code, stray in rows.items():
        if code not in known:
            cell = _where(CODE, stray)
            reading.problems.append(
                Problem(sheet, stray.row, cell, msg("weekly_form.not_open", code=code))
            )
    for it in items:
        row = rows.get(it["code"])
        k = item_prefix(it["id"])
        if row is None:
            reading.problems.append(Problem("", 0, "", msg("weekly_form.missing", code=it["code"])))
            continue
        for name in (s for s in steps if s.startswith(k)):
            step = steps[name]
            suffix = name[len(k) :]
            if isinstance(step.kind, Attachments) or suffix not in COLUMN_OF:
                continue
            if step.when is not None and not step.when({**context, **reading.values}):
                continue
            header = COLUMN_OF[suffix]
            raw = row.cells.get(header)
            where = (sheet, row.row, _where(header, row))
            if isinstance(raw, Formula):
                reading.problems.append(
                    Problem(*where, msg("ledger_import.formula", formula=raw.text))
                )
                continue
            if raw is None or text_of(raw) == "":
                if step.optional:
                    continue
                reading.problems.append(Problem(*where, msg("weekly_form.empty", column=header)))
                continue
            answer = _answer(raw)
            if isinstance(step.kind, StatusCard):
                _read_card(step.kind, name, answer, row, sheet, status_words, reading, env)
                continue
            if isinstance(step.kind, Choice):
                value = status_words.get(header_key(answer.text))
                if value is None:
                    labels = [o.label for o in step.kind.options]
                    problem = msg("weekly_form.bad_status", text=answer.text, options=labels)
                    reading.problems.append(Problem(*where, problem))
                    continue
                answer = TextAnswer(value)
            try:
                reading.values[name] = step.kind.parse(answer, env)
            except InputError as err:
                reading.problems.append(Problem(*where, err.message))
    return reading


def _read_card(
    card: StatusCard,
    name: str,
    answer: TextAnswer,
    row: FormRow,
    sheet: str,
    words: Mapping[str, str],
    reading: FormReading,
    env: FormEnv,
) -> None:
    """An item card's two cells: the status, and the progress its status calls for."""
    status = words.get(header_key(answer.text))
    where = (sheet, row.row, _where(STATUS, row))
    if status is None:
        labels = [o.label for o in card.options]
        reading.problems.append(
            Problem(*where, msg("weekly_form.bad_status", text=answer.text, options=labels))
        )
        return
    reading.values[name] = status
    raw = row.cells.get(PROGRESS)
    place = (sheet, row.row, _where(PROGRESS, row))
    if isinstance(raw, Formula):
        reading.problems.append(Problem(*place, msg("ledger_import.formula", formula=raw.text)))
        return
    if raw is None or text_of(raw) == "":
        if status in card.texted:
            reading.problems.append(Problem(*place, msg("weekly_form.empty", column=PROGRESS)))
        return
    try:
        reading.values[card.text_field] = card.parse(_answer(raw), env)
    except InputError as err:
        reading.problems.append(Problem(*place, err.message))


def status_words(labels: Iterable[tuple[str, str]]) -> dict[str, str]:
    """(label, status) pairs as the reader compares them."""
    return {header_key(label): value for label, value in labels}


def closing_items(context: WeeklyContext, values: Mapping[str, object]) -> list[ItemSnapshot]:
    """The items reported done, which need evidence before the week is saved."""
    return [it for it in context["items"] if status_of(values, it["id"]) == DONE]


def missing_evidence(context: WeeklyContext, values: Mapping[str, object]) -> list[str]:
    """The codes of items reported done that have no evidence yet."""
    return [it["code"] for it in closing_items(context, values) if not files_of(values, it["id"])]
