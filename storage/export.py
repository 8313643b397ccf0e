"""The campaign workbook: one sheet per record the documents ask for, headers word for word.

Written with xlsxwriter in constant-memory mode (row by row), so memory stays flat however
many items and updates there are. Dates are real dates; the header row is frozen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy import func
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
from workflows.case_import import ANNEX_3
from workflows.ledger import COLUMNS

STATUS = {"open": "整改中", "closing": "已完成待销号", "closed": "已销号", "paused": "暂缓"}
PROGRESS = {
    "plan": "按计划推进",
    "done": "已完成，申请销号",
    "late": "进度滞后",
    "same": "本周无变化",
    "rejected": "销号未通过",
}
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
ANNEX_4 = ("单位", "实事名称", "项目推进情况", "件数", "典型事例")
ANNEX_5 = (
    "单位",
    "项目名称",
    "县级累计次数",
    "小计",
    "自查发现",
    "派驻纪检组发现移交",
    "其他部门移交",
    "完成整改问题数",
)
CASE_EXTRA = ("编号", "承办单位", "截止时间", "反馈时间", "是否按时")
BATCH = 5000
SIZE_SAMPLE = 2000  # rows measured to size the columns


class _Sheet:
    """A sheet written row by row, its header frozen and its columns sized to their content."""

    def __init__(self, book: Any, name: str, headers: Sequence[str], fmt: dict[str, Any]) -> None:
        self.ws = book.add_worksheet(name)
        self.fmt = fmt
        self.row = 1
        self.widths = [max(len(h) * 2, 8) for h in headers]
        for c, h in enumerate(headers):
            self.ws.write_string(0, c, h, fmt["head"])
        self.ws.freeze_panes(1, 0)

    def add(self, values: Sequence[Any]) -> None:
        for c, v in enumerate(values):
            if isinstance(v, datetime):
                self.ws.write_datetime(self.row, c, v.replace(tzinfo=None), self.fmt["datetime"])
                width = 17
            elif isinstance(v, date):
                self.ws.write_datetime(
                    self.row, c, datetime.combine(v, datetime.min.time()), self.fmt["date"]
                )
                width = 11
            elif isinstance(v, int | float) and not isinstance(v, bool):
                self.ws.write_number(self.row, c, v)
                width = 8
            elif v is None or v == "":
                continue
            else:
                text = str(v)
                self.ws.write_string(self.row, c, text)
                if self.row > SIZE_SAMPLE:  # columns are sized from the first rows
                    continue
                width = min(sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) + 2, 60)
            if c < len(self.widths) and width > self.widths[c]:
                self.widths[c] = width
        self.row += 1

    def close(self) -> None:
        for c, w in enumerate(self.widths):
            self.ws.set_column(c, c, w)


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def _batched(session: Session, stmt: Any, key: Any) -> Iterable[Any]:
    """Rows in primary-key order, a batch at a time (keyset pagination: flat memory)."""
    last = 0
    while True:
        rows = session.execute(stmt.where(key > last).order_by(key).limit(BATCH)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def write_workbook(session: Session, camp: Campaign, out: str | IO[bytes]) -> int:
    """Write the campaign workbook to a path or stream; returns the ledger and progress rows."""
    tz = ZoneInfo(camp.timezone)
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    fmt = {
        "head": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        ),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
    }
    units = {saved_id(u): u for u in campaigns.units_of(session, saved_id(camp), active_only=False)}
    unit_ids = list(units)
    spec = campaigns.ledger_spec(camp)
    written = 0

    ledger = _Sheet(
        book,
        SHEETS[0],
        ("序号", "单位", "编号", *[f.name for f in spec.fields], "状态", "最新进展"),
        fmt,
    )
    latest = (
        select(
            func.coalesce(
                func.nullif(ProgressUpdate.text, ""),
                func.nullif(ProgressUpdate.result, ""),
                ProgressUpdate.reason,
            )
        )
        .where(ProgressUpdate.item_id == LedgerItem.id)
        .order_by(col(ProgressUpdate.id).desc())
        .limit(1)
        .correlate(LedgerItem)
        .scalar_subquery()
    )
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
        latest.label("latest"),
    ).where(col(LedgerItem.unit_id).in_(unit_ids))
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
                STATUS.get(item.status, item.status),
                item.latest or "",
            ]
        )
    written += ledger.row - 1
    ledger.close()

    progress = _Sheet(book, SHEETS[1], PROGRESS_HEADERS, fmt)
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
                PROGRESS.get(p.status, p.status),
                p.text,
                p.result,
                p.reason,
                p.new_due_on,
                "、".join(f.get("name", "") for f in p.files or []),
                _local(p.created_at, tz),
            ]
        )
    written += progress.row - 1
    progress.close()

    roster = _Sheet(book, SHEETS[2], ROSTER_HEADERS, fmt)
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
    roster.close()

    deadlines = campaigns.deadlines_of(session, saved_id(camp))
    reports = _Sheet(
        book, SHEETS[3], ("报送内容", "截止时间", *[u.name for u in units.values()]), fmt
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
            cells.append(_local(s.submitted_at, tz) if s else ("未报送" if applies else "—"))
        reports.add([d.deliverable, _local(d.due_at, tz), *cells])
    weekly: defaultdict[tuple[str, date | None], dict[int, Submission]] = defaultdict(dict)
    for s in session.exec(select(Submission).where(col(Submission.deadline_id).is_(None))):
        weekly[(s.report_name, s.period_start)][s.unit_id] = s
    for (name, period), by_unit in sorted(weekly.items(), key=lambda kv: kv[0][1] or date.min):
        reports.add(
            [
                f"{name}（{period}）",
                None,
                *[
                    _local(by_unit[u].submitted_at, tz) if u in by_unit else "未报送"
                    for u in units
                ],
            ]
        )
    reports.close()

    cases = _Sheet(book, SHEETS[4], (*ANNEX_3, *CASE_EXTRA), fmt)
    answers = {f.case_id: f for f in session.exec(select(Feedback).order_by(col(Feedback.id)))}
    for n, c in enumerate(
        session.exec(
            select(ForwardedCase)
            .where(col(ForwardedCase.unit_id).in_(unit_ids))
            .order_by(col(ForwardedCase.id))
        ),
        1,
    ):
        fields = dict(c.fields)
        fields.setdefault("序号", n)
        fields.setdefault("问题内容简要", c.text)
        fields.setdefault("受理和收到时间", _local(c.received_at, tz))
        answer = answers.get(saved_id(c))
        if answer is not None:
            fields.setdefault("办理进展或结果", answer.text)
            fields.setdefault("是否办结", "是" if answer.status == "已办结" else "否")
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
                ("是" if answer.on_time else "否") if answer else "",
            ]
        )
    cases.close()

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
    progress_4 = _Sheet(book, SHEETS[5], ANNEX_4, fmt)
    annex_5 = _Sheet(book, SHEETS[6], ANNEX_5, fmt)
    for unit_id, unit in units.items():
        names, count = closed.get(unit_id, []), closed_count.get(unit_id, 0)
        progress_4.add(
            [
                unit.name,
                camp.name,
                f"已销号{count}个问题",
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
    progress_4.close()
    annex_5.close()
    book.close()
    return written
