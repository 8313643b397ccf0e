"""Deadlines (报送节点): /deadlines, the upcoming ones with their countdown; /deadline, one added,
or the list with 修改 and 取消 on each: the chat's door to `bot/usecases/deadlines.py`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.delivery.acts import act_of, say_result
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.reply import Button
from bot.telegram.turn import Turn
from bot.usecases.deadlines import (
    deadline_list,
    live_deadline,
    set_deadline,
    upcoming,
    withdraw_deadline,
)
from bot.usecases.units import campaign_units
from storage.models import Deadline, saved_id
from workflows.deliverables import deadlines as dl
from workflows.deliverables.deadlines import DEADLINE, split_args
from workflows.forms.buttons import Action, Verb, callback_data
from workflows.forms.contexts import (
    CancelContext,
    DeadlineAnswers,
    DeadlineContext,
    NoAnswers,
    reader,
)
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import UNITS, Option, TextAnswer
from workflows.messages import msg
from workflows.outcome import Refused
from workflows.people.roles import CommandName


def cmd_deadlines(turn: Turn, args: list[str]) -> None:
    """Upcoming deadlines with their countdown, and the caller's unit's status."""
    whole = turn.actor.sees_whole_campaign(in_unit_chat=turn.unit is not None)
    say_result(turn, upcoming(act_of(turn), None if whole else turn.unit_here))


def cmd_deadline(turn: Turn, args: list[str]) -> None:
    """`/deadline 5月5日18:00 自查自纠阶段总结` adds one; `/deadline` lists them to edit."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    if args:
        when, deliverable = split_args(args)
        prefill = {"due": TextAnswer(when)}
        if deliverable:
            prefill = {"deliverable": TextAnswer(deliverable), **prefill}
        turn.begin(FlowName.DEADLINE, prefill=prefill)
        return
    listed = deadline_list(act_of(turn))
    if isinstance(listed, Refused):
        turn.say(listed.reason)
        return
    buttons = [
        [
            Button(msg("deadline.button.edit", n=i), callback_data(Verb.DL_EDIT, d_id)),
            Button(msg("deadline.button.cancel", n=i), callback_data(Verb.DL_CANCEL, d_id)),
        ]
        for i, d_id in enumerate(listed.ids, 1)
    ]
    turn.say(listed.text, buttons=buttons)


def _deadline_options(turn: Turn) -> Mapping[str, Sequence[Option]]:
    return (
        {UNITS: [Option(u.name, u.name) for u in campaign_units(act_of(turn))]}
        if turn.campaign
        else {}
    )


def _finish_deadline(turn: Turn, context: DeadlineContext, answers: DeadlineAnswers) -> None:
    editing = context.get("deadline_id")
    say_result(turn, set_deadline(act_of(turn), answers, editing))


def _finish_cancel(turn: Turn, cancelling: CancelContext, _: NoAnswers) -> None:
    said = withdraw_deadline(act_of(turn), cancelling["deadline_id"])
    if said is not None:
        turn.say(said)


def _live_deadline(turn: Turn, pressed: Action) -> Deadline | None:
    """The deadline a button names, unless it is gone or cancelled (a toast says so)."""
    row = live_deadline(act_of(turn), pressed.ref)
    if row is None:
        turn.notice = turn.text(msg("form.stale_button"))
        return None
    return row


def on_edit_deadline(turn: Turn, pressed: Action) -> None:
    """修改: the deliverable stays; the new due time is asked for."""
    row = _live_deadline(turn, pressed)
    if row is not None:
        turn.begin(
            FlowName.DEADLINE,
            context=DeadlineContext(deadline_id=saved_id(row)),
            prefill={"deliverable": TextAnswer(row.deliverable)},
        )


def on_cancel_deadline(turn: Turn, pressed: Action) -> None:
    """取消: asked to confirm before the deadline is cancelled."""
    row = _live_deadline(turn, pressed)
    if row is not None:
        turn.begin(
            FlowName.DEADLINE_CANCEL,
            context=CancelContext(deadline_id=saved_id(row), deliverable=row.deliverable),
        )


FEATURE = Feature(
    "deadlines",
    commands={CommandName.DEADLINES: cmd_deadlines, CommandName.DEADLINE: cmd_deadline},
    presses={Verb.DL_EDIT: on_edit_deadline, Verb.DL_CANCEL: on_cancel_deadline},
    flows={
        FlowName.DEADLINE: FlowBinding(
            lambda ctx: DEADLINE,
            _finish_deadline,
            _deadline_options,
            context=DeadlineContext,
            answers=reader(DeadlineAnswers),
        ),
        FlowName.DEADLINE_CANCEL: FlowBinding(
            lambda ctx: dl.CANCEL,
            _finish_cancel,
            context=CancelContext,
            answers=reader(NoAnswers),
        ),
    },
)
