"""A deliverable submitted (报送): recorded once per unit, on time or late; submitted again, a
deadline's material is replaced until its deadline and asked of a supervisor after it."""

from __future__ import annotations

from bot.usecases.act import Act
from bot.usecases.corrections import correct_material
from storage import submissions
from storage.models import Unit, saved_id
from workflows.deliverables.submission import Deliverable, already_submitted, submit
from workflows.forms.contexts import Material


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
