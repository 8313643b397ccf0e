"""A deliverable submitted (报送): recorded once per unit, on time or late; submitted again, a
deadline's material is replaced until its deadline and asked of a supervisor after it; what a
unit can still submit."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from bot.usecases.act import Act
from bot.usecases.corrections import correct_material
from bot.usecases.deadlines import applies, weekly_due
from storage import campaigns, submissions
from storage.models import Unit, saved_id
from workflows.deliverables.submission import Deliverable, already_submitted, submit
from workflows.forms.contexts import Material
from workflows.guards import required
from workflows.messages import msg
from workflows.week.correction import DIRECT, correction_kind


def submit_deliverable(
    act: Act, unit: Unit, what: Deliverable, material: Material, *, replaceable: bool
) -> None:
    """Record the unit's submission of `what` with its material, and say so; one submitted
    before (or by another liaison just now) is corrected when `replaceable` (a deadline's
    deliverable), else said to be in already."""
    done = submit(unit.name, what, material, at=act.stamp.at)
    try:
        submissions.record_submission(
            act.session,
            unit_id=saved_id(unit),
            stamp=act.stamp,
            on_time=done.on_time,
            note=done.note,
            files=[dict(f) for f in done.files],
            deadline_id=done.deadline_id,
            report_name=done.report_name,
            period_start=done.period_start,
        )
    except submissions.AlreadySubmitted as first:  # earlier, or another liaison just now
        if replaceable:  # replaced until the deadline, asked of a supervisor after it
            correct_material(act, unit, what, first.first, material)
            return
        act.say(already_submitted(unit.name, what, first.first.submitted_at))
        return
    act.say(done.said)


class OpenDeliverable(NamedTuple):
    """Something a unit can submit: its choice's value (`d:<deadline id>` or `w:<weekly
    report's index>`), its name as offered, and its due time."""

    value: str
    name: str
    due: datetime


def open_deliverables(act: Act, unit: Unit) -> list[OpenDeliverable]:
    """What the unit can still submit: the deadlines' deliverables not yet sent (one sent is
    offered for replacing: at once until its deadline, by request after it), and this week's
    reports not yet sent."""
    camp = required(act.campaign, "the active campaign")
    out = []
    for d in campaigns.deadlines_of(act.session, saved_id(camp)):
        if not applies(d, unit):
            continue
        if not submissions.submission_of(act.session, saved_id(unit), deadline_id=d.id):
            out.append(OpenDeliverable(f"d:{d.id}", d.deliverable, d.due_at))
        else:  # its material replaceable: at once until the deadline, by request after it
            direct = correction_kind(d.due_at, act.stamp.at) == DIRECT
            label = "correction.replace_option" if direct else "resubmit.request_option"
            said = act.text(msg(label, deliverable=d.deliverable))
            out.append(OpenDeliverable(f"d:{d.id}", said, d.due_at))
    for index in range(len(camp.weekly_reports)):
        name, day, due = weekly_due(act, index, unit.id)
        if not submissions.submission_of(
            act.session, saved_id(unit), report_name=name, period_start=day.date()
        ):
            out.append(OpenDeliverable(f"w:{index}", name, due))
    return out
