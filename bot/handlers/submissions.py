"""Submissions (报送): /submit and the 已报送 button on a reminder or a list, the submission
steps and what they record (`bot/usecases/submissions.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from bot.usecases.deadlines import live_deadline, weekly_due
from bot.usecases.submissions import OpenDeliverable, open_deliverables, submit_deliverable
from bot.usecases.units import campaign_unit, campaign_units
from storage.models import Unit
from workflows.deliverables.submission import (
    SUBMIT,
    Deliverable,
    deliverable_options,
    read_choice,
)
from workflows.forms.buttons import Action, Verb
from workflows.forms.contexts import (
    SubmitAnswers,
    SubmitContext,
    context_of,
    reader,
)
from workflows.forms.engine import Draft, Flow
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import UNITS, Option, TextAnswer
from workflows.messages import msg
from workflows.people.roles import CommandName


def _units(turn: Turn) -> list[Unit]:
    return campaign_units(act_of(turn))


def start_submit(turn: Turn, preselect: str | None = None) -> None:
    """Open the submission flow for this chat's unit (an admin may pick the unit)."""
    allowed, unit = turn.acting_unit()
    if not allowed:
        return
    items = _submittable(turn, unit)
    context = SubmitContext(
        unit=unit.name if unit else "",
        due_by={value: due.isoformat() for value, _, due in items},
    )
    if unit is not None and not items:
        turn.say(msg("submit.nothing_due", unit=unit.name))
        return
    prefill = {"deliverable": TextAnswer(preselect)} if preselect and unit else None
    turn.begin(FlowName.SUBMIT, context=context, prefill=prefill)


def _submittable(turn: Turn, unit: Unit | None) -> list[OpenDeliverable]:
    """What the unit can still submit; with no unit (an admin who picks one), what any can."""
    act = act_of(turn)
    items = [it for u in ([unit] if unit else _units(turn)) for it in open_deliverables(act, u)]
    return list({it.value: it for it in items}.values())


def _submit_options(turn: Turn) -> Mapping[str, Sequence[Option]]:
    if turn.campaign is None:
        return {}
    # The buttons of a prompt and the answer to it must be read against the same list, so
    # the list follows the unit fixed when the flow began, never the unit picked in it: the
    # options are computed before the pick is applied.
    row = turn.draft()
    name = context_of(Draft.from_json(row.state), SubmitContext).get("unit") if row else None
    unit = next((u for u in _units(turn) if u.name == name), None) if name else None
    return {
        UNITS: [Option(u.name, u.name) for u in _units(turn)],
        "deliverables": deliverable_options(_submittable(turn, unit or turn.unit_here)),
    }


def _finish_submit(turn: Turn, submitting: SubmitContext, given: SubmitAnswers) -> None:
    name = submitting.get("unit") or given.get("unit")
    unit = campaign_unit(act_of(turn), name or "")
    if unit is None or unit.id is None:
        turn.say(msg("bind.unknown_unit", text=name or ""))
        return
    kind, ref = read_choice(given["deliverable"])
    if kind == "deadline":
        deadline = live_deadline(act_of(turn), ref)
        if deadline is None:
            turn.say(msg("form.stale_button"))
            return
        what = Deliverable(deadline.deliverable, deadline.due_at, deadline_id=deadline.id)
    else:
        title, day, due = weekly_due(act_of(turn), ref, unit.id)
        what = Deliverable(title, due, period_start=day.date())
    with acting(turn) as act:
        submit_deliverable(
            act, unit, what, given.get("material") or {}, replaceable=kind == "deadline"
        )


def cmd_submit(turn: Turn, args: list[str]) -> None:
    """Submit a deliverable: pick it, attach files or a note, confirm."""
    start_submit(turn)


def on_submit_press(turn: Turn, pressed: Action) -> None:
    """已报送 on a reminder or a list: the submission steps, this deadline chosen."""
    start_submit(turn, preselect=f"d:{pressed.ref}")


def _submit_flow(context: SubmitContext) -> Flow:
    return SUBMIT


FEATURE = Feature(
    "submissions",
    commands={CommandName.SUBMIT: cmd_submit},
    presses={Verb.SUBMIT: on_submit_press},
    flows={
        FlowName.SUBMIT: FlowBinding(
            _submit_flow,
            _finish_submit,
            _submit_options,
            context=SubmitContext,
            answers=reader(SubmitAnswers),
        ),
    },
)
