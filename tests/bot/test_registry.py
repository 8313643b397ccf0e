"""The features' registry: every command and button of workflows/roles.py has exactly one
handler, every handler a role rule, and two handlers for one name are refused."""

from __future__ import annotations

import pytest

from bot.serve.features import FEATURES, REGISTRY
from bot.telegram.feature import DoubleHandler, Feature, FlowBinding, Registry
from workflows.buttons import Verb
from workflows.flow_names import FlowName
from workflows.roles import COMMANDS, PRESSES


def test_every_command_with_a_role_rule_has_one_handler_and_no_handler_lacks_one() -> None:
    assert set(REGISTRY.commands) == {c.name for c in COMMANDS}
    owners = [f.name for f in FEATURES for name in f.commands]
    assert len(owners) == len(REGISTRY.commands)  # no command declared twice


def test_every_button_with_a_role_rule_has_one_handler_and_no_handler_lacks_one() -> None:
    assert set(REGISTRY.presses) == {p.verb for p in PRESSES}
    assert len([v for f in FEATURES for v in f.presses]) == len(REGISTRY.presses)


def test_every_flow_a_feature_runs_is_declared_once_with_its_context_type() -> None:
    assert len([n for f in FEATURES for n in f.flows]) == len(REGISTRY.flows)
    untyped = [name for name, binding in REGISTRY.flows.items() if binding.context is None]
    assert untyped == []
    # the answers of /new and the weekly update are keyed by the campaign's own fields and
    # the items of the week (read through workflows/week_answers.py); every other flow's are typed
    free = {name for name, binding in REGISTRY.flows.items() if binding.answers is None}
    assert free == {"new", "weekly", "deadline_cancel"}


def test_every_flow_is_named_by_the_enum_and_each_name_has_its_binding() -> None:
    """A flow's name is a FlowName wherever it is declared: a bare string would be a second
    spelling of a name that drafts already store."""
    keys = [name for f in FEATURES for name in f.flows]
    assert all(isinstance(name, FlowName) for name in keys)
    assert set(keys) == set(FlowName)
    context = {"ledger": {}, "unit": "", "items": [], "year": 2026}
    built = {
        name: binding.build(context)
        for name, binding in REGISTRY.flows.items()
        if name not in {FlowName.WEEKLY, FlowName.CLOSE}  # built from a week's items
    }
    assert all(flow.name is name for name, flow in built.items())


def test_two_handlers_for_one_name_are_refused() -> None:
    def first(turn: object, args: list[str]) -> None:
        return None

    def second(turn: object, args: list[str]) -> None:
        return None

    with pytest.raises(DoubleHandler, match="command:weekly: both one and two"):
        Registry.collect(
            [
                Feature("one", commands={"weekly": first}),
                Feature("two", commands={"weekly": second}),
            ]
        )  # type: ignore[dict-item]
    with pytest.raises(DoubleHandler, match="press:co_ok"):
        Registry.collect(
            [Feature("a", presses={Verb.CO_OK: first}), Feature("b", presses={Verb.CO_OK: second})]
        )  # type: ignore[dict-item]
    binding = FlowBinding(lambda ctx: None, lambda t, d, v: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(DoubleHandler, match="flow:new"):
        Registry.collect(
            [Feature("a", flows={"new": binding}), Feature("b", flows={"new": binding})]
        )
