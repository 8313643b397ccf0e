"""A time left in an outbox text: marked when the notice is rendered, said as of sending."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.telegram.services import Services
from workflows.json_types import JSONObject, json_str
from workflows.messages import Lines, Msg
from workflows.planner import LiveLeft, time_left

# Where a time left goes in an outbox text, said again as of sending: the first at LIVE, the
# n-th (a catch-up folds several) at LIVE with n inside (word joiners: no HTML, never typed)
LIVE = "\u2060\u23f3\u2060"


def marker(n: int) -> str:
    """The n-th time left's place in a text."""
    return LIVE if n == 0 else f"\u2060\u23f3{n}\u2060"


def mark_time_left(message: Msg, dues: list[datetime]) -> Msg:
    """The message with each time left in it, however deep (a catch-up's lines, a 补发's body),
    replaced by a marker; the due times they count to are appended to `dues`, in order."""

    def swap(value: object) -> object:
        if isinstance(value, LiveLeft) and value.due is not None:
            dues.append(value.due)
            return marker(len(dues) - 1)
        if isinstance(value, Msg):
            return swap_msg(value)
        if isinstance(value, Lines):
            return Lines(swap_msg(v) if isinstance(v, Msg) else v for v in value)
        if isinstance(value, list | tuple):
            return [swap(v) for v in value]
        return value

    def swap_msg(value: Msg) -> Msg:
        return Msg(value.id, {k: swap(v) for k, v in value.params.items()})

    return swap_msg(message)


def said_now(services: Services, text: str, live: JSONObject | None, now: datetime) -> str:
    """An outbox text with each time left said as of `now` (the moment it is sent)."""
    if not live:
        return text
    dues = live.get("dues") or [live["due"]]  # a row written before one text held several
    for n, due in enumerate(dues if isinstance(dues, list) else []):
        if (mark := marker(n)) in text:
            left = time_left(datetime.fromisoformat(json_str(due)), now)
            lang, tz = json_str(live["lang"]), ZoneInfo(json_str(live["tz"]))
            said = services.translator.text(left, lang, tz=tz, escape=True)
            text = text.replace(mark, said)
    return text
