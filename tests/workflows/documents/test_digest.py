"""The weekly digest goes out after the weekly report's due time, once a week per chat."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from workflows.campaign import RecurringSpec
from workflows.documents.digest import digest_chats, digest_week
from workflows.keys import digest_key

SH = ZoneInfo("Asia/Shanghai")
MONDAY_18 = [RecurringSpec("工作台账", 0, time(18, 0))]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH).astimezone(UTC)


def test_no_digest_before_the_weekly_reports_due_time():
    assert digest_week(MONDAY_18, at("2026-11-23 17:59"), SH) is None


def test_the_digest_of_the_week_is_due_from_the_due_time_on():
    assert digest_week(MONDAY_18, at("2026-11-23 18:00"), SH) == date(2026, 11, 23)
    assert digest_week(MONDAY_18, at("2026-11-29 17:00"), SH) == date(2026, 11, 23)


def test_a_campaign_without_weekly_reports_has_no_digest():
    assert digest_week([], at("2026-11-23 19:00"), SH) is None


def test_each_chat_gets_the_weeks_digest_once():
    day = date(2026, 11, 23)
    planned = frozenset({digest_key(day, -100)})
    assert digest_chats(day, [-100, 42], planned) == [42]
    assert digest_key(day, 42) == "digest:2026-11-23:chat:42"
