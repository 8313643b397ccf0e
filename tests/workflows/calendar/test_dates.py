"""The date parser over every date expression of the seeds."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from workflows.calendar.dates import (
    DateError,
    Due,
    Span,
    find_deadlines,
    parse_due,
    parse_phase,
    parse_span,
)
from workflows.calendar.when import read_when

# Seed 000's 工作要求 paragraph, word for word.
SEED_000_REQUIREMENTS = (
    "请各县市（开发区）于2月6日18：00前报送联络员名单；5月5日18：00前报送自查自纠阶段总结"
    "及相关印证材料（纸质盖章件及电子版）；7月5日18：00前报送集中整治阶段总结及相关印证材料"
    "（纸质盖章件及电子版）；9月5日18：00前报送专项整治工作总结、建立健全的制度措施、专项整治"
    "工作档案（纸质盖章件及电子版）。"
)

SPANS = [
    ("安排部署阶段（2月1日至2月20日）", 2024, date(2024, 2, 1), date(2024, 2, 20)),
    ("自查自纠阶段（2月21日至4月30日）", 2024, date(2024, 2, 21), date(2024, 4, 30)),
    ("集中整治阶段（5月1日至6月30日）", 2024, date(2024, 5, 1), date(2024, 6, 30)),
    ("建章立制阶段（7月1日-8月31日）", 2024, date(2024, 7, 1), date(2024, 8, 31)),
    ("从2022年10月15日至2022年10月30日止", 2024, date(2022, 10, 15), date(2022, 10, 30)),
    ("2022年11月1日至12月20日", 2024, date(2022, 11, 1), date(2022, 12, 20)),
    ("整治工作自2022年2月10日至2022年9月30日结束", 2024, date(2022, 2, 10), date(2022, 9, 30)),
    ("化解整改阶段（2022年2月21日—8月15日）", 2024, date(2022, 2, 21), date(2022, 8, 15)),
    ("规范提升阶段（2022年8月16日—9月30日）", 2024, date(2022, 8, 16), date(2022, 9, 30)),
    ("（2024年5-7月，已完成）", 2020, date(2024, 5, 1), date(2024, 7, 31)),
    ("专项整治阶段（2024年8-10月）", 2020, date(2024, 8, 1), date(2024, 10, 31)),
    ("督导检查阶段（2024年9-10月）", 2020, date(2024, 9, 1), date(2024, 10, 31)),
    ("2024年11月-2025年底", 2020, date(2024, 11, 1), date(2025, 12, 31)),
    ("2024年5月至2025年底", 2020, date(2024, 5, 1), date(2025, 12, 31)),
    ("2月1日至20日", 2024, date(2024, 2, 1), date(2024, 2, 20)),
    ("2024年11月至2月", 2024, date(2024, 11, 1), date(2025, 2, 28)),
]


@pytest.mark.parametrize(("text", "year", "start", "end"), SPANS)
def test_spans_of_the_seeds(text: str, year: int, start: date, end: date) -> None:
    assert parse_span(text, year=year) == Span(start, end)


DUES = [
    ("2月6日18：00前报送联络员名单", Due(date(2024, 2, 6), time(18))),
    (
        "5月5日18：00前报送自查自纠阶段总结及相关印证材料（纸质盖章件及电子版）",
        Due(date(2024, 5, 5), time(18)),
    ),
    ("于9月26日前", Due(date(2024, 9, 26))),
    ("10月20日前，报送专项行动总结报告", Due(date(2024, 10, 20))),
    ("（2022年2月20日前）", Due(date(2022, 2, 20))),
    ("2月底前要开展一次宣传活动", Due(date(2024, 2, 29))),
    ("力争 2024 年 10 月底前取得阶段性进展", Due(date(2024, 10, 31))),
    ("发放至年份必须为 24 年 7 月底后", Due(date(2024, 7, 31))),
    ("2026-12-01 18:00", Due(date(2026, 12, 1), time(18))),
    ("2026/12/01", Due(date(2026, 12, 1))),
    ("２月６日１８：３０", Due(date(2024, 2, 6), time(18, 30))),
]


@pytest.mark.parametrize(("text", "due"), DUES)
def test_points_of_the_seeds(text: str, due: Due) -> None:
    assert parse_due(text, year=2024) == due


def test_the_whole_requirements_paragraph_gives_four_deadlines() -> None:
    found = find_deadlines(SEED_000_REQUIREMENTS, year=2024)
    assert [(f.due, f.deliverable, f.note) for f in found] == [
        (Due(date(2024, 2, 6), time(18)), "联络员名单", ""),
        (Due(date(2024, 5, 5), time(18)), "自查自纠阶段总结及相关印证材料", "纸质盖章件及电子版"),
        (Due(date(2024, 7, 5), time(18)), "集中整治阶段总结及相关印证材料", "纸质盖章件及电子版"),
        (
            Due(date(2024, 9, 5), time(18)),
            "专项整治工作总结、建立健全的制度措施、专项整治工作档案",
            "纸质盖章件及电子版",
        ),
    ]


def test_qian_means_by_never_ago() -> None:
    # dateparser reads 2月6日18:00前 as a date in the past; ours is the deadline itself.
    assert parse_due("2月6日18:00前", year=2026) == Due(date(2026, 2, 6), time(18))
    assert find_deadlines("9月26日之前报送总结报告", year=2026)[0].due == Due(date(2026, 9, 26))


@pytest.mark.parametrize(
    "text", ["2月30日", "2023年2月29日", "13月1日", "4月31日前", "2月6日25:00前"]
)
def test_an_impossible_date_is_an_error_never_shifted(text: str) -> None:
    with pytest.raises(DateError) as err:
        parse_due(text, year=2024)
    assert err.value.code == "date.invalid"


def test_an_impossible_date_inside_a_paragraph_is_an_error() -> None:
    with pytest.raises(DateError) as err:
        find_deadlines("请于2月30日18:00前报送联络员名单", year=2024)
    assert err.value.text == "2月30日"


def test_text_without_a_date_is_unreadable() -> None:
    with pytest.raises(DateError) as err:
        parse_due("尽快报送", year=2024)
    assert err.value.code == "date.unreadable"


def test_a_reversed_range_is_an_error() -> None:
    with pytest.raises(DateError) as err:
        parse_span("2024年5月1日至2024年4月1日", year=2024)
    assert err.value.code == "date.reversed"


def test_phase_name_and_span() -> None:
    assert parse_phase("安排部署阶段（2月1日至2月20日）", year=2024) == (
        "安排部署阶段",
        Span(date(2024, 2, 1), date(2024, 2, 20)),
    )


# Sunday 22 November 2026, 10:00 local time
NOW = datetime(2026, 11, 22, 10, 0)
TYPED = [
    ("6月30日", date(2027, 6, 30), None, False),  # this year's is long past: next year's
    ("12月1日", date(2026, 12, 1), None, False),
    ("2024-06-30", date(2024, 6, 30), None, False),
    ("2026年12月1日 18:00", date(2026, 12, 1), time(18), False),
    ("明天下午3点", date(2026, 11, 23), time(15), True),
    ("下周一", date(2026, 11, 23), None, True),
    ("本周五", date(2026, 11, 20), None, True),
    ("周五18:00", date(2026, 11, 27), time(18), True),
    ("后天上午九点半", date(2026, 11, 24), time(9, 30), True),
    ("下下周三", date(2026, 12, 2), None, True),
    ("明天晚上十一点", date(2026, 11, 23), time(23), True),
    ("3天后", date(2026, 11, 25), None, True),
    ("tomorrow 3pm", date(2026, 11, 23), time(15), True),
]


@pytest.mark.parametrize(("text", "day", "at", "relative"), TYPED)
def test_what_people_type(text: str, day: date, at: time | None, relative: bool) -> None:
    reading = read_when(text, now=NOW)
    assert (reading.day, reading.at, reading.relative) == (day, at, relative)


def test_typed_nonsense_is_unreadable() -> None:
    with pytest.raises(DateError) as err:
        read_when("等领导定", now=NOW)
    assert err.value.code == "date.unreadable"
