"""Binding a group chat to its unit; rebinding a bound group asks to confirm."""

from __future__ import annotations

from collections.abc import Sequence

from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import UNITS, Choice, Option

SUPERVISORS = "__supervisors__"  # the option that makes a group the supervisors' group


def bind_flow(*, rebinding: bool) -> Flow:
    """Pick the unit; a group already bound to another unit gets a confirm screen."""
    return Flow(
        FlowName.BIND,
        title="bind.title",
        steps=(Step("unit", prompt="bind.ask_unit", kind=Choice(source=UNITS)),),
        summary="bind.confirm_rebind" if rebinding else None,
    )


def unit_options(names: Sequence[str]) -> list[Option]:
    """The campaign's units as buttons; a unit's name is unique in its campaign."""
    return [Option(name, name) for name in names]
