"""Reading the State Council's holiday notice."""

from __future__ import annotations

from datetime import date

from workflows.calendar.holiday_notice import Holiday, notice_year, read_notice

# The 2021 notice (国办发明电〔2020〕27号), as an admin would paste it.
NOTICE_2021 = """国务院办公厅关于2021年部分节假日安排的通知
一、元旦：2021年1月1日至3日放假，共3天。
二、春节：2月11日至17日放假调休，共7天。2月7日（星期日）、2月20日（星期六）上班。
三、清明节：4月3日至5日放假调休，共3天。
四、劳动节：5月1日至5日放假调休，共5天。4月25日（星期日）、5月8日（星期六）上班。
五、端午节：6月12日至14日放假，共3天。
六、中秋节：9月19日至21日放假调休，共3天。9月18日（星期六）上班。
七、国庆节：10月1日至7日放假调休，共7天。9月26日（星期日）、10月9日（星期六）上班。
"""

# The issue's example line (a year whose 1 January is a Friday: 2027).
LINE_2027 = "一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。1月4日（周一）上班。"


def test_the_2021_notice_agrees_with_the_package() -> None:
    import chinese_calendar

    reading = read_notice(NOTICE_2021, year=notice_year(NOTICE_2021) or 0)
    assert reading.year == 2021 and reading.problems == []
    assert [h.name for h in reading.holidays] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]
    assert reading.holidays[1] == Holiday("春节", date(2021, 2, 11), date(2021, 2, 17))
    assert reading.workdays == [
        date(2021, 2, 7),
        date(2021, 2, 20),
        date(2021, 4, 25),
        date(2021, 5, 8),
        date(2021, 9, 18),
        date(2021, 9, 26),
        date(2021, 10, 9),
    ]
    for holiday in reading.holidays:
        assert all(not chinese_calendar.is_workday(d) for d in holiday.days())
    assert all(chinese_calendar.is_workday(d) for d in reading.workdays)


def test_the_issue_line_with_weekdays() -> None:
    reading = read_notice(LINE_2027, year=2027)
    assert reading.problems == []
    assert reading.holidays == [Holiday("元旦", date(2027, 1, 1), date(2027, 1, 3))]
    assert reading.workdays == [date(2027, 1, 4)]


def test_stated_weekdays_that_do_not_fit_the_year_are_reported() -> None:
    reading = read_notice(LINE_2027, year=2026)
    assert [p.id for p in reading.problems] == ["workday.weekday_mismatch"] * 3


def test_nothing_readable() -> None:
    reading = read_notice("请各单位遵照执行。", year=2027)
    assert [p.id for p in reading.problems] == ["workday.nothing_read"]
