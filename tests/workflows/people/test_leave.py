"""请假与代岗 as pure rules: reading the days, refusing bad ones, who answers for a unit, and
the planner's notices to a unit with someone away."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.dates import DateError
from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.messages import msg
from workflows.people.leave import (
    Absence,
    LeaveRefused,
    Liaison,
    check_days,
    check_deputy,
    cover_of,
    leave_span,
    read_leave_days,
)
from workflows.planner import (
    DeadlineState,
    Planned,
    PlannerState,
    UnitTarget,
    covered,
    due_notifications,
)

CST = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())
TODAY = date(2026, 3, 2)  # a Monday
ZHANG, LI, SUN = Liaison(11, "张三"), Liaison(12, "李四"), Liaison(13, "孙七")
JIA = (ZHANG, LI, SUN)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def away(user: int, first: str, last: str, deputy: int | None = None, n: int = 1) -> Absence:
    starts, ends = leave_span(date.fromisoformat(first), date.fromisoformat(last), CST)
    return Absence(n, 1, user, starts, ends, deputy)


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("3月4日–3月8日", date(2026, 3, 4), date(2026, 3, 8)),
        ("3月4日至8日", date(2026, 3, 4), date(2026, 3, 8)),
        ("3月4-8日", date(2026, 3, 4), date(2026, 3, 8)),
        ("２０２６－０３－０４ 到 ２０２６－０３－０６", date(2026, 3, 4), date(2026, 3, 6)),
        ("明天到下周五", date(2026, 3, 3), date(2026, 3, 13)),
        ("3月5日", date(2026, 3, 5), date(2026, 3, 5)),
        ("12月30日至1月2日", date(2026, 12, 30), date(2027, 1, 2)),
    ],
)
def test_leave_days_are_read_the_chinese_way(typed: str, first: date, last: date) -> None:
    assert read_leave_days(typed, today=TODAY) == (first, last)


def test_an_end_before_the_start_is_refused_not_moved_a_year_on() -> None:
    first, last = read_leave_days("3月8日–3月4日", today=TODAY)
    with pytest.raises(LeaveRefused) as refused:
        check_days(first, last, today=TODAY)
    assert refused.value.reason.id == "leave.reversed"


@pytest.mark.parametrize(
    ("first", "last", "reason"),
    [
        (date(2026, 3, 1), date(2026, 3, 3), "leave.past"),
        (date(2026, 3, 2), date(2026, 7, 1), "leave.too_long"),
    ],
)
def test_bad_days_are_refused(first: date, last: date, reason: str) -> None:
    with pytest.raises(LeaveRefused) as refused:
        check_days(first, last, today=TODAY)
    assert refused.value.reason.id == reason


def test_unreadable_days_say_so() -> None:
    with pytest.raises(DateError):
        read_leave_days("过几天", today=TODAY)


def test_a_deputy_is_another_liaison_of_the_unit() -> None:
    check_deputy(LI.user_id, me=ZHANG.user_id, liaisons=JIA)
    check_deputy(None, me=ZHANG.user_id, liaisons=JIA)
    for wrong in (ZHANG.user_id, 99):
        with pytest.raises(LeaveRefused):
            check_deputy(wrong, me=ZHANG.user_id, liaisons=JIA)


def test_a_leave_runs_from_midnight_to_midnight_local_time() -> None:
    a = away(ZHANG.user_id, "2026-03-04", "2026-03-08")
    assert a.starts_at == at("2026-03-04 00:00") and a.ends_at == at("2026-03-09 00:00")
    assert not a.away_at(at("2026-03-03 23:59"))
    assert a.away_at(at("2026-03-08 23:59")) and not a.away_at(at("2026-03-09 00:00"))
    assert a.last_day(CST) == date(2026, 3, 8)


def test_who_answers_the_deputy_else_the_others_else_nobody() -> None:
    now = at("2026-03-05 10:00")
    with_deputy = cover_of(
        1, JIA, [away(ZHANG.user_id, "2026-03-04", "2026-03-08", LI.user_id)], now
    )
    assert with_deputy.addressed == (LI,) and not with_deputy.nobody
    no_deputy = cover_of(1, JIA, [away(ZHANG.user_id, "2026-03-04", "2026-03-08")], now)
    assert no_deputy.addressed == (LI, SUN)
    # the deputy away too: the one left present answers
    both = [
        away(ZHANG.user_id, "2026-03-04", "2026-03-08", LI.user_id),
        away(LI.user_id, "2026-03-05", "2026-03-06", ZHANG.user_id, n=2),
    ]
    assert cover_of(1, JIA, both, now).addressed == (SUN,)
    everyone = [*both, away(SUN.user_id, "2026-03-05", "2026-03-05", n=3)]
    nobody = cover_of(1, JIA, everyone, now)
    assert nobody.nobody and nobody.since == at("2026-03-05 00:00")
    assert cover_of(1, JIA, everyone, at("2026-03-10 09:00")).away == ()


def test_the_planner_names_the_deputy_and_tells_them_in_private() -> None:
    due = at("2026-03-06 18:00")
    state = PlannerState(
        tz=CST,
        reminders=(timedelta(days=1),),
        units={1: UnitTarget(1, "甲县", (-101,)), 2: UnitTarget(2, "乙县", (-102,))},
        deadlines=(
            DeadlineState(
                7, "阶段总结", due, at("2026-03-01 09:00"), frozenset({1, 2}), frozenset()
            ),
        ),
        supervisors=(501,),
        liaisons={1: JIA, 2: (Liaison(21, "王五"),)},
        absences=(away(ZHANG.user_id, "2026-03-04", "2026-03-08", LI.user_id),),
    )
    out = due_notifications(state, now=at("2026-03-05 18:00"), cal=CAL)
    by_chat = {p.chat_id: p for p in out}
    assert set(by_chat) == {-101, -102, LI.user_id}
    assert by_chat[-101].message.id == "leave.with_line"
    assert by_chat[-102].message.id != "leave.with_line"  # 乙县: nobody away
    assert by_chat[LI.user_id].key.startswith("leave:cover:12:deadline:7:")
    after = due_notifications(replace(state, absences=()), now=at("2026-03-05 18:00"), cal=CAL)
    assert {p.chat_id for p in after} == {-101, -102}

    # a notice's 已阅 reminder, planned outside the planner, is told the same way
    reminder = Planned(
        "notice:3:remind:chat:-101", "notice.remind", -101, msg("x"), at("2026-03-05 09:00")
    )
    told = covered([reminder], state, at("2026-03-05 09:00"))
    assert [p.chat_id for p in told] == [-101, LI.user_id]
    assert told[0].message.id == "leave.with_line"
