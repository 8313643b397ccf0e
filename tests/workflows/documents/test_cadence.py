"""The 月调度季通报's schedule: read from the campaign file, due on the period's N-th working day
(never on a day off), for the period just over, not for one before the campaign began."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.campaign import CampaignInvalid, read_campaign_yaml
from workflows.documents.cadence import Cadence, due_reviews, read_cadences
from workflows.supervision.scores import MONTH, QUARTER

BEIJING = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())
MONTHLY, QUARTERLY = Cadence(MONTH), Cadence(QUARTER, 3, time(10, 0))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def test_the_file_asks_in_either_language_and_is_checked() -> None:
    assert read_cadences({"月调度": True, "quarterly": {"workday": 3, "at": "10:00"}}) == (
        (MONTHLY, QUARTERLY),
        [],
    )
    assert read_cadences(None) == ((), [])
    assert read_cadences({"monthly": False}) == ((), [])
    assert read_cadences({"weekly": True, "monthly": {"workday": 0}, "季通报": {"at": "25:00"}})[
        1
    ] == [
        ("cadences.weekly", "weekly"),
        ("cadences.monthly.workday", "0"),
        ("cadences.季通报.at", "25:00"),
    ]


def test_a_campaign_file_keeps_its_cadences_or_says_what_is_wrong() -> None:
    head = "name: 示例\nyear: 2026\nunits: [轮台县]\n"
    assert read_campaign_yaml(head).cadences == ()
    spec = read_campaign_yaml(head + "cadences: {monthly: true}\n")
    assert spec.cadences == (MONTHLY,)
    with pytest.raises(CampaignInvalid) as err:
        read_campaign_yaml(head + "cadences: {monthly: {workday: x}}\n")
    assert [e.path for e in err.value.errors] == ["cadences.monthly.workday"]


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-05-01 10:00", []),  # May Day: the April 调度 waits
        ("2026-05-06 08:59", []),
        ("2026-05-06 09:00", [(MONTH, date(2026, 4, 1), date(2026, 5, 6))]),
        ("2026-05-09 09:00", [(MONTH, date(2026, 4, 1), date(2026, 5, 6))]),  # 调休 Saturday
        ("2026-05-10 09:00", []),  # Sunday
        ("2026-05-18 09:00", []),  # past the window
        ("2026-10-08 09:30", [(MONTH, date(2026, 9, 1), date(2026, 10, 8))]),
        (
            "2026-10-12 10:00",  # the quarter's 3rd working day: 8, 9 (Fri), 10 (调休 Saturday)
            [
                (MONTH, date(2026, 9, 1), date(2026, 10, 8)),
                (QUARTER, date(2026, 7, 1), date(2026, 10, 10)),
            ],
        ),
    ],
)
def test_due_on_working_days_from_the_periods_nth(now: str, due: list[object]) -> None:
    got = due_reviews((MONTHLY, QUARTERLY), at(now), BEIJING, CAL, starts_on=date(2026, 2, 1))
    assert [(r.cadence.kind, r.period.start, r.day) for r in got] == due


def test_nothing_for_a_period_over_before_the_campaign_began() -> None:
    assert (
        due_reviews((MONTHLY,), at("2026-03-02 09:00"), BEIJING, CAL, starts_on=date(2026, 3, 1))
        == []
    )
    assert len(due_reviews((MONTHLY,), at("2026-03-02 09:00"), BEIJING, CAL, starts_on=None)) == 1
