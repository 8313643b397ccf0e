"""The board's panels read through the use cases, on a real database and without Telegram or
aiohttp: which unit is behind and why, what waits for a decision, a unit's ledger page by page,
a problem's history."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.usecases import board
from bot.usecases.items import add_item
from bot.usecases.leave import units_away
from bot.usecases.notices import notice_reads
from storage import campaigns, decisions, ledger, notices, people
from storage import leave as stored_leave
from storage.audit import Stamp
from storage.db import Database
from storage.models import ForwardedCase, LedgerItem, Unit, saved_id
from tests.usecases.acting import NOW, TZ, World, world
from workflows.json_types import JSONValue
from workflows.problems.ledger import Progress, Status
from workflows.supervision.standing import DUE
from workflows.week.weekly import DONE

LOCAL = NOW.astimezone(TZ)  # Monday 6 May 2024, 10:00 in Beijing


def problem(w: World, unit: Unit, name: str, due: date | None = None) -> LedgerItem:
    """A problem added to the unit's ledger, as /new adds it."""
    return add_item(w.act(1), unit, {"name": name, "due_on": due.isoformat() if due else None})


def closing(s: Session, item: LedgerItem, asked_at: datetime, result: str) -> int:
    """The problem's close-out asked at `asked_at`: its 已完成 update, its status 待销号."""
    ask = ledger.add_progress(
        s, item, Progress(DONE, LOCAL.date(), result=result), Stamp(asked_at, 2)
    )
    item.status, item.updated_at = Status.CLOSING, asked_at
    s.add(item)
    s.flush()
    return saved_id(ask)


def case(s: Session, unit: Unit, code: str, due_at: datetime, **fields: JSONValue) -> ForwardedCase:
    """A case forwarded to the unit, due at `due_at`, not answered."""
    row = ForwardedCase(
        code=code,
        unit_id=saved_id(unit),
        text=f"{code} 的来信",
        received_at=due_at - timedelta(days=5),
        due_at=due_at,
        fields=fields,
    )
    s.add(row)
    s.flush()
    return row


def test_the_units_furthest_behind_come_first_with_their_reasons(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        korla, yuli = w.unit_named("库尔勒市"), w.unit_named("尉犁县")
        problem(w, korla, "逾期的问题", LOCAL.date() - timedelta(days=3))
        # due soon: within three working days (Thursday 9 May); Friday is not soon yet
        problem(w, yuli, "周四到期", date(2024, 5, 9))
        problem(w, yuli, "周五到期", date(2024, 5, 10))
        asked = problem(w, yuli, "待销号的问题", date(2024, 5, 8))
        closing(s, asked, NOW, "已整改")  # the supervisors' to decide: not due soon
        case(s, w.unit, "ZB-0001", NOW + timedelta(hours=8))  # today, 18:00
        case(s, w.unit, "ZB-0002", NOW + timedelta(days=1))  # tomorrow: not today
        case(s, korla, "ZB-0003", NOW - timedelta(days=7))  # Monday 29 April: overdue

        rows = board.standings(s, w.campaign, NOW, TZ)

        by_name = {r.summary.name: r for r in rows}
        assert len(rows) == len(campaigns.units_of(s, saved_id(w.campaign)))
        assert rows[0].summary.name == "库尔勒市"  # red: a problem past its 办结时间
        korla_row = by_name["库尔勒市"]
        assert korla_row.verdict.colour == "red"
        assert korla_row.summary.ledger.overdue == 1 and korla_row.summary.cases.overdue == 1
        # due Monday 29 April: late Tuesday 30 April and today; the May Day holiday (1–5 May)
        # does not count
        assert korla_row.case_days == 2
        assert korla_row.verdict.reasons == ("problems_overdue", "cases_overdue", "report_due")
        # the week's report is due today at 18:00: every unit not in yet is yellow for it
        assert by_name["若羌县"].report == DUE
        assert by_name["若羌县"].verdict.reasons == ("report_due",)
        assert by_name["尉犁县"].facts.problems_due_soon == 1
        assert by_name["尉犁县"].verdict.reasons == ("report_due", "problems_due_soon")
        assert by_name["轮台县"].facts.cases_due_today == 1
        assert by_name["轮台县"].verdict.reasons == ("report_due", "cases_due_today")
        colours = [r.verdict.colour for r in rows]
        assert colours == sorted(colours, key=["red", "yellow", "green"].index)

        week = board.week_due(w.campaign, NOW, TZ)
        assert week.name and week.deadline is not None and week.deadline > NOW


def test_what_waits_for_a_decision_longest_waiting_first(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        yuli = w.unit_named("尉犁县")
        later = problem(w, w.unit, "后申请的")
        first = problem(w, yuli, "先申请的")
        closing(s, first, NOW - timedelta(days=2), "旧的结果")
        newest_ask = closing(s, first, NOW - timedelta(days=1), "整改完成")
        closing(s, later, NOW - timedelta(hours=1), "后来的结果")
        problem(w, w.unit, "还在整改")
        pending: dict[str, JSONValue] = {
            "status": "pending",
            "until": (NOW + timedelta(days=9)).isoformat(),
        }
        asked = case(s, w.unit, "ZB-0001", NOW + timedelta(days=2), extension=pending)
        case(s, w.unit, "ZB-0002", NOW + timedelta(days=1))  # no extension asked
        elsewhere = w.unit_named("库尔勒市")
        closing(s, problem(w, elsewhere, "别的县"), NOW - timedelta(days=5), "x")
        ids = [saved_id(w.unit), saved_id(yuli)]

        shown = board.waiting_decisions(s, ids, shown=1)

        assert shown.closeouts_total == 2  # 库尔勒市's is not among these units
        [longest] = shown.closeouts
        assert longest.item.id == first.id
        assert longest.ask is not None and longest.ask.id == newest_ask
        assert longest.ask.result == "整改完成"  # the latest ask, not the first
        assert [c.id for c in shown.extensions] == [asked.id]
        assert shown.corrections == []
        every = board.waiting_decisions(s, ids, shown=50)
        assert [c.item.id for c in every.closeouts] == [first.id, later.id]


def test_a_units_ledger_page_by_page_and_a_problems_history(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        made = [problem(w, w.unit, f"问题{n}") for n in range(5)]
        ledger.add_progress(s, made[3], Progress("plan", LOCAL.date(), text="推进中"), Stamp(NOW))
        ask = closing(s, made[3], NOW + timedelta(minutes=1), "整改完成")
        decisions.record_decision(
            s,
            Stamp(NOW, 1),
            unit_id=saved_id(w.unit),
            what="closeout.rejected",
            reason="补材料",
            item_id=saved_id(made[3]),
        )

        second = board.ledger_page(s, saved_id(w.unit), 2, 3)

        assert (second.total, second.pages) == (5, 2)
        # open ones first, the one 待销号 after them
        assert [i.id for i in second.items] == [made[4].id, made[3].id]
        assert second.last[saved_id(made[3])].id == ask  # its latest progress only
        assert saved_id(made[4]) not in second.last
        assert board.ledger_page(s, saved_id(w.unit), 3, 3).items == []
        assert board.ledger_page(s, saved_id(w.unit), 1, 1000).pages == 1

        history = board.problem_on_board(s, made[3])
        assert [p.status for p in history.history] == ["plan", DONE]
        assert history.ask == ask and history.unit == "轮台县"
        assert [(d.what, d.reason, d.by) for d in history.decisions] == [
            ("closeout.rejected", "补材料", "人1")
        ]
        assert board.problem_on_board(s, made[0]).ask is None  # not 待销号: no ask waits
        assert board.unit_of_campaign(s, w.campaign, saved_id(w.unit)) is not None
        assert board.unit_of_campaign(s, w.campaign, 10_000) is None


def test_the_units_with_a_liaison_away_and_the_notices_read(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        unit = saved_id(w.unit)
        for user_id in (2, 3):
            people.register_liaison(
                s,
                w.person(user_id),
                name=f"联络员{user_id}",
                position="科员",
                phone="13800000000",
                unit_id=unit,
                stamp=Stamp(NOW),
            )
        stored_leave.save_leave(
            s,
            unit_id=unit,
            user_id=2,
            deputy=3,
            starts_at=NOW - timedelta(hours=2),
            ends_at=NOW + timedelta(days=2),
            by=2,
            at=NOW,
        )
        [away] = units_away(s, w.campaign, NOW)
        assert away.unit.id == unit and [a.user_id for a in away.away] == [2]
        assert away.nobody is False  # 联络员3 covers
        assert away.names[3] == "联络员3"

        row = notices.add_notice(
            s,
            Stamp(NOW, 1),
            campaign_id=saved_id(w.campaign),
            kind="notice",
            text="请",
            units=[unit, saved_id(w.unit_named("尉犁县"))],
        )
        notices.record_receipt(s, Stamp(NOW, 2), notice_id=saved_id(row), unit_id=unit)
        [read] = notice_reads(s, w.campaign, NOW + timedelta(hours=1), 5)
        assert read.notice.id == row.id and read.state.read.keys() == {unit}
        assert len(read.lines) == 1 + len(read.state.units)  # its head, a line a unit
