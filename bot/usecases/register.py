"""A liaison registered in the roster (联络员名单): the person written down for the unit, and the
first registration of a unit counted as its 联络员名单 deliverable."""

from __future__ import annotations

import contextlib

from bot.usecases.act import Act
from storage import campaigns, people, submissions
from storage.models import saved_id
from workflows.deliverables.submission import is_on_time, is_roster
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
