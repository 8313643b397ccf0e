"""/notice: a supervisor's notice (or `/notice 通报`, the week's circular) to every unit's
group with a 已阅 button; the press, recorded once per unit; `/notice` alone, who has read the
last notices: the chat's door to `bot/usecases/notices.py` (which also plans the ladder for
units that have not read, `workflows/documents/notices`).

A press is answered by its toast alone and edits nothing in the group: an edit costs the
group's send budget (20 a minute, shared with every reminder), and the read/unread state is
read from `/notice` and the board, not from the message.
"""

from __future__ import annotations

from bot.delivery.acts import acting
from bot.telegram.feature import Feature
from bot.telegram.turn import Turn
from bot.usecases.notices import read_status, send_circular_notice, send_notice
from storage import notices as stored
from storage.models import saved_id
from workflows.documents.notices import NOTICE_TEXT_LIMIT, receipt_answer
from workflows.forms.buttons import Action, Verb
from workflows.messages import msg
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
    row = stored.notice_of(turn.session, pressed.ref)
    camp, unit = turn.campaign, turn.unit
    if row is None or camp is None or row.campaign_id != saved_id(camp):
        turn.refuse(msg("form.stale_button"))
        return
    if unit is None or saved_id(unit) not in row.units:
        turn.refuse(msg("notices.not_unit_chat"))
        return
    unit_id = saved_id(unit)
    if unit_id not in turn.actor.units:  # an admin of no unit does not read for it
        turn.refuse(msg("notices.only_unit", unit=unit.name))
        return
    earlier = stored.receipt_of(turn.session, saved_id(row), unit_id)
    if earlier is None and not stored.record_receipt(
        turn.session, turn.stamp, notice_id=saved_id(row), unit_id=unit_id
    ):  # another liaison of the unit pressed at the same moment
        earlier = stored.receipt_of(turn.session, saved_id(row), unit_id)
    turn.notice = turn.text(receipt_answer(unit.name, earlier, turn.stamp.at))


FEATURE = Feature(
    "notices", commands={CommandName.NOTICE: cmd_notice}, presses={Verb.READ: on_read}
)
