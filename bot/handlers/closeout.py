"""Close-out (销号) in the chat: /close, and the supervisors' 同意 / 不同意 with the
rejection's reason; what they do is `bot/usecases/closeout.py`."""

from __future__ import annotations

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.item_lookup import item_for
from bot.telegram.turn import Turn
from bot.usecases.closeout import (
    approve_closeout_ask,
    may_ask,
    may_reject,
    reject_closeout_ask,
    send_closeout_ask,
)
from bot.usecases.items import item_by_id
from storage.models import saved_id
from workflows.forms.buttons import Action, Verb
from workflows.forms.contexts import (
    CloseAnswers,
    CloseContext,
    RejectAnswers,
    RejectContext,
    reader,
)
from workflows.forms.flow_names import FlowName
from workflows.messages import msg
from workflows.people.roles import CommandName
from workflows.week.weekly import CLOSE, REJECT


def cmd_close(turn: Turn, args: list[str]) -> None:
    """`/close 轮台-007`: ask for a close-out directly, with the result and evidence."""
    if not args:
        turn.say(msg("close.usage"))
        return
    item = item_for(turn, args[0])
    if item is None:
        return
    refused = may_ask(act_of(turn), item, reports_for_unit=turn.actor.reports_for(item.unit_id))
    if refused is not None:
        turn.say(refused.reason)
        return
    turn.begin(
        FlowName.CLOSE,
        context=CloseContext(
            item_id=saved_id(item), version=item.version, code=item.code, name=item.name
        ),
    )


def _finish_close(turn: Turn, asked: CloseContext, given: CloseAnswers) -> None:
    with acting(turn) as act:
        send_closeout_ask(act, asked, given)


def _finish_reject(turn: Turn, pressed: RejectContext, given: RejectAnswers) -> None:
    item = item_by_id(turn.session, pressed["item_id"])
    if item is None:
        turn.say(msg("form.stale_button"))
        return
    reason = given["reason"]
    with acting(turn) as act:
        refused = reject_closeout_ask(
            act, item, pressed.get("ask_id"), pressed.get("version"), reason
        )
    if refused is not None:
        turn.say(refused)


def on_approve_closeout(turn: Turn, pressed: Action) -> None:
    """The supervisors' 同意 on a close-out request (the ask it names, if it names one)."""
    item = item_for(turn, str(pressed.ref))
    if item is None:
        return
    with acting(turn) as act:
        refused = approve_closeout_ask(act, item, pressed.optional(1))
    if refused is not None:
        turn.notice = turn.text(refused)


def on_reject_closeout(turn: Turn, pressed: Action) -> None:
    """The supervisors' 不同意 on a close-out request: the reason is asked for."""
    item = item_for(turn, str(pressed.ref))
    if item is None:
        return
    asked = pressed.optional(1)
    refused = may_reject(act_of(turn), item, asked)
    if refused is not None:
        turn.notice = turn.text(refused)
        return
    turn.begin(
        FlowName.CLOSEOUT_REJECT,
        context=RejectContext(
            item_id=saved_id(item), code=item.code, version=item.version, ask_id=asked
        ),
    )


FEATURE = Feature(
    "closeout",
    commands={CommandName.CLOSE: cmd_close},
    presses={Verb.CO_OK: on_approve_closeout, Verb.CO_NO: on_reject_closeout},
    flows={
        FlowName.CLOSE: FlowBinding(
            lambda ctx: CLOSE, _finish_close, context=CloseContext, answers=reader(CloseAnswers)
        ),
        FlowName.CLOSEOUT_REJECT: FlowBinding(
            lambda ctx: REJECT,
            _finish_reject,
            context=RejectContext,
            answers=reader(RejectAnswers),
        ),
    },
)
