"""The features' registry: every command (`workflows.people.roles.CommandName`) and button
(`workflows.forms.buttons.Verb`) declared with its rule has exactly one handler, every handler a
declaration, and two handlers for one name are refused, all when the registry is collected."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typing_extensions import is_typeddict

from bot.serve.features import FEATURES, REGISTRY
from bot.telegram.feature import (
    DoubleHandler,
    Feature,
    FlowBinding,
    MissingHandler,
    Registry,
    WrongContext,
)
from bot.telegram.turn import Turn
from workflows.forms.buttons import PRESSES, Verb
from workflows.forms.contexts import (
    FeedbackContext,
    FieldAnswers,
    RejectAnswers,
    RejectContext,
    SubmitContext,
    Unreadable,
    WeeklyContext,
    reader,
)
from workflows.forms.engine import Flow
from workflows.forms.flow_names import FlowName
from workflows.people.roles import COMMANDS, CommandName
from workflows.week.week_answers import WeekAnswers
from workflows.week.weekly import REJECT, weekly_flow


def test_every_command_with_a_role_rule_has_one_handler_and_no_handler_lacks_one() -> None:
    assert set(REGISTRY.commands) == {c.name for c in COMMANDS}
    owners = [f.name for f in FEATURES for name in f.commands]
    assert len(owners) == len(REGISTRY.commands)  # no command declared twice


def test_every_button_with_a_role_rule_has_one_handler_and_no_handler_lacks_one() -> None:
    assert set(REGISTRY.presses) == set(PRESSES) == set(Verb)
    assert len([v for f in FEATURES for v in f.presses]) == len(REGISTRY.presses)


def test_every_flow_a_feature_runs_is_declared_once_with_its_context_type() -> None:
    assert len([n for f in FEATURES for n in f.flows]) == len(REGISTRY.flows)
    bindings = [b for f in FEATURES for b in f.flows.values()]
    assert all(isinstance(b, FlowBinding) and is_typeddict(b.context) for b in bindings)
    # the answers of /new and the weekly update are keyed by the campaign's own fields and
    # the items of the week: read through a wrapper with accessors; every other flow's are a
    # TypedDict, checked
    wrapped = {
        name: binding.answers
        for f in FEATURES
        for name, binding in f.flows.items()
        if isinstance(binding, FlowBinding) and isinstance(binding.answers, type)
    }
    assert wrapped == {FlowName.NEW: FieldAnswers, FlowName.WEEKLY: WeekAnswers}


def test_a_binding_whose_builder_or_finish_reads_another_context_is_refused_at_load() -> None:
    def build(context: WeeklyContext) -> Flow:
        return weekly_flow(context)

    def finish(turn: Turn, context: FeedbackContext, given: RejectAnswers) -> None:
        return None

    def rejects(turn: Turn, context: WeeklyContext, given: RejectAnswers) -> None:
        return None

    with pytest.raises(WrongContext, match="build reads WeeklyContext"):
        FlowBinding(build, rejects, context=SubmitContext, answers=reader(RejectAnswers))  # type: ignore[arg-type]
    with pytest.raises(WrongContext, match="finish reads FeedbackContext"):
        FlowBinding(build, finish, context=WeeklyContext, answers=reader(RejectAnswers))  # type: ignore[arg-type]
    FlowBinding(build, rejects, context=WeeklyContext, answers=reader(RejectAnswers))


def test_a_draft_whose_context_is_not_its_flows_type_is_not_run() -> None:
    """A context a handler begins a flow with is checked as the flow's type when it is built."""
    binding = FlowBinding(
        lambda c: REJECT,
        lambda t, c, a: None,
        context=FeedbackContext,
        answers=reader(RejectAnswers),
    )
    with pytest.raises(Unreadable):
        binding.begin(FlowName.FEEDBACK, {"case": 1})
    assert binding.begin(FlowName.FEEDBACK, {"case_id": 1, "code": "ZB-1"}) is REJECT


def test_every_flow_is_named_by_the_enum_and_each_name_has_its_binding() -> None:
    """A flow's name is a FlowName wherever it is declared: a bare string would be a second
    spelling of a name that drafts already store."""
    keys = [name for f in FEATURES for name in f.flows]
    assert all(isinstance(name, FlowName) for name in keys)
    assert set(keys) == set(FlowName)
    context = {"ledger": {}, "unit": "", "items": [], "year": 2026, "rebinding": False}
    built = {
        name: binding.build(context)  # type: ignore[attr-defined]
        for f in FEATURES
        for name, binding in f.flows.items()
        if name not in {FlowName.WEEKLY, FlowName.CLOSE}  # built from a week's items
    }
    assert all(flow.name is name for name, flow in built.items())


def _without(
    feature_name: str, verb: Verb | None = None, command: str | None = None
) -> list[Feature]:
    """The features, one of them missing a button's or a command's handler."""
    out = []
    for f in FEATURES:
        if f.name == feature_name:
            presses = {v: h for v, h in f.presses.items() if v != verb}
            commands = {c: h for c, h in f.commands.items() if c != command}
            f = Feature(f.name, commands, presses, f.flows, f.replies, f.files)
        out.append(f)
    return out


def test_a_button_or_a_command_declared_without_a_handler_is_refused_when_collected() -> None:
    assert Registry.collect(_without("cases")).presses.keys() == REGISTRY.presses.keys()
    with pytest.raises(MissingHandler, match=r"without a handler: \['press:sign'\]"):
        Registry.collect(_without("cases", verb=Verb.SIGN))
    with pytest.raises(MissingHandler, match=r"without a handler: \['command:forward'\]"):
        Registry.collect(_without("cases", command=CommandName.FORWARD))


def test_a_handler_for_a_command_never_declared_is_refused() -> None:
    def stray(turn: object, args: list[str]) -> None:
        return None

    stray_feature = Feature("stray", commands={"stray": stray})  # type: ignore[dict-item]
    with pytest.raises(MissingHandler, match=r"without a declaration: \['command:stray'\]"):
        Registry.collect([*FEATURES, stray_feature])


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
    binding = FlowBinding(
        lambda ctx: REJECT,
        lambda t, c, a: None,
        context=RejectContext,
        answers=reader(RejectAnswers),
    )
    with pytest.raises(DoubleHandler, match="flow:new"):
        Registry.collect(
            [Feature("a", flows={"new": binding}), Feature("b", flows={"new": binding})]
        )


def test_two_features_serving_one_route_of_the_mini_app_are_refused() -> None:
    week = REGISTRY.routes[0]
    with pytest.raises(DoubleHandler, match=f"route:{week.method} {week.path}: both a and b"):
        Registry.collect([Feature("a").serving(week), Feature("b", routes=(week,))])
    keys = [route.key for feature in FEATURES for route in feature.routes]
    assert len(keys) == len(set(keys)) == len(REGISTRY.routes) > 0


def test_no_handler_picks_what_to_do_by_the_verb_pressed() -> None:
    """Each verb has its own handler, named for what it does: a handler reading the verb
    to choose would be a second, hidden table of what each button does."""
    handlers = Path(__file__).resolve().parents[2] / "bot" / "handlers"
    offenders = [
        f"{path.name}:{node.lineno}"
        for path in sorted(handlers.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "verb"
    ]
    assert offenders == []


def test_a_start_payload_goes_to_the_feature_that_declared_its_prefix() -> None:
    """A deep link's /start reaches the feature whose link it is by the payload's prefix (the
    私聊填写 link, weekly_private's): /start itself knows no feature's link."""
    greeting = REGISTRY.commands[CommandName.START]
    assert REGISTRY.owners["start:w"] == "weekly_private"
    assert REGISTRY.command_handler(CommandName.START, []) is greeting
    assert REGISTRY.command_handler(CommandName.START, ["w"]) is greeting  # the prefix alone
    assert REGISTRY.command_handler(CommandName.START, ["hello"]) is greeting
    assert REGISTRY.command_handler(CommandName.START, ["wAbc.def"]) is not greeting
    assert REGISTRY.command_handler(CommandName.HELP, ["wAbc"]) is REGISTRY.commands["help"]
    heard: list[str] = []
    link = Feature("link", starts={"x": lambda turn, payload: heard.append(payload)})
    routed = Registry.collect([*FEATURES, link]).command_handler(CommandName.START, ["x42"])
    assert routed is not None
    routed(None, ["x42"])  # type: ignore[arg-type]
    assert heard == ["x42"]
    with pytest.raises(DoubleHandler, match="start:w: both weekly_private and link"):
        Registry.collect([*FEATURES, Feature("link", starts={"w": lambda t, p: None})])
