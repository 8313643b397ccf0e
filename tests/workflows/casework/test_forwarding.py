"""Forwarding a case: what /forward names, where it may go, and by when it is answered."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from locales import Translator
from workflows import keys
from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.campaign import FeedbackRule
from workflows.casework.cases import is_escalated
from workflows.casework.forwarding import (
    Forward,
    case_due,
    may_forward,
    provisional_notice,
    read_case,
)
from workflows.outcome import Refused

CST = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())
UNITS = ["轮台县", "尉犁县"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def test_the_case_is_the_commands_text_with_its_reference():
    case = read_case(["轮台县", "#2026-17", "核查安置房"], UNITS)
    assert case == Forward("轮台县", "2026-17", "核查安置房", ())


def test_a_reply_gives_the_text_or_the_attachment_that_names_the_case():
    by_text = read_case(["轮台县"], UNITS, replied_text="群众来信")
    assert isinstance(by_text, Forward) and by_text.text == "群众来信"
    doc = {"name": "来信.pdf", "file_id": "f"}
    by_file = read_case(["轮台县"], UNITS, replied_text="", replied_file=doc)
    assert isinstance(by_file, Forward) and (by_file.text, by_file.files) == ("来信.pdf", (doc,))


def test_an_unknown_unit_or_an_empty_case_shows_the_usage():
    for refused in (read_case(["库车"], UNITS), read_case(["轮台县"], UNITS)):
        assert isinstance(refused, Refused) and refused.reason.id == "forward.usage"


def test_a_unit_without_a_group_cannot_receive_a_case():
    refused = may_forward("轮台县", [])
    assert refused is not None and refused.reason.id == "forward.no_group"
    assert may_forward("轮台县", [-100]) is None


def test_a_case_forwarded_on_friday_is_due_tuesday_at_the_cutoff():
    due = case_due(at("2026-11-20 10:00"), FeedbackRule(), CAL, CST)
    assert due.due_at == at("2026-11-24 18:00").astimezone(UTC)
    assert not due.provisional and provisional_notice(due, CST) is None


def test_a_due_day_in_an_unknown_year_is_provisional_and_the_admins_are_told():
    due = case_due(at("2031-06-06 10:00"), FeedbackRule(), CAL, CST)
    assert due.provisional
    notice = provisional_notice(due, CST)
    assert notice is not None
    assert keys.to_admin(notice.key, 5) == "calendar.provisional:2031:admin:5"


def test_an_overdue_case_is_escalated_only_when_there_are_supervisors_to_tell():
    due = at("2026-11-24 18:00")
    assert is_escalated(due, at("2026-11-24 18:01"), supervisors=True)
    assert not is_escalated(due, at("2026-11-24 18:01"), supervisors=False)
    assert not is_escalated(due, due, supervisors=True)


def test_a_case_forwarded_on_new_years_eve_2026_is_due_after_new_years_day_2027():
    # 1 Jan 2027 is off by law though no notice is out; 2–3 Jan are the weekend: Monday 4 is
    # the first working day after 31 Dec, Tuesday 5 the second
    due = case_due(at("2026-12-31 10:00"), FeedbackRule(), CAL, CST)
    assert due.due_at == at("2027-01-05 18:00").astimezone(UTC)
    assert due.provisional


def test_the_admins_are_told_which_holidays_were_assumed():
    due = case_due(at("2026-12-31 10:00"), FeedbackRule(), CAL, CST)
    notice = provisional_notice(due, CST)
    assert notice is not None
    tr = Translator.load(strict=True)
    zh = tr.text(notice.text, "zh_CN", tz=CST, year=2027)
    assert zh.startswith(
        "2027年的国务院节假日安排尚未收录，工作日暂按周一至周五计算，法定节假日放假："
        "元旦1月1日（周五）、春节2月5日（周五）至2月8日（周一）、清明节4月5日（周一）、"
        "劳动节5月1日（周六）至5月2日（周日）、端午节6月9日（周三）、中秋节9月15日（周三）、"
        "国庆节10月1日（周五）至10月3日（周日）。法定节假日逢周末的补休及调休以通知为准"
    )
    en = tr.text(notice.text, "en", tz=CST, year=2027)
    assert "with the statutory holidays off: New Year's Day Fri 1 Jan, Spring Festival " in en
    assert "Fri 5 Feb to Mon 8 Feb" in en


def test_a_year_before_the_law_assumes_monday_to_friday_only():
    cal = WorkCalendar(OfficialDays(frozenset(), frozenset(), frozenset()))
    due = case_due(at("2024-06-07 10:00"), FeedbackRule(), cal, CST)
    notice = provisional_notice(due, CST)
    assert notice is not None and notice.text.id == "calendar.provisional_admins"
