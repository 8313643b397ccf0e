"""Corrections (更正) in the chat: the supervisors' 同意 / 不同意 on a correction request (and
the reason asked for 不同意); what they do is `bot/usecases/corrections.py`."""

from __future__ import annotations

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from bot.usecases.corrections import (
    approve_correction_request,
    reject_correction_request,
    waiting_request,
)
from workflows.forms.buttons import Action, Verb
from workflows.forms.contexts import CorrectionRejectContext, RejectAnswers, reader
from workflows.forms.flow_names import FlowName
from workflows.messages import msg
from workflows.week.correction import REJECT_CORRECTION


def on_approve_correction(turn: Turn, pressed: Action) -> None:
    """The supervisors' 同意 on a correction request: the correction applied."""
    with acting(turn) as act:
        refused = approve_correction_request(act, int(pressed.ref))
    if refused is not None:
        turn.notice = turn.text(refused)


def on_reject_correction(turn: Turn, pressed: Action) -> None:
    """The supervisors' 不同意 on a correction request: the reason is asked for."""
    request_id = int(pressed.ref)
    if waiting_request(act_of(turn), request_id) is None:
        turn.notice = turn.text(msg("correction.decided"))
        return
    turn.begin(FlowName.CORRECTION_REJECT, context=CorrectionRejectContext(request_id=request_id))


def _finish_reject(turn: Turn, pressed: CorrectionRejectContext, given: RejectAnswers) -> None:
    reason = given["reason"]
    with acting(turn) as act:
        refused = reject_correction_request(act, pressed["request_id"], reason)
    if refused is not None:
        turn.say(refused)


FEATURE = Feature(
    "corrections",
    presses={Verb.CR_OK: on_approve_correction, Verb.CR_NO: on_reject_correction},
    flows={
        FlowName.CORRECTION_REJECT: FlowBinding(
            lambda ctx: REJECT_CORRECTION,
            _finish_reject,
            context=CorrectionRejectContext,
            answers=reader(RejectAnswers),
        )
    },
)
