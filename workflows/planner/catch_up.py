"""After downtime, or when a group is bound late, what a chat missed comes as one message."""

from __future__ import annotations

from datetime import datetime

from workflows import keys
from workflows.messages import Lines, Msg, msg
from workflows.planner.state import Planned

CATCHUP_BUTTONS = 8


def catch_up(planned: list[Planned]) -> list[Planned]:
    """At most one message per chat and moment: what a chat missed comes as one list.

    After downtime, or when a group is bound late, a chat would otherwise get a message for
    every stage it missed, each spending its budget. Newest first; each folded notification
    keeps its key (recorded as told), so none is planned again.
    """
    groups: dict[tuple[int, datetime], list[Planned]] = {}
    for p in planned:
        groups.setdefault((p.chat_id, p.not_before), []).append(p)
    out: list[Planned] = []
    for (chat, not_before), found in groups.items():
        if len(found) == 1 or not any(p.late for p in found):
            out += found
            continue
        newest = sorted(found, key=lambda p: p.stage_at or p.not_before, reverse=True)
        lines_: list[Msg | str] = []
        buttons: list[tuple[Msg, str]] = []
        for n, p in enumerate(newest, 1):
            lines_.append(msg("notify.catchup_line", n=n, body=_unlate(p.message)))
            buttons += [
                (msg("notify.catchup_button", n=n, label=b), d)
                for b, d in p.buttons
                if isinstance(d, str)  # a late week's link: the week's own button serves
            ]
        out.append(
            Planned(
                keys.catch_up(chat, newest[0].key),
                "catchup",
                chat,
                msg("notify.catchup", count=len(newest), items=Lines(lines_)),
                not_before,
                tuple(buttons[:CATCHUP_BUTTONS]),
                late=True,
                absorbs=tuple(p.key for p in newest),
            )
        )
    return out


def _unlate(message: Msg) -> Msg:
    """The body of a "（补发）…" message: the catch-up list says it once for all."""
    return message.params["body"] if message.id == "notify.late" else message
