"""Forwarding a case: what /forward names, where it may go, and by when it is answered."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from workflows import keys
from workflows.calendar import OfficialDays, WorkCalendar
from workflows.cases import CaseRules, is_escalated
from workflows.forwarding import (
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
    due = case_due(at("2026-11-20 10:00"), CaseRules(), CAL, CST)
    assert due.due_at == at("2026-11-24 18:00").astimezone(UTC)
    assert not due.provisional and provisional_notice(due, CST) is None


def test_a_due_day_in_an_unknown_year_is_provisional_and_the_admins_are_told():
    due = case_due(at("2031-06-06 10:00"), CaseRules(), CAL, CST)
    assert due.provisional
    notice = provisional_notice(due, CST)
    assert notice is not None
    assert keys.to_admin(notice.key, 5) == "calendar.provisional:2031:admin:5"


def test_an_overdue_case_is_escalated_only_when_there_are_supervisors_to_tell():
    due = at("2026-11-24 18:00")
    assert is_escalated(due, at("2026-11-24 18:01"), supervisors=True)
    assert not is_escalated(due, at("2026-11-24 18:01"), supervisors=False)
    assert not is_escalated(due, due, supervisors=True)
