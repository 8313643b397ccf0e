"""The campaign workbook: one sheet per record the documents ask for, headers word for word.

Each sheet is laid out as the seeds' forms are and prints on A4 landscape (storage/sheet.py);
the ledger's columns are the campaign's, in its file's order (seed 001's by default). Written
with xlsxwriter in constant-memory mode (row by row), so memory stays flat however many items
and updates there are. Dates are real dates; the header rows are frozen. The words the bot
adds (statuses, 未报送, 是/否, titles, the footer) come from the catalogs through `say`, in the
configured language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import IO, Protocol, TypeVarTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy import func
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Session, col, select

from storage import campaigns
from storage.models import (
    Campaign,
    Feedback,
    ForwardedCase,
    LedgerItem,
    Person,
    ProgressUpdate,
    RoleGrant,
    Submission,
    saved_id,
)
from storage.sheet import Node, SheetWriter, formats
from workflows.casework.case_import import ANNEX_3
from workflows.json_types import JSONValue
from workflows.messages import Msg, Say, msg
from workflows.problems.evidence import file_label
from workflows.problems.ledger import COLUMNS, status_msg
from workflows.week.weekly import progress_said

SHEETS = (
    "问题台账",
    "整改进展",
    "联络员名单",
    "报送情况",
    "转办件登记办理台账",
    "工作进展表",
    "问题整改表",
)
PROGRESS_HEADERS = (
    "单位",
    "编号",
    "突出问题名称",
    "报送周",
    "进展情况",
    "整改进展",
    "整改结果",
    "滞后原因",
    "计划完成时间",
    "印证材料",
    "填报时间",
)
ROSTER_HEADERS = ("单位", "姓名", "职务", "联系电话")
# annexes 4 and 5 of seed 003 with their header groups, a unit column before them
ANNEX_4: tuple[Node, ...] = (
    "单位",
    "实事名称",
    "项目推进情况",
    ("解决群众急难愁盼、为群众办实事情况", ("件数", "典型事例")),
)
ANNEX_5: tuple[Node, ...] = (
    "单位",
    "项目名称",
    ("开展督导检查情况", ("县级累计次数",)),
    (
        "发现本行业本系统本领域问题和整改情况",
        (
            ("发现问题数", ("小计", ("其中", ("自查发现", "派驻纪检组发现移交", "其他部门移交")))),
            "完成整改问题数",
        ),
    ),
)
CASE_EXTRA = ("编号", "承办单位", "截止时间", "反馈时间", "是否按时")
EXPORT_BATCH = 5000
# the documents' own lines above the header (seed 003, annexes 3 to 5); annex 3 has no 填报人
LINES = ("export.stamp", "export.filled_by", "export.filled_on")
ANNEX_3_LINES = ("export.stamp", "export.filled_on")


# annex 3 is 24 columns wide: narrow ones, so that it still reads shrunk to the page's width
ANNEX_3_WIDTHS = {
    "投诉/举报人及联系方式": 12,
    "是否棚改未回迁": 5,
    "原住房具体位置": 12,
    "协议签订时间": 11,
    "协议明确回迁时间": 11,
    "回迁安置项目名称": 10,
    "问题内容简要": 18,
    "信息来源": 6,
    "承办科室": 6,
    "受理人": 5,
    "是否棚改征收": 5,
    "是否发生逾期": 5,
    "填报逾期项目清单时间": 11,
    "拟采取整改措施": 14,
    "办理进展或结果": 16,
    "是否办结": 5,
    "备注": 6,
    "编号": 9,
    "承办单位": 10,
    "是否按时": 5,
}


def annex_3(say: Say) -> tuple[Node, ...]:
    """Seed 003's annex 3 with its two header groups, and the bot's own columns after it."""
    return (
        ANNEX_3[0],
        (say(msg("export.sub_header.annex_3.received")), ANNEX_3[1:10]),
        (say(msg("export.sub_header.annex_3.handling")), ANNEX_3[10:18]),
        ANNEX_3[18],
        (say(msg("export.sub_header.annex_3.tracking")), CASE_EXTRA),
    )


class _Latest(Protocol):
    """An item's row with its latest progress joined (`None`s: it has none yet)."""

    last_status: str | None
    last_text: str | None
    last_result: str | None
    last_reason: str | None
    last_due_on: date | None


def _said(row: _Latest, say: Say) -> str:
    """The 最新进展 cell: the latest update as it is shown everywhere (a late one with its
    reason and new planned date)."""
    if row.last_status is None:
        return ""
    said = progress_said(
        row.last_status,
        row.last_text or "",
        row.last_result or "",
        row.last_reason or "",
        row.last_due_on,
    )
    return said if isinstance(said, str) else say(said)


def _label(file: Mapping[str, JSONValue], say: Say, tz: ZoneInfo) -> str:
    """An evidence file as the 印证材料 column names it: with its receipt and short hash."""
    label = file_label(file, tz)
    return label if isinstance(label, str) else say(label)


Cols = TypeVarTuple("Cols")  # the columns a statement selects


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def _batched(
    session: Session, stmt: sa.Select[*Cols], key: Mapped[int | None]
) -> Iterator[sa.Row[*Cols]]:
    """Rows in primary-key order, a batch at a time (keyset pagination: flat memory)."""
    last = 0
    while True:
        rows = session.execute(stmt.where(key > last).order_by(key).limit(EXPORT_BATCH)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def write_workbook(
    session: Session, camp: Campaign, out: str | IO[bytes], say: Say, *, unit_id: int | None = None
) -> int:
    """Write the campaign workbook (or one unit's part of it) to a path or stream; returns the
    ledger and progress rows."""
    tz = ZoneInfo(camp.timezone)
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    fmt = formats(book)
    footer = say(msg("export.footer", page="&P", pages="&N"))
    lines = [say(msg(m)) for m in LINES]

    def sheet(
        n: int,
        title: Msg,
        header: Iterable[Node],
        lines: list[str] = lines,
        widths: dict[str, int] | None = None,
    ) -> SheetWriter:
        return SheetWriter(
            book,
            SHEETS[n],
            title=say(title),
            lines=lines,
            header=tuple(header),
            footer=footer,
            fmt=fmt,
            widths=widths,
        )

    def titled(key: str) -> Msg:
        return msg(f"export.title.{key}", campaign=camp.name)

    status = {s: say(status_msg(s)) for s in ("open", "closing", "closed", "paused")}
    progress_label = {
        p: say(msg(f"weekly.st.{p}")) for p in ("plan", "done", "late", "same", "rejected")
    }
    missing, not_applicable = say(msg("export.not_submitted")), say(msg("export.not_applicable"))
    yes, no = say(msg("export.yes")), say(msg("export.no"))
    units = {
        saved_id(u): u
        for u in campaigns.units_of(session, saved_id(camp), active_only=False)
        if unit_id is None or u.id == unit_id
    }
    unit_ids = list(units)
    spec = campaigns.ledger_spec(camp)
    written = 0

    ledger = sheet(
        0,
        titled("ledger"),
        ("序号", "单位", "编号", *[f.name for f in spec.fields], "状态", "最新进展"),
    )
    latest_id = (
        select(func.max(ProgressUpdate.id))
        .where(ProgressUpdate.item_id == LedgerItem.id)
        .correlate(LedgerItem)
        .scalar_subquery()
    )
    last = aliased(ProgressUpdate)
    # plain rows, not ORM objects: building 300,000 entities just to write them out is the
    # slowest part of an export
    # SQLAlchemy's select: SQLModel's is typed for at most four columns
    item_stmt = sa.select(
        col(LedgerItem.id),
        col(LedgerItem.unit_id),
        col(LedgerItem.code),
        col(LedgerItem.name),
        col(LedgerItem.summary),
        col(LedgerItem.category),
        col(LedgerItem.measures),
        col(LedgerItem.due_on),
        col(LedgerItem.lead),
        col(LedgerItem.remarks),
        col(LedgerItem.source),
        col(LedgerItem.status),
        col(LedgerItem.fields),
        col(last.status).label("last_status"),
        col(last.text).label("last_text"),
        col(last.result).label("last_result"),
        col(last.reason).label("last_reason"),
        col(last.new_due_on).label("last_due_on"),
    )
    item_stmt = item_stmt.outerjoin(last, col(last.id) == latest_id).where(
        col(LedgerItem.unit_id).in_(unit_ids)
    )
    for n, item in enumerate(_batched(session, item_stmt, col(LedgerItem.id)), 1):
        values = [
            getattr(item, f.key) if f.key in COLUMNS else (item.fields or {}).get(f.name, "")
            for f in spec.fields
        ]
        ledger.add(
            [
                n,
                units[item.unit_id].name,
                item.code,
                *values,
                status.get(item.status, item.status),
                _said(item, say),
            ]
        )
    written += ledger.written

    progress = sheet(1, titled("progress"), PROGRESS_HEADERS)
    progress_stmt = (
        sa.select(
            col(ProgressUpdate.id),
            col(ProgressUpdate.week_of),
            col(ProgressUpdate.status),
            col(ProgressUpdate.text),
            col(ProgressUpdate.result),
            col(ProgressUpdate.reason),
            col(ProgressUpdate.new_due_on),
            col(ProgressUpdate.files),
            col(ProgressUpdate.created_at),
            col(LedgerItem.unit_id),
            col(LedgerItem.code),
            col(LedgerItem.name),
        )
        .join(LedgerItem, col(LedgerItem.id) == col(ProgressUpdate.item_id))
        .where(col(LedgerItem.unit_id).in_(unit_ids))
    )
    for p in _batched(session, progress_stmt, col(ProgressUpdate.id)):
        progress.add(
            [
                units[p.unit_id].name,
                p.code,
                p.name,
                p.week_of,
                progress_label.get(p.status, p.status),
                p.text,
                p.result,
                p.reason,
                p.new_due_on,
                "、".join(_label(f, say, tz) for f in p.files or []),
                _local(p.created_at, tz),
            ]
        )
    written += progress.written

    roster = sheet(2, titled("roster"), ROSTER_HEADERS)
    for unit_id, person in session.exec(
        select(RoleGrant.unit_id, Person)
        .join(Person, col(Person.id) == col(RoleGrant.person_id))
        .where(RoleGrant.role == "liaison", col(RoleGrant.unit_id).in_(unit_ids))
    ):
        if unit_id is None:  # never: the IN list has only units
            continue
        roster.add(
            [units[unit_id].name, person.name or person.display_name, person.position, person.phone]
        )

    deadlines = campaigns.deadlines_of(session, saved_id(camp))
    reports = sheet(
        3, titled("reports"), ("报送内容", "截止时间", *[u.name for u in units.values()])
    )
    done: dict[tuple[int | None, int], Submission] = {
        (s.deadline_id, s.unit_id): s
        for s in session.exec(select(Submission).where(col(Submission.deadline_id).is_not(None)))
    }
    for d in deadlines:
        cells = []
        for u in units.values():
            s = done.get((d.id, saved_id(u)))
            applies = d.unit_names is None or u.name in d.unit_names
            cells.append(
                _local(s.submitted_at, tz) if s else (missing if applies else not_applicable)
            )
        reports.add([d.deliverable, _local(d.due_at, tz), *cells])
    weekly: defaultdict[tuple[str, date | None], dict[int, Submission]] = defaultdict(dict)
    for s in session.exec(select(Submission).where(col(Submission.deadline_id).is_(None))):
        weekly[(s.report_name, s.period_start)][s.unit_id] = s
    for (name, period), by_unit in sorted(weekly.items(), key=lambda kv: kv[0][1] or date.min):
        reports.add(
            [
                f"{name}（{period}）",
                None,
                *[_local(by_unit[u].submitted_at, tz) if u in by_unit else missing for u in units],
            ]
        )

    cases = sheet(
        4, titled("cases"), annex_3(say), [say(msg(m)) for m in ANNEX_3_LINES], ANNEX_3_WIDTHS
    )
    answers = {f.case_id: f for f in session.exec(select(Feedback).order_by(col(Feedback.id)))}
    for n, c in enumerate(
        session.exec(
            select(ForwardedCase)
            .where(col(ForwardedCase.unit_id).in_(unit_ids))
            .order_by(col(ForwardedCase.id))
        ),
        1,
    ):
        fields: dict[str, object] = dict(c.fields)
        fields.setdefault("序号", n)
        fields.setdefault("问题内容简要", c.text)
        fields.setdefault("受理和收到时间", _local(c.received_at, tz))
        answer = answers.get(saved_id(c))
        if answer is not None:
            fields.setdefault("办理进展或结果", answer.text)
            fields.setdefault("是否办结", yes if answer.status == "已办结" else no)
        fields = {
            k: (datetime.fromisoformat(v) if k == "受理和收到时间" and isinstance(v, str) else v)
            for k, v in fields.items()
        }
        cases.add(
            [
                *[fields.get(h, "") for h in ANNEX_3],
                c.code,
                units[c.unit_id].name,
                _local(c.due_at, tz),
                _local(c.answered_at, tz),
                (yes if answer.on_time else no) if answer else "",
            ]
        )

    sources: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, source, count in session.exec(
        select(LedgerItem.unit_id, LedgerItem.source, func.count())
        .where(col(LedgerItem.unit_id).in_(unit_ids))
        .group_by(col(LedgerItem.unit_id), col(LedgerItem.source))
    ):
        sources[unit_id]["小计"] += count
        sources[unit_id][source or ""] += count
    closed_count = dict(
        session.exec(
            select(LedgerItem.unit_id, func.count())
            .where(col(LedgerItem.unit_id).in_(unit_ids), LedgerItem.status == "closed")
            .group_by(col(LedgerItem.unit_id))
        ).all()
    )
    closed: dict[int, list[str]] = {}  # three typical examples a unit
    for unit_id in unit_ids:
        closed[unit_id] = list(
            session.exec(
                select(LedgerItem.name)
                .where(LedgerItem.unit_id == unit_id, LedgerItem.status == "closed")
                .order_by(col(LedgerItem.closed_at))
                .limit(3)
            )
        )
    progress_4 = sheet(5, msg("export.annex_4_title"), ANNEX_4)
    annex_5 = sheet(6, msg("export.annex_5_title"), ANNEX_5)
    for unit_id, unit in units.items():
        names, count = closed.get(unit_id, []), closed_count.get(unit_id, 0)
        progress_4.add(
            [
                unit.name,
                camp.name,
                say(msg("export.closed_count", count=count)),
                count,
                "；".join(f"{i}. {n}" for i, n in enumerate(names, 1)),
            ]
        )
        counts = sources.get(unit_id, {})
        annex_5.add(
            [
                unit.name,
                camp.name,
                0,
                counts.get("小计", 0),
                counts.get("自查发现", 0),
                0,
                counts.get("上级转办", 0),
                count,
            ]
        )
    book.close()
    return written
