"""Submitting a deliverable (报送): pick it, attach files or write a note, confirm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from workflows.forms.contexts import Material
from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import UNITS, Attachments, Choice, FormEnv, Option
from workflows.json_read import json_object_of, mapping_of, str_of
from workflows.json_types import JSONValue
from workflows.messages import Msg, msg
from workflows.planner import time_left
from workflows.words import ROSTER_DELIVERABLE

T = TypeVar("T")

DELIVERABLES = "deliverables"


def _lateness(values: Mapping[str, object], env: FormEnv) -> Mapping[str, object]:
    """Whether submitting now is on time; the due times sit in the draft's context."""
    due = mapping_of(values.get("due_by", {})).get(str_of(values.get("deliverable")))
    return {"status": on_time_msg(datetime.fromisoformat(str(due)), env.now) if due else ""}


SUBMIT = Flow(
    FlowName.SUBMIT,
    title="submit.title",
    steps=(
        Step("unit", "submit.ask_unit", Choice(source=UNITS), when=lambda v: not v.get("unit")),
        Step("deliverable", "submit.ask_deliverable", Choice(source=DELIVERABLES)),
        Step("material", "submit.ask_material", Attachments()),
    ),
    summary="submit.summary",
    extras=_lateness,
)


def deliverable_options(items: Sequence[tuple[str, str, datetime]]) -> list[Option]:
    """Buttons for (value, deliverable, due) triples."""
    return [
        Option(value, msg("submit.option", deliverable=name, due=due)) for value, name, due in items
    ]


def on_time_msg(due: datetime, at: datetime) -> Msg:
    """`按时报送` or `逾期2天3小时报送`."""
    if at <= due:
        return msg("submit.on_time")
    return msg("submit.late", span=time_left(at, due).params["span"])


def is_on_time(due: datetime, at: datetime) -> bool:
    """A deliverable submitted by its due time (the very minute included) is on time."""
    return at <= due


def applies_to(unit_names: Sequence[str] | None, unit: str) -> bool:
    """A deadline with no list of units is due from every unit; with one, from those only."""
    return unit_names is None or unit in unit_names


def is_roster(deliverable: str) -> bool:
    """The 联络员名单 deliverable: a unit's first registration submits it."""
    return ROSTER_DELIVERABLE in deliverable


@dataclass(frozen=True)
class Deliverable:
    """What is being submitted: a deadline's deliverable, or a weekly report for its period."""

    title: str
    due: datetime
    deadline_id: int | None = None
    period_start: date | None = None  # the reporting day, for a weekly report


@dataclass(frozen=True)
class NewSubmission:
    """The submission to record, and what the unit is told."""

    deadline_id: int | None
    report_name: str
    period_start: date | None
    on_time: bool
    note: str
    files: tuple[Mapping[str, JSONValue], ...]
    said: Msg


def read_choice(choice: str) -> tuple[str, int]:
    """A submit button's value: `d:<deadline id>` or `w:<weekly report index>`."""
    kind, _, ref = choice.partition(":")
    return ("deadline" if kind == "d" else "weekly"), int(ref)


def submit(
    unit: str, deliverable: Deliverable, material: Material, *, at: datetime
) -> NewSubmission:
    """Submit now: on time or late, with the attached files or note."""
    return NewSubmission(
        deadline_id=deliverable.deadline_id,
        report_name="" if deliverable.deadline_id else deliverable.title,
        period_start=deliverable.period_start,
        on_time=is_on_time(deliverable.due, at),
        note=material.get("note", ""),
        files=tuple(json_object_of(f) for f in material.get("files", [])),
        said=msg(
            "submit.done",
            unit=unit,
            deliverable=deliverable.title,
            status=on_time_msg(deliverable.due, at),
        ),
    )


def already_submitted(unit: str, deliverable: Deliverable, first_at: datetime) -> Msg:
    """Submitted earlier, or by another liaison just now: the first one stands."""
    return msg("submit.already", unit=unit, deliverable=deliverable.title, at=first_at)


def deadline_state(*, done: bool, due: datetime, now: datetime) -> Msg:
    """A unit's state on a deadline: 已报送, 已逾期 or 未报送."""
    if done:
        return msg("deadlines.status.done")
    return msg("deadlines.status.overdue" if now > due else "deadlines.status.open")


def nearest_missing(pending: Sequence[tuple[datetime, T]], now: datetime) -> T | None:
    """Of the deadlines some unit still owes (due time, deadline), the one /missing reports:
    an overdue one before any upcoming, and of those the one nearest to now."""
    if not pending:
        return None
    return min(pending, key=lambda p: (p[0] > now, abs((p[0] - now).total_seconds())))[1]
