"""How long until a due time, said as of planning and said again as of sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.messages import Msg, msg


@dataclass(frozen=True)
class LiveLeft(Msg):
    """`time_left` as of planning, to be said again as of sending: a held message stays true."""

    due: datetime | None = None


def live_left(due: datetime, now: datetime) -> Msg:
    """The time left until `due`, rendered again when the message is sent."""
    left = time_left(due, now)
    return LiveLeft(left.id, left.params, due=due)


def time_left(due: datetime, now: datetime) -> Msg:
    """`还有3天4小时`, `还有2小时5分`, or `已逾期…`."""
    delta = due - now
    overdue = delta < timedelta(0)
    delta = abs(delta)
    days, rest = divmod(int(delta.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = msg("span.days_hours", days=days, hours=hours)
    elif hours:
        span = msg("span.hours_minutes", hours=hours, minutes=minutes)
    else:
        span = msg("span.minutes", minutes=max(minutes, 0 if overdue else 1))
    return msg("span.overdue" if overdue else "span.left", span=span)
