"""What a chat is told at one moment comes as one message: after downtime, or when a group is
bound late, what it missed; on a working morning, what is still outstanding."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from workflows import keys
from workflows.messages import Lines, Msg, msg
from workflows.planner.state import Planned, PlannedButton

CATCHUP_BUTTONS = 8


def catch_up(planned: list[Planned]) -> list[Planned]:
    """At most one message per chat and moment: what a chat missed, or its morning's
    reminders, come as one list.

    After downtime, or when a group is bound late, a chat would otherwise get a message for
    every stage it missed, each spending its budget: newest first, marked 补发 once. On a
    working morning a supervisor's or admin's chat would get one message for every deadline,
    case and batch of items still outstanding, the same ones day after day: they come as one
    message, each once. Each folded notification keeps its key (recorded as told), so none
    is planned again.
    """
    groups: dict[tuple[int, datetime], list[Planned]] = {}
    for p in planned:
        groups.setdefault((p.chat_id, p.not_before), []).append(p)
    out: list[Planned] = []
    for (chat, _), found in groups.items():
        if len(found) > 1 and any(p.late for p in found):
            newest = sorted(found, key=lambda p: p.stage_at or p.not_before, reverse=True)
            out.append(
                _folded(newest, keys.catch_up_key(chat, newest[0].key), "catchup", late=True)
            )
            continue
        daily = [p for p in found if p.morning is not None]
        if len(daily) < 2:
            out += found
            continue
        out += [p for p in found if p.morning is None]
        out.append(_folded(daily, keys.morning(chat, daily[0].key), "morning", late=False))
    return out


def _folded(found: Sequence[Planned], key: str, kind: str, *, late: bool) -> Planned:
    """One message telling `found` in order, numbered, with their buttons numbered alike."""
    lines_: list[Msg | str] = []
    buttons: list[PlannedButton] = []
    for n, p in enumerate(found, 1):
        lines_.append(msg("notify.catchup_line", n=n, body=_unlate(p.message)))
        buttons += [
            (msg("notify.catchup_button", n=n, label=b), d)
            for b, d in p.buttons
            if isinstance(d, str)  # a late week's link: the week's own button serves
        ]
    first = found[0]
    if late:
        text = msg("notify.catchup", count=len(found), items=Lines(lines_))
    else:
        text = msg("notify.morning", day=first.morning, count=len(found), items=Lines(lines_))
    return Planned(
        key,
        kind,
        first.chat_id,
        text,
        first.not_before,
        tuple(buttons[:CATCHUP_BUTTONS]),
        late=late,
        absorbs=tuple(k for p in found for k in (p.key, *p.absorbs)),
        morning=None if late else first.morning,
    )


def _unlate(message: Msg) -> Msg:
    """The body of a "（补发）…" message: the catch-up list says it once for all."""
    body = message.params["body"] if message.id == "notify.late" else message
    return body if isinstance(body, Msg) else message
