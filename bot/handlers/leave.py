"""请假与代岗: /leave records a liaison's leave (the days, then who covers, by buttons), shows
the one recorded and ends it early; the Mini App's form records it through the same
`bot/usecases/leave.py`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.reply import Button
from bot.telegram.turn import Turn
from bot.usecases.callers import unit_by_id
from bot.usecases.leave import end_leave, leave_line, liaisons_of, my_leaves, take_leave
from storage.models import Unit, saved_id
from workflows.forms.buttons import Action, Verb, callback_data
from workflows.forms.contexts import context_of, reader
from workflows.forms.engine import Draft
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Option, TextAnswer
from workflows.messages import lines, msg
from workflows.people.leave import (
    DEPUTIES,
    LEAVE,
    NO_DEPUTY,
    LeaveAnswers,
    LeaveContext,
    LeaveRefused,
    days_of,
    deputy_options,
)
from workflows.people.roles import CommandName


def own_unit(turn: Turn) -> Unit | None:
    """The unit the speaker is a liaison of here (this group's, or in private their only
    one); None with the reason said. Leave is one's own: an admin acts for nobody here."""
    acting = turn.acting_unit()
    if not acting.allowed:
        return None
    unit = acting.unit or turn.unit_here
    if unit is None or saved_id(unit) not in turn.actor.units:
        turn.refuse(msg("leave.liaisons_only"))
        return None
    return unit


def cmd_leave(turn: Turn, args: list[str]) -> None:
    """`/leave [days]`: the leave recorded, with a button to end it early; with none, record
    one (the days, when given, answer the first step)."""
    unit = own_unit(turn)
    if unit is None:
        return
    rows = my_leaves(act_of(turn), saved_id(unit))
    if rows:
        names = {p.user_id: p.name for p in liaisons_of(act_of(turn), saved_id(unit))}
        said = [leave_line(turn.zone, r, names) for r in rows]
        buttons = [
            [Button(msg("leave.button.end"), callback_data(Verb.LEAVE_END, saved_id(r)))]
            for r in rows
        ]
        turn.say(lines([*said, msg("leave.end_hint")]), buttons=buttons)
        return
    typed = {"days": TextAnswer(" ".join(args))} if args else None  # /leave 3月4日–3月8日
    context = LeaveContext(unit_id=saved_id(unit), unit=unit.name)
    turn.begin(FlowName.LEAVE, context=context, prefill=typed)


def _options(turn: Turn) -> Mapping[str, Sequence[Option]]:
    row = turn.draft()
    if row is None:
        return {}
    unit_id = context_of(Draft.from_json(row.state), LeaveContext)["unit_id"]
    liaisons = liaisons_of(act_of(turn), unit_id)
    return {DEPUTIES: deputy_options(turn.person.user_id, liaisons)}


def _finish(turn: Turn, context: LeaveContext, given: LeaveAnswers) -> None:
    unit = unit_by_id(turn.session, context["unit_id"])
    if unit is None:
        turn.say(msg("form.stale_button"))
        return
    first, last = days_of(given.get("days", ""))
    raw = given.get("deputy", NO_DEPUTY)
    deputy = int(raw) if raw.isdigit() and raw != NO_DEPUTY else None
    try:
        with acting(turn) as act:
            said = take_leave(act, unit, first, last, deputy)
        turn.say(said)
    except LeaveRefused as err:
        turn.say(err.reason)


def on_end(turn: Turn, pressed: Action) -> None:
    """The 提前结束 button under /leave."""
    try:
        with acting(turn) as act:
            said = end_leave(act, int(pressed.ref))
        turn.say(said)
        turn.notice = ""
    except LeaveRefused as err:
        turn.refuse(err.reason)


FEATURE = Feature(
    "leave",
    commands={CommandName.LEAVE: cmd_leave},
    presses={Verb.LEAVE_END: on_end},
    flows={
        FlowName.LEAVE: FlowBinding(
            lambda ctx: LEAVE, _finish, _options, context=LeaveContext, answers=reader(LeaveAnswers)
        )
    },
)
