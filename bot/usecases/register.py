"""A liaison registered in the roster (联络员名单): the person written down for the unit, and the
first registration of a unit counted as its 联络员名单 deliverable; the roster read."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from bot.usecases.act import Act
from storage import campaigns, people, submissions
from storage.models import Person, Unit, saved_id
from workflows.deliverables.submission import is_on_time, is_roster
from workflows.guards import required
from workflows.messages import msg


def register_as_liaison(
    act: Act, *, name: str, position: str, phone: str, unit_id: int, unit_name: str
) -> None:
    """The one acting registered as a liaison of the unit, told so; the unit's roster counted
    as submitted."""
    people.register_liaison(
        act.session,
        act.person,
        name=name,
        position=position,
        phone=phone,
        unit_id=unit_id,
        stamp=act.stamp,
    )
    act.say(msg("register.done", name=name, unit=unit_name))
    roster_submitted(act, unit_id)


def roster_submitted(act: Act, unit_id: int) -> None:
    """A registration is the unit's 联络员名单: the first one counts as that deliverable."""
    if act.campaign is None:
        return
    for d in campaigns.deadlines_of(act.session, saved_id(act.campaign)):
        if is_roster(d.deliverable) and not submissions.submission_of(
            act.session, unit_id, deadline_id=d.id
        ):
            with contextlib.suppress(submissions.AlreadySubmitted):  # a liaison registered first
                submissions.record_submission(
                    act.session,
                    unit_id=unit_id,
                    stamp=act.stamp,
                    on_time=is_on_time(d.due_at, act.stamp.at),
                    deadline_id=d.id,
                )


@dataclass(frozen=True)
class RosterUnit:
    """A unit of the roster and its registered liaisons, first registered first."""

    unit: Unit
    liaisons: list[Person]


def roster_in_view(act: Act) -> list[RosterUnit]:
    """The roster by unit, in the campaign's unit order: every unit for admins and
    supervisors, a liaison's own units otherwise (a unit with nobody registered included)."""
    camp_id = saved_id(required(act.campaign, "the active campaign"))
    rows = people.roster(act.session, camp_id)
    units = campaigns.units_of(act.session, camp_id)
    if not act.actor.oversees_all:
        units = [u for u in units if u.id in act.actor.units]
    return [RosterUnit(u, [p for ru, p in rows if ru.id == u.id]) for u in units]
