"""催办 counts for a working day: today's, or, on a day off, the next one's; and a decision
reads the same wherever it is shown."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.messages import msg
from workflows.supervision.decisions import decision_line
from workflows.supervision.urging import urge_day, urge_notice

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())


@pytest.mark.parametrize(
    ("at", "day"),
    [
        (datetime(2026, 3, 4, 2, 12, tzinfo=UTC), date(2026, 3, 4)),  # Wednesday 10:12
        (datetime(2026, 3, 4, 15, 59, tzinfo=UTC), date(2026, 3, 4)),  # Wednesday 23:59
        (datetime(2026, 3, 4, 16, 1, tzinfo=UTC), date(2026, 3, 5)),  # Thursday 00:01 there
        (datetime(2026, 3, 7, 2, 0, tzinfo=UTC), date(2026, 3, 9)),  # Saturday: read Monday
        (datetime(2026, 10, 1, 2, 0, tzinfo=UTC), date(2026, 10, 8)),  # 国庆: after the holiday
        (datetime(2026, 2, 14, 2, 0, tzinfo=UTC), date(2026, 2, 14)),  # the make-up Saturday
    ],
)
def test_a_reminder_counts_for_the_working_day_it_is_read_on(at: datetime, day: date) -> None:
    assert urge_day(at, CAL, SH) == day


def test_one_reminder_a_unit_a_working_day_by_its_key() -> None:
    weekly = msg("summary.weekly.missing")
    first = urge_notice(
        3, date(2026, 3, 4), unit="轮台县", by="王专班", overdue=2, cases=1, weekly=weekly
    )
    other = urge_notice(
        4, date(2026, 3, 4), unit="尉犁县", by="王专班", overdue=0, cases=0, weekly=weekly
    )
    again = urge_notice(
        3, date(2026, 3, 5), unit="轮台县", by="王专班", overdue=2, cases=1, weekly=weekly
    )
    assert len({first.key_in(-100), other.key_in(-100), again.key_in(-100)}) == 3
    assert first.text.params["overdue"] == 2 and first.text.params["by"] == "王专班"


def test_a_rejection_reads_with_its_reason_an_approval_without() -> None:
    at = datetime(2026, 3, 4, 2, 12, tzinfo=UTC)
    rejected = decision_line("closeout.rejected", "王专班", at, "材料不全")
    assert (rejected.id, rejected.params["reason"]) == ("decision.line_why", "材料不全")
    approved = decision_line("extension.approved", "王专班", at)
    assert approved.id == "decision.line" and approved.params["what"].id == (
        "decision.what.extension.approved"
    )
