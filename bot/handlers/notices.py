"""/notice: a supervisor's notice (or `/notice 通报`, the week's circular) to every unit's
group with a 已阅 button; the press, recorded once per unit; `/notice` alone, who has read the
last notices: the chat's door to `bot/usecases/notices.py` (which also plans the ladder for
units that have not read, `workflows/documents/notices`).

A press is answered by its toast alone and edits nothing in the group: an edit costs the
group's send budget (20 a minute, shared with every reminder), and the read/unread state is
read from `/notice` and the board, not from the message.
"""

from __future__ import annotations

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature
from bot.telegram.turn import Turn
from bot.usecases.notices import mark_read, read_status, send_circular_notice, send_notice
from workflows.documents.notices import NOTICE_TEXT_LIMIT
from workflows.forms.buttons import Action, Verb
from workflows.messages import msg
from workflows.outcome import Refused
from workflows.people.roles import CommandName
from workflows.words import CIRCULAR_WORDS


def cmd_notice(turn: Turn, args: list[str]) -> None:
    """`/notice <text>` to every unit's group; `/notice 通报` the week's circular; `/notice`
    alone: who has read the last notices."""
    camp = turn.campaign
    if camp is None:
        turn.say(msg("bind.no_campaign"))
        return
    if not args:
        turn.say(read_status(turn.session, camp, turn.stamp.at))
        return
    circular, text = len(args) == 1 and args[0].lower() in CIRCULAR_WORDS, " ".join(args)
    if not circular and len(text) > NOTICE_TEXT_LIMIT:
        turn.say(msg("notices.text_needed", limit=NOTICE_TEXT_LIMIT))
        return
    with acting(turn) as act:
        count = send_circular_notice(act, camp) if circular else send_notice(act, camp, text)
    if count is not None:
        turn.say(msg("notices.sent", count=count))


def on_read(turn: Turn, pressed: Action) -> None:
    """已阅: recorded once for the unit whose group this is, by any of its liaisons; a second
    press says who read it and when; anyone else is refused in words."""
    read = mark_read(act_of(turn), pressed.ref, turn.unit)
    if isinstance(read, Refused):
        turn.refuse(read.reason)
    else:
        turn.notice = turn.text(read)


FEATURE = Feature(
    "notices", commands={CommandName.NOTICE: cmd_notice}, presses={Verb.READ: on_read}
)
