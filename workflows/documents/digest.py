"""The weekly digest (每周汇总) to the supervisors: when it goes out, and to whom it is still due.

It follows the first weekly report: once that report's due time has passed, the campaign
summary goes to every supervisor chat, once per reporting week, for the six days after.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from workflows import keys
from workflows.campaign import RecurringSpec
from workflows.week.periods import reporting_day

DIGEST_WINDOW = timedelta(days=6)  # after the due time, a digest not yet sent still goes out


def digest_week(reports: Sequence[RecurringSpec], now: datetime, tz: tzinfo) -> date | None:
    """The reporting day whose digest is due now, or None (no weekly report, not yet due, or
    more than six days past the due time)."""
    if not reports:
        return None
    day = reporting_day(reports[0].weekday, now, tz)
    due = datetime.combine(day, reports[0].at, tzinfo=tz)
    if now < due or now > due + DIGEST_WINDOW:
        return None
    return day


def digest_chats(day: date, chats: Sequence[int], planned: frozenset[str]) -> list[int]:
    """The supervisor chats whose digest for the week is not planned yet."""
    return [c for c in chats if keys.digest_key(day, c) not in planned]
