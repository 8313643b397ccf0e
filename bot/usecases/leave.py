"""请假与代岗: a liaison's leave recorded (the days checked, the deputy a liaison of the unit, no
overlap) or ended early, the unit's groups told; and notices to a unit with a liaison away
told as the planner's are (the cover line, a copy to who covers)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

from bot.usecases.act import Act
from storage import chats, planning
from storage import leave as stored
from storage.models import Campaign, Leave, Unit, saved_id
from workflows import keys
from workflows.messages import Msg, msg
from workflows.people.leave import (
    LeaveRefused,
    Liaison,
    check_days,
    check_deputy,
    check_overlap,
    covered_by,
    leave_span,
)
from workflows.planner import Planned, PlannerState, covered


def liaisons_of(act: Act, unit_id: int) -> tuple[Liaison, ...]:
    """The unit's liaisons, in roster order."""
    camp = act.campaign
    return stored.liaisons_by_unit(act.session, saved_id(camp)).get(unit_id, ()) if camp else ()


def my_leave(act: Act, unit_id: int) -> list[Leave]:
    """The leaves of the one acting from the unit not over yet, the nearest first."""
    return stored.mine(act.session, act.person.user_id, unit_id, act.stamp.at)


def leave_line(zone: ZoneInfo, row: Leave, names: Mapping[int, str]) -> Msg:
    """One leave as said back: its days and who covers."""
    away = stored.absence_of(row)
    first, last = away.first_day(zone), away.last_day(zone)
    deputy = covered_by(names.get(row.deputy_user_id or 0))
    return msg("leave.current", first=first, last=last, deputy=deputy)


def take_leave(act: Act, unit: Unit, first: date, last: date, deputy: int | None) -> Msg:
    """Record the speaker's leave from the unit; what to say back, or `LeaveRefused` (nothing
    saved): the days checked again, the deputy a liaison of the unit, no overlap."""
    me = act.person.user_id
    unit_id = saved_id(unit)
    if unit_id not in act.actor.units:
        raise LeaveRefused(msg("leave.liaisons_only"))
    today = act.stamp.at.astimezone(act.zone).date()
    check_days(first, last, today=today)
    liaisons = liaisons_of(act, unit_id)
    check_deputy(deputy, me=me, liaisons=liaisons)
    mine = [stored.absence_of(r) for r in my_leave(act, unit_id)]
    check_overlap(first, last, mine, act.zone)
    starts, ends = leave_span(first, last, act.zone)
    row = stored.save_leave(
        act.session,
        unit_id=unit_id,
        user_id=me,
        deputy=deputy,
        starts_at=starts,
        ends_at=ends,
        by=me,
        at=act.stamp.at,
    )
    names = {p.user_id: p.name for p in liaisons}
    covers = covered_by(names[deputy] if deputy is not None else None)
    named = msg("leave.mention", user_id=deputy, name=names[deputy]) if deputy else covers
    me_named = names.get(me, act.person.name or act.person.display_name)
    told = msg("leave.told", name=me_named, first=first, last=last, deputy=named)
    _tell_unit(act, row, "recorded", told)
    return msg("leave.recorded", first=first, last=last, deputy=covers)


def _tell_unit(act: Act, row: Leave, event: str, text: Msg) -> None:
    """One line in each of the unit's groups (but this one, where the reply says it)."""
    groups = [c.chat_id for c in chats.chats_of_unit(act.session, row.unit_id)]
    key = functools.partial(keys.leave_told, saved_id(row), event)
    here = act.chat_id
    act.tell(
        [Planned(key(g), f"leave.{event}", g, text, act.stamp.at) for g in groups if g != here],
    )


def cover_notices(act: Act, camp: Campaign, planned: list[Planned]) -> list[Planned]:
    """Notices a act sends to units' groups (a 催办), told to a unit with a liaison away as
    the planner's are: the cover line, and a copy to who covers."""
    liaisons, away = stored.who_is_away(act.session, saved_id(camp), act.stamp.at)
    units = planning.unit_targets(act.session, camp)
    state = PlannerState(act.zone, (), units, liaisons=liaisons, absences=away)
    return covered(planned, state, act.stamp.at)


def end_leave(act: Act, leave_id: int) -> Msg:
    """End one's own leave now; what to say, or `LeaveRefused` (someone else's, or over)."""
    row = act.session.get(Leave, leave_id)
    if row is None or row.user_id != act.person.user_id:
        raise LeaveRefused(msg("form.not_yours"))
    if row.ends_at <= act.stamp.at or row.ends_at <= row.starts_at:
        raise LeaveRefused(msg("leave.already_over"))
    stored.end_early(act.session, row, act.stamp.at)
    name = act.person.name or act.person.display_name
    _tell_unit(act, row, "ended", msg("leave.told_ended", name=name))
    return msg("leave.ended")
