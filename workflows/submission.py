"""Submitting a deliverable (报送): pick it, attach files or write a note, confirm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from workflows.forms import Flow, Step
from workflows.inputs import Attachments, Choice, FormEnv, Option
from workflows.messages import Msg, msg
from workflows.planner import time_left

DELIVERABLES = "deliverables"
UNITS = "units"


def _lateness(values: Mapping[str, Any], env: FormEnv) -> Mapping[str, Any]:
    """Whether submitting now is on time; the due times sit in the draft's context."""
    due = values.get("due_by", {}).get(values.get("deliverable") or "")
    return {"status": on_time_msg(datetime.fromisoformat(due), env.now) if due else ""}


SUBMIT = Flow(
    "submit",
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
