"""Deadlines and submissions: /deadlines, /deadline, /submit, /missing, and reminder buttons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.delivery.acts import act_of, acting, say_result
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Button, Turn
from bot.usecases.deadlines import (
    applies,
    campaign_units,
    deadline_list,
    live_deadline,
    missing_units,
    set_deadline,
    upcoming,
    weekly_due,
    withdraw_deadline,
)
from bot.usecases.submissions import submit_deliverable
from storage import campaigns, drafts, submissions
from storage.models import Deadline, Unit, saved_id
from workflows.deliverables import deadlines as dl
from workflows.deliverables.deadlines import DEADLINE, split_args
from workflows.deliverables.submission import (
    SUBMIT,
    Deliverable,
    deliverable_options,
    read_choice,
)
from workflows.forms.buttons import Action, Verb, callback_data
from workflows.forms.contexts import (
    CancelContext,
    DeadlineAnswers,
    DeadlineContext,
    SubmitAnswers,
    SubmitContext,
    answers_of,
    context_of,
)
from workflows.forms.engine import Draft, Flow
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import UNITS, Option, TextAnswer
from workflows.guards import required
from workflows.messages import msg
from workflows.outcome import Refused
from workflows.people.roles import CommandName
from workflows.week.correction import DIRECT, correction_kind


def _units(turn: Turn) -> list[Unit]:
    return campaign_units(act_of(turn))


def open_deliverables(turn: Turn, unit: Unit) -> list[tuple[str, str, datetime]]:
    """What the unit can still submit: deliverables not yet sent, this week's reports."""
    camp = required(turn.campaign, "the active campaign")
    out = []
    for d in campaigns.deadlines_of(turn.session, saved_id(camp)):
        if not applies(d, unit):
            continue
        if not submissions.submission_of(turn.session, saved_id(unit), deadline_id=d.id):
            out.append((f"d:{d.id}", d.deliverable, d.due_at))
        else:  # its material replaceable: at once until the deadline, by request after it
            direct = correction_kind(d.due_at, turn.stamp.at) == DIRECT
            label = "correction.replace_option" if direct else "resubmit.request_option"
            out.append((f"d:{d.id}", turn.text(msg(label, deliverable=d.deliverable)), d.due_at))
    for index in range(len(camp.weekly_reports)):
        name, day, due = weekly_due(act_of(turn), index, unit.id)
        if not submissions.submission_of(
            turn.session, saved_id(unit), report_name=name, period_start=day.date()
        ):
            out.append((f"w:{index}", name, due))
    return out


def start_submit(turn: Turn, preselect: str | None = None) -> None:
    """Open the submission flow for this chat's unit (an admin may pick the unit)."""
    allowed, unit = turn.acting_unit()
    if not allowed:
        return
    context: dict[str, Any] = {"unit": unit.name if unit else ""}
    items = _submittable(turn, unit)
    context["due_by"] = {value: due.isoformat() for value, _, due in items}
    if unit is not None and not items:
        turn.say(msg("submit.nothing_due", unit=unit.name))
        return
    prefill = {"deliverable": TextAnswer(preselect)} if preselect and unit else None
    turn.begin(FlowName.SUBMIT, context=context, prefill=prefill)


def _submittable(turn: Turn, unit: Unit | None) -> list[tuple[str, str, datetime]]:
    """What the unit can still submit; with no unit (an admin who picks one), what any can."""
    items = [it for u in ([unit] if unit else _units(turn)) for it in open_deliverables(turn, u)]
    return list({value: (value, name, due) for value, name, due in items}.values())


def _submit_options(turn: Turn) -> Mapping[str, Any]:
    if turn.campaign is None:
        return {}
    # The buttons of a prompt and the answer to it must be read against the same list, so
    # the list follows the unit fixed when the flow began, never the unit picked in it: the
    # options are computed before the pick is applied.
    row = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    name = context_of(Draft.from_json(row.state), SubmitContext).get("unit") if row else None
    unit = next((u for u in _units(turn) if u.name == name), None) if name else None
    return {
        UNITS: [Option(u.name, u.name) for u in _units(turn)],
        "deliverables": deliverable_options(_submittable(turn, unit or turn.unit_here)),
    }


def _finish_submit(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    camp = required(turn.campaign, "the active campaign")
    given = answers_of(values, SubmitAnswers)
    name = context_of(draft, SubmitContext).get("unit") or given.get("unit")
    unit = campaigns.unit_named(turn.session, saved_id(camp), name or "")
    if unit is None or unit.id is None:
        turn.say(msg("bind.unknown_unit", text=name or ""))
        return
    kind, ref = read_choice(given["deliverable"])
    if kind == "deadline":
        deadline = turn.session.get(Deadline, ref)
        if deadline is None or deadline.cancelled:
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


def cmd_deadlines(turn: Turn, args: list[str]) -> None:
    """Upcoming deadlines with their countdown, and the caller's unit's status."""
    whole = turn.actor.sees_whole_campaign(in_unit_chat=turn.unit is not None)
    say_result(turn, upcoming(act_of(turn), None if whole else turn.unit_here))


def cmd_missing(turn: Turn, args: list[str]) -> None:
    """Who has not submitted the nearest due or overdue deliverable, and this week's report."""
    say_result(turn, missing_units(act_of(turn)))


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


def _deadline_options(turn: Turn) -> Mapping[str, Any]:
    return {UNITS: [Option(u.name, u.name) for u in _units(turn)]} if turn.campaign else {}


def _finish_deadline(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    editing = context_of(draft, DeadlineContext).get("deadline_id")
    answers = answers_of(values, DeadlineAnswers)
    say_result(turn, set_deadline(act_of(turn), answers, editing))


def _finish_cancel(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    said = withdraw_deadline(act_of(turn), context_of(draft, CancelContext)["deadline_id"])
    if said is not None:
        turn.say(said)


def on_submit_press(turn: Turn, pressed: Action) -> None:
    """已报送 on a reminder or a list: the submission steps, this deadline chosen."""
    start_submit(turn, preselect=f"d:{pressed.ref}")


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
            context={"deadline_id": row.id},
            prefill={"deliverable": TextAnswer(row.deliverable)},
        )


def on_cancel_deadline(turn: Turn, pressed: Action) -> None:
    """取消: asked to confirm before the deadline is cancelled."""
    row = _live_deadline(turn, pressed)
    if row is not None:
        turn.begin(
            FlowName.DEADLINE_CANCEL,
            context={"deadline_id": row.id, "deliverable": row.deliverable},
        )


def _submit_flow(context: Mapping[str, Any]) -> Flow:
    return SUBMIT


FEATURE = Feature(
    "deadlines",
    commands={
        CommandName.DEADLINES: cmd_deadlines,
        CommandName.DEADLINE: cmd_deadline,
        CommandName.SUBMIT: cmd_submit,
        CommandName.MISSING: cmd_missing,
    },
    presses={
        Verb.SUBMIT: on_submit_press,
        Verb.DL_EDIT: on_edit_deadline,
        Verb.DL_CANCEL: on_cancel_deadline,
    },
    flows={
        FlowName.SUBMIT: FlowBinding(
            _submit_flow,
            _finish_submit,
            _submit_options,
            context=SubmitContext,
            answers=SubmitAnswers,
        ),
        FlowName.DEADLINE: FlowBinding(
            lambda ctx: DEADLINE,
            _finish_deadline,
            _deadline_options,
            context=DeadlineContext,
            answers=DeadlineAnswers,
        ),
        FlowName.DEADLINE_CANCEL: FlowBinding(
            lambda ctx: dl.CANCEL, _finish_cancel, context=CancelContext
        ),
    },
)
