"""请假与代岗: /leave records a liaison's leave (the days, then who covers, by buttons), shows
the one recorded and ends it early; the Mini App's form records it through `take_leave`."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.delivery.outbox import post
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Button, Turn
from storage import chats, drafts, planning
from storage import leave as stored
from storage.models import Campaign, Leave, Unit, saved_id
from workflows import keys
from workflows.buttons import Action, Verb, callback_data
from workflows.contexts import answers_of, context_of
from workflows.flow_names import FlowName
from workflows.forms import Draft
from workflows.inputs import Option, TextAnswer
from workflows.leave import (
    DEPUTIES,
    LEAVE,
    NO_DEPUTY,
    LeaveAnswers,
    LeaveContext,
    LeaveRefused,
    Liaison,
    check_days,
    check_deputy,
    check_overlap,
    covered_by,
    days_of,
    deputy_options,
    leave_span,
)
from workflows.messages import Msg, lines, msg
from workflows.planner import Planned, PlannerState, covered
from workflows.roles import CommandName


def liaisons_of(turn: Turn, unit_id: int) -> tuple[Liaison, ...]:
    """The unit's liaisons, in roster order."""
    camp = turn.campaign
    return stored.liaisons_by_unit(turn.session, saved_id(camp)).get(unit_id, ()) if camp else ()


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


def leave_line(turn: Turn, row: Leave, names: Mapping[int, str]) -> Msg:
    """One leave as said back: its days and who covers."""
    away = stored.absence_of(row)
    first, last = away.first_day(turn.zone), away.last_day(turn.zone)
    deputy = covered_by(names.get(row.deputy_user_id or 0))
    return msg("leave.current", first=first, last=last, deputy=deputy)


def cmd_leave(turn: Turn, args: list[str]) -> None:
    """`/leave [days]`: the leave recorded, with a button to end it early; with none, record
    one (the days, when given, answer the first step)."""
    unit = own_unit(turn)
    if unit is None:
        return
    me = turn.person.user_id
    rows = stored.mine(turn.session, me, saved_id(unit), turn.stamp.at)
    if rows:
        names = {p.user_id: p.name for p in liaisons_of(turn, saved_id(unit))}
        said = [leave_line(turn, r, names) for r in rows]
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
    row = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    if row is None:
        return {}
    unit_id = context_of(Draft.from_json(row.state), LeaveContext)["unit_id"]
    liaisons = liaisons_of(turn, unit_id)
    return {DEPUTIES: deputy_options(turn.person.user_id, liaisons)}


def take_leave(turn: Turn, unit: Unit, first: date, last: date, deputy: int | None) -> Msg:
    """Record the speaker's leave from the unit; what to say back, or `LeaveRefused` (nothing
    saved): the days checked again, the deputy a liaison of the unit, no overlap."""
    me = turn.person.user_id
    unit_id = saved_id(unit)
    if unit_id not in turn.actor.units:
        raise LeaveRefused(msg("leave.liaisons_only"))
    today = turn.stamp.at.astimezone(turn.zone).date()
    check_days(first, last, today=today)
    liaisons = liaisons_of(turn, unit_id)
    check_deputy(deputy, me=me, liaisons=liaisons)
    mine = [stored.absence_of(r) for r in stored.mine(turn.session, me, unit_id, turn.stamp.at)]
    check_overlap(first, last, mine, turn.zone)
    starts, ends = leave_span(first, last, turn.zone)
    row = stored.save_leave(
        turn.session,
        unit_id=unit_id,
        user_id=me,
        deputy=deputy,
        starts_at=starts,
        ends_at=ends,
        by=me,
        at=turn.stamp.at,
    )
    names = {p.user_id: p.name for p in liaisons}
    covers = covered_by(names[deputy] if deputy is not None else None)
    named = msg("leave.mention", user_id=deputy, name=names[deputy]) if deputy else covers
    me_named = names.get(me, turn.person.name or turn.person.display_name)
    told = msg("leave.told", name=me_named, first=first, last=last, deputy=named)
    _tell_unit(turn, row, "recorded", told)
    return msg("leave.recorded", first=first, last=last, deputy=covers)


def _tell_unit(turn: Turn, row: Leave, event: str, text: Msg) -> None:
    """One line in each of the unit's groups (but this one, where the reply says it)."""
    groups = [c.chat_id for c in chats.chats_of_unit(turn.session, row.unit_id)]
    key = functools.partial(keys.leave_told, saved_id(row), event)
    here = turn.chat.chat_id
    post(
        turn,
        [Planned(key(g), f"leave.{event}", g, text, turn.stamp.at) for g in groups if g != here],
    )


def cover_notices(turn: Turn, camp: Campaign, planned: list[Planned]) -> list[Planned]:
    """Notices a turn sends to units' groups (a 催办), told to a unit with a liaison away as
    the planner's are: the cover line, and a copy to who covers."""
    liaisons, away = stored.who_is_away(turn.session, saved_id(camp), turn.stamp.at)
    units = planning.unit_targets(turn.session, camp)
    state = PlannerState(turn.zone, (), units, liaisons=liaisons, absences=away)
    return covered(planned, state, turn.stamp.at)


def _finish(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    context = context_of(draft, LeaveContext)
    given = answers_of(values, LeaveAnswers)
    unit = turn.session.get(Unit, context["unit_id"])
    if unit is None:
        turn.say(msg("form.stale_button"))
        return
    first, last = days_of(given.get("days", ""))
    raw = given.get("deputy", NO_DEPUTY)
    deputy = int(raw) if raw.isdigit() and raw != NO_DEPUTY else None
    try:
        turn.say(take_leave(turn, unit, first, last, deputy))
    except LeaveRefused as err:
        turn.say(err.reason)


def end_leave(turn: Turn, leave_id: int) -> Msg:
    """End one's own leave now; what to say, or `LeaveRefused` (someone else's, or over)."""
    row = turn.session.get(Leave, leave_id)
    if row is None or row.user_id != turn.person.user_id:
        raise LeaveRefused(msg("form.not_yours"))
    if row.ends_at <= turn.stamp.at or row.ends_at <= row.starts_at:
        raise LeaveRefused(msg("leave.already_over"))
    stored.end_early(turn.session, row, turn.stamp.at)
    name = turn.person.name or turn.person.display_name
    _tell_unit(turn, row, "ended", msg("leave.told_ended", name=name))
    return msg("leave.ended")


def on_end(turn: Turn, pressed: Action) -> None:
    """The 提前结束 button under /leave."""
    try:
        turn.say(end_leave(turn, int(pressed.ref)))
        turn.notice = ""
    except LeaveRefused as err:
        turn.refuse(err.reason)


FEATURE = Feature(
    "leave",
    commands={CommandName.LEAVE: cmd_leave},
    presses={Verb.LEAVE_END: on_end},
    flows={
        FlowName.LEAVE: FlowBinding(
            lambda ctx: LEAVE, _finish, _options, context=LeaveContext, answers=LeaveAnswers
        )
    },
)
