"""What a handler module declares it handles (its `Feature`), and the registry `bot.serve`
collects from every feature: no handler registers itself by being imported.

Like Django's URLconf: each area's module ends with one `FEATURE = Feature(...)` binding its
commands (`workflows.people.roles.CommandName`), its buttons (`workflows.forms.buttons.Verb`) and
its flows to their handlers; the command or button itself, with its role rule and its shape, is
declared once in `workflows/`. `bot/serve/features.py` lists the features, and `Registry.collect`
refuses two handlers for one command, button or flow, and a command or button with none.
A deep link's `/start <payload>` goes to the feature that declared the payload's prefix
(`Feature.starts`), so /start knows no feature's link.

Both doors read one registry: the chat's dispatcher (`bot/serve/dispatch.py`) and the Mini
App (`bot/web/week.py`) open a person's draft with `Registry.open` and begin a flow with
`Registry.begin_in_chat` or `Registry.begin_for_page`, by the flow's name: the binding
registered under it says how the flow is built, checked and when it is over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.telegram import flows as engine
from bot.telegram.turn import Begin, Turn
from bot.usecases.flows import built, loaded
from storage.models import FormDraft
from workflows.forms import engine as forms
from workflows.forms.buttons import Action, Verb
from workflows.forms.engine import Draft, Finished, Flow, Outcome
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import FileAnswer, FormEnv, Option, TextAnswer
from workflows.messages import Msg, msg
from workflows.people.roles import CommandName

CommandHandler = Callable[[Turn, list[str]], None]
PressHandler = Callable[[Turn, Action], None]
Finish = Callable[[Turn, Draft, dict[str, object]], None]
Options = Callable[[Turn], Mapping[str, Sequence[Option]]]
# a text reply no open flow takes (a reply to a case's card starts its feedback): taken or not
ReplyHook = Callable[[Turn, TextAnswer], bool]
# a file sent in, before any flow sees it (a workbook to read); the third argument says
# whether the speaker's open flow waits for a file here (None: no flow open): taken or not
FileHook = Callable[[Turn, FileAnswer, bool | None], bool]
# a deep link's /start payload (`t.me/<bot>?start=<payload>`), for the feature that made it
StartHandler = Callable[[Turn, str], None]


def _no_options(turn: Turn) -> Mapping[str, Sequence[Option]]:
    return {}


def _never_over(context: Mapping[str, object], now: datetime) -> Msg | None:
    return None


@dataclass(frozen=True)
class FlowBinding:
    """How the bot runs one flow: how to build it from its context, its run-time choices,
    what finishing does, and when a draft may no longer go on.

    `over` is a rule of `workflows/` (a weekly update whose week is over): the word said to
    the draft's owner, or None while it may go on. `context` and `answers` are the flow's
    types (`workflows/forms/contexts.py`): a draft is checked against them when it is loaded.
    """

    # each flow's builder reads its own context type (a lambda indexes it freely): no narrower
    build: Callable[[Mapping[str, Any]], Flow]
    finish: Finish
    options: Options = _no_options
    over: Callable[[Mapping[str, object], datetime], Msg | None] = _never_over
    context: type | None = None
    answers: type | None = None  # None: answers keyed by the campaign's own fields (/new, weekly)

    def settle(self, turn: Turn, before: Draft, outcome: Outcome) -> None:
        """A finished flow's values go to its finish; any other outcome is shown already."""
        if isinstance(outcome, Finished):
            self.finish(turn, before, outcome.values)


@dataclass(frozen=True)
class OpenFlow:
    """A person's draft, loaded, with its flow's binding and steps."""

    row: FormDraft
    binding: FlowBinding
    draft: Draft
    flow: Flow


@dataclass(frozen=True)
class Feature:
    """One area's commands, buttons, flows, and the replies and files it takes."""

    name: str
    commands: Mapping[CommandName, CommandHandler] = field(default_factory=dict)
    presses: Mapping[Verb, PressHandler] = field(default_factory=dict)
    flows: Mapping[FlowName, FlowBinding] = field(default_factory=dict)
    replies: tuple[ReplyHook, ...] = ()
    files: tuple[FileHook, ...] = ()
    starts: Mapping[str, StartHandler] = field(default_factory=dict)  # by the payload's prefix


class DoubleHandler(ValueError):
    """Two features handle the same command, button or flow."""


class MissingHandler(ValueError):
    """A command or button is declared (with its role rule) but no feature handles it, or a
    feature handles one that is not declared."""


@dataclass(frozen=True)
class Registry:
    """Every feature's handlers, by command name, button verb and flow name."""

    commands: Mapping[str, CommandHandler]
    presses: Mapping[Verb, PressHandler]
    flows: Mapping[str, FlowBinding]
    replies: tuple[ReplyHook, ...]
    files: tuple[FileHook, ...]
    owners: Mapping[str, str]  # "command:weekly", "press:co_ok", "flow:new" → its feature
    starts: Mapping[str, StartHandler] = field(default_factory=dict)  # by the payload's prefix

    @classmethod
    def collect(
        cls,
        features: Iterable[Feature],
        *,
        commands_declared: Iterable[str] = tuple(CommandName),
        verbs_declared: Iterable[Verb] = tuple(Verb),
    ) -> Registry:
        """Gather the features' handlers; two for one name, a declared command or button with
        none, or a handler for one not declared, is a mistake refused here."""
        commands: dict[str, CommandHandler] = {}
        presses: dict[Verb, PressHandler] = {}
        flows: dict[str, FlowBinding] = {}
        owners: dict[str, str] = {}
        replies: list[ReplyHook] = []
        files: list[FileHook] = []
        starts: dict[str, StartHandler] = {}

        def claim(key: str, feature: Feature) -> None:
            if key in owners:
                raise DoubleHandler(f"{key}: both {owners[key]} and {feature.name}")
            owners[key] = feature.name

        for feature in features:
            for name, command in feature.commands.items():
                claim(f"command:{name}", feature)
                commands[name] = command
            for verb, press in feature.presses.items():
                claim(f"press:{verb.value}", feature)
                presses[verb] = press
            for flow_name, flow in feature.flows.items():
                claim(f"flow:{flow_name}", feature)
                flows[flow_name] = flow
            replies += feature.replies
            files += feature.files
            for prefix, start in feature.starts.items():
                claim(f"start:{prefix}", feature)
                starts[prefix] = start
        unhandled = [f"command:{c}" for c in commands_declared if c not in commands]
        unhandled += [f"press:{v.value}" for v in verbs_declared if v not in presses]
        undeclared = [f"command:{c}" for c in set(commands) - set(commands_declared)]
        undeclared += [f"press:{v.value}" for v in set(presses) - set(verbs_declared)]
        if unhandled or undeclared:
            raise MissingHandler(
                f"declared without a handler: {sorted(unhandled)}; "
                f"handled without a declaration: {sorted(undeclared)}"
            )
        return cls(commands, presses, flows, tuple(replies), tuple(files), owners, starts)

    def command_handler(self, name: str, args: Sequence[str]) -> CommandHandler | None:
        """The handler of command `name`; a /start whose payload begins with a prefix a
        feature declared (its deep link) goes to that feature instead of the greeting."""
        payload = args[0] if name == CommandName.START and args else ""
        for prefix, start in self.starts.items():
            if payload.startswith(prefix) and len(payload) > len(prefix):
                return lambda turn, _args: start(turn, payload)
        return self.commands.get(name)

    def open(self, turn: Turn, row: FormDraft) -> OpenFlow | Msg:
        """The draft `row` loaded with the flow registered under its name; a draft that may
        no longer go on (its flow gone or changed since, its time over) is closed with a word
        to its owner, and that word is the answer."""
        binding = self.flows.get(row.flow)
        draft = None if binding is None else loaded(row, binding.context, binding.answers)
        if binding is None or draft is None:  # a flow this version no longer has, or cannot read
            word = msg("form.outdated")
            engine.close(turn, row, word, "draft.outdated")
            return word
        over = binding.over(draft.context, turn.stamp.at)
        if over is not None:
            engine.close(turn, row, over, "draft.expired")
            return over
        return OpenFlow(row, binding, draft, built(row.flow, binding.build, draft.context))

    def _start(
        self, turn: Turn, name: FlowName, context: Mapping[str, Any] | None
    ) -> tuple[FlowBinding, Flow, FormEnv, dict[str, Any]]:
        binding = self.flows[name]
        began = dict(context or {})
        flow = built(name, binding.build, began)
        return binding, flow, engine.env_for(turn, binding.options(turn)), began

    def begin_in_chat(self, turn: Turn, request: Begin) -> None:
        """Begin the flow a handler asked for (no draft of the speaker's is open here): its
        first step shown in the chat, or, when answers given up front finish it, its finish."""
        binding, flow, env, context = self._start(turn, request.flow, request.context)
        before, outcome = engine.start_in_chat(
            turn, flow, env, context=context, prefill=request.prefill, extra=request.extra
        )
        binding.settle(turn, before, outcome)

    def begin_for_page(
        self, turn: Turn, name: FlowName, context: Mapping[str, Any]
    ) -> OpenFlow | None:
        """Begin a flow for a page (no draft of the speaker's is open here): its draft saved
        here, not shown (the page shows it); None when it has nothing to ask."""
        binding, flow, env, began = self._start(turn, name, context)
        draft, _ = forms.start(flow, env=env, context=began)
        if draft is None:
            return None
        return OpenFlow(engine.save_unshown(turn, draft), binding, draft, flow)
