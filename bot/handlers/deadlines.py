"""Deadlines and submissions: /deadlines, /deadline, /submit, /missing, and reminder buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Button, Turn
from bot.usecases.submissions import submit_deliverable
from bot.usecases.week import weekly_report
from storage import campaigns, deadlines, drafts, planning, submissions
from storage.models import Deadline, Unit, saved_id
from workflows.deliverables import deadlines as dl
from workflows.deliverables.deadlines import DEADLINE, split_args
from workflows.deliverables.submission import (
    SUBMIT,
    Deliverable,
    applies_to,
    deadline_state,
    deliverable_options,
    nearest_missing,
    read_choice,
)
from workflows.forms.buttons import Action, Verb, callback_data
from workflows.forms.contexts import (
    CancelContext,
    DeadlineAnswers,
    DeadlineContext,
    NoAnswers,
    SubmitAnswers,
    SubmitContext,
    context_of,
    reader,
)
from workflows.forms.engine import Draft, Flow
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import UNITS, Option, TextAnswer
from workflows.guards import required
from workflows.messages import Msg, lines, msg
from workflows.outcome import Refused
from workflows.people.roles import CommandName
from workflows.planner import time_left
from workflows.week.correction import DIRECT, correction_kind
from workflows.week.periods import campaign_period


def _units(turn: Turn) -> list[Unit]:
    camp = required(turn.campaign, "the active campaign")
    return campaigns.units_of(turn.session, saved_id(camp))


def _applies(deadline: Deadline, unit: Unit) -> bool:
    return applies_to(deadline.unit_names, unit.name)


def _weekly_due(
    turn: Turn, index: int, unit_id: int | None = None, *, latest: bool = False
) -> tuple[str, datetime, datetime]:
    """A weekly report's name, its reporting day (as a datetime) and its due time: for a unit,
    this week's report as the unit sees it; for the whole campaign, the next one due, or with
    `latest` the most recent reporting day (today included); never one before the start."""
    if turn.campaign is None:
        raise ValueError("no campaign is loaded")
    if unit_id is not None:
        name, day, due = weekly_report(act_of(turn), index, unit_id)
    else:
        report = campaigns.weekly_reports(turn.campaign)[index]
        starts_on = planning.span_of(turn.session, turn.campaign).starts_on
        day = campaign_period(
            report.weekday, report.at, turn.stamp.at, turn.zone, starts_on=starts_on, latest=latest
        )
        name, due = report.name, datetime.combine(day, report.at, tzinfo=turn.zone)
    return name, datetime.combine(day, datetime.min.time(), tzinfo=turn.zone), due


def open_deliverables(turn: Turn, unit: Unit) -> list[tuple[str, str, datetime]]:
    """What the unit can still submit: deliverables not yet sent, this week's reports."""
    camp = required(turn.campaign, "the active campaign")
    out = []
    for d in campaigns.deadlines_of(turn.session, saved_id(camp)):
        if not _applies(d, unit):
            continue
        if not submissions.submission_of(turn.session, saved_id(unit), deadline_id=d.id):
            out.append((f"d:{d.id}", d.deliverable, d.due_at))
        else:  # its material replaceable: at once until the deadline, by request after it
            direct = correction_kind(d.due_at, turn.stamp.at) == DIRECT
            label = "correction.replace_option" if direct else "resubmit.request_option"
            out.append((f"d:{d.id}", turn.text(msg(label, deliverable=d.deliverable)), d.due_at))
    for index in range(len(camp.weekly_reports)):
        name, day, due = _weekly_due(turn, index, unit.id)
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


def _submittable(turn: Turn, unit: Unit | None) -> list[tuple[str, str, datetime]]:
    """What the unit can still submit; with no unit (an admin who picks one), what any can."""
    items = [it for u in ([unit] if unit else _units(turn)) for it in open_deliverables(turn, u)]
    return list({value: (value, name, due) for value, name, due in items}.values())


def _submit_options(turn: Turn) -> Mapping[str, Sequence[Option]]:
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


def _finish_submit(turn: Turn, submitting: SubmitContext, given: SubmitAnswers) -> None:
    camp = required(turn.campaign, "the active campaign")
    name = submitting.get("unit") or given.get("unit")
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
        title, day, due = _weekly_due(turn, ref, unit.id)
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
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    now = turn.stamp.at
    whole = turn.actor.sees_whole_campaign(in_unit_chat=turn.unit is not None)
    unit = None if whole else turn.unit_here
    units = _units(turn)
    out: list[Msg | str] = [msg("deadlines.header")]
    every = campaigns.deadlines_of(turn.session, saved_id(turn.campaign))
    shown = dl.shown_deadlines(every, lambda d: d.due_at, now)
    done = {
        (s.deadline_id, s.unit_id): s
        for s in submissions.submissions_for(turn.session, [saved_id(d) for d in shown])
    }
    for d in shown:
        left = time_left(d.due_at, now)
        if unit is not None:
            if not _applies(d, unit):
                continue
            status = deadline_state(done=(d.id, unit.id) in done, due=d.due_at, now=now)
            out.append(
                msg(
                    "deadlines.line_unit",
                    deliverable=d.deliverable,
                    due=d.due_at,
                    left=left,
                    status=status,
                )
            )
        else:
            applicable = [u for u in units if _applies(d, u)]
            count = sum((d.id, u.id) in done for u in applicable)
            out.append(
                msg(
                    "deadlines.line_all",
                    deliverable=d.deliverable,
                    due=d.due_at,
                    left=left,
                    done=count,
                    total=len(applicable),
                )
            )
    for index in range(len(turn.campaign.weekly_reports)):
        name, _, due = _weekly_due(turn, index, unit.id if unit is not None else None)
        out.append(msg("deadlines.weekly", name=name, due=due, left=time_left(due, now)))
    if len(out) == 1:
        out.append(msg("deadlines.none"))
    turn.say(lines(out))


def cmd_missing(turn: Turn, args: list[str]) -> None:
    """Who has not submitted the nearest due or overdue deliverable, and this week's report."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    now = turn.stamp.at
    units = _units(turn)
    out: list[Msg | str] = []
    pending = []
    for d in campaigns.deadlines_of(turn.session, saved_id(turn.campaign)):
        missing = [
            u.name
            for u in units
            if _applies(d, u)
            and not submissions.submission_of(turn.session, saved_id(u), deadline_id=d.id)
        ]
        if missing:
            pending.append((d.due_at, (d, missing)))
    nearest = nearest_missing(pending, now)
    if nearest is not None:
        d, missing = nearest
        out.append(
            msg(
                "missing.deliverable",
                deliverable=d.deliverable,
                due=d.due_at,
                left=time_left(d.due_at, now),
                units=missing,
                count=len(missing),
            )
        )
    for index in range(len(turn.campaign.weekly_reports)):
        name, day, due = _weekly_due(turn, index, latest=True)
        missing = [
            u.name
            for u in units
            if not submissions.submission_of(
                turn.session, saved_id(u), report_name=name, period_start=day.date()
            )
        ]
        out.append(
            msg(
                "missing.weekly",
                name=name,
                due=due,
                units=missing or msg("missing.none"),
                count=len(missing),
            )
        )
    turn.say(lines(out or [msg("missing.all_done")]))


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
    rows = campaigns.deadlines_of(turn.session, saved_id(turn.campaign))
    if not rows:
        turn.say(msg("deadlines.none"))
        return
    out: list[Msg | str] = [msg("deadline.list_header")]
    buttons = []
    for i, d in enumerate(rows, 1):
        out.append(msg("deadline.list_line", n=i, deliverable=d.deliverable, due=d.due_at))
        d_id = saved_id(d)
        buttons.append(
            [
                Button(msg("deadline.button.edit", n=i), callback_data(Verb.DL_EDIT, d_id)),
                Button(msg("deadline.button.cancel", n=i), callback_data(Verb.DL_CANCEL, d_id)),
            ]
        )
    turn.say(lines(out), buttons=buttons)


def _deadline_options(turn: Turn) -> Mapping[str, Sequence[Option]]:
    return {UNITS: [Option(u.name, u.name) for u in _units(turn)]} if turn.campaign else {}


def _deadline_now(row: Deadline | None) -> dl.DeadlineNow | None:
    if row is None:
        return None
    return dl.DeadlineNow(saved_id(row), row.deliverable, row.due_at, row.cancelled)


def _finish_deadline(turn: Turn, context: DeadlineContext, answers: DeadlineAnswers) -> None:
    camp_id = saved_id(required(turn.campaign, "the active campaign"))
    editing = context.get("deadline_id")
    clash = deadlines.deadline_named(turn.session, camp_id, answers["deliverable"])
    edited = turn.session.get(Deadline, editing) if editing else None
    saved = dl.deadline_save(
        answers,
        editing_id=editing,
        editing=_deadline_now(edited),
        same_name=_deadline_now(clash),
        tz=turn.zone,
        now=turn.stamp.at,
    )
    if isinstance(saved, Refused):
        turn.say(saved.reason)
        return
    deadlines.save_deadline(turn.session, camp_id, edited if editing else clash, saved, turn.stamp)
    turn.say(saved.said)


def _finish_cancel(turn: Turn, cancelling: CancelContext, _: NoAnswers) -> None:
    row = turn.session.get(Deadline, cancelling["deadline_id"])
    if row is None:
        return
    deadlines.cancel_deadline(turn.session, row, turn.stamp)
    turn.say(msg("deadline.cancelled", deliverable=row.deliverable))


def on_submit_press(turn: Turn, pressed: Action) -> None:
    """已报送 on a reminder or a list: the submission steps, this deadline chosen."""
    start_submit(turn, preselect=f"d:{pressed.ref}")


def _live_deadline(turn: Turn, pressed: Action) -> Deadline | None:
    """The deadline a button names, unless it is gone or cancelled (a toast says so)."""
    row = turn.session.get(Deadline, pressed.ref)
    if row is None or row.cancelled:
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


def _submit_flow(context: SubmitContext) -> Flow:
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
            answers=reader(SubmitAnswers),
        ),
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
