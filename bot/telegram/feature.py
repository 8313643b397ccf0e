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
registered under it says how the flow is built, checked and when it is over. The Mini App's
server (`bot/web/server.py`) serves the routes the registry holds (`Registry.routes`), each
declared with the feature it serves (`Feature.serving`), and no other.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar, get_type_hints

from typing_extensions import is_typeddict

from bot.telegram import flows as engine
from bot.telegram.turn import Begin, Turn
from bot.usecases.flows import built, loaded
from storage.models import FormDraft
from workflows.forms import engine as forms
from workflows.forms.buttons import Action, Verb
from workflows.forms.contexts import checked
from workflows.forms.engine import Draft, Finished, Flow, Outcome
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import FileAnswer, FormEnv, Option, TextAnswer
from workflows.messages import Msg, msg
from workflows.people.roles import CommandName

if TYPE_CHECKING:  # the Mini App's routes are aiohttp's; the chat alone never loads it here
    from aiohttp import web

CommandHandler = Callable[[Turn, list[str]], None]
PressHandler = Callable[[Turn, Action], None]
Options = Callable[[Turn], Mapping[str, Sequence[Option]]]
# a text reply no open flow takes (a reply to a case's card starts its feedback): taken or not
ReplyHook = Callable[[Turn, TextAnswer], bool]
# a file sent in, before any flow sees it (a workbook to read); the third argument says
# whether the speaker's open flow waits for a file here (None: no flow open): taken or not
FileHook = Callable[[Turn, FileAnswer, bool | None], bool]
# a deep link's /start payload (`t.me/<bot>?start=<payload>`), for the feature that made it
StartHandler = Callable[[Turn, str], None]

C = TypeVar("C", bound=Mapping[str, object])  # a flow's context (a TypedDict of contexts.py)
A = TypeVar("A")  # a flow's answers, as its finish reads them


def _no_options(turn: Turn) -> Mapping[str, Sequence[Option]]:
    return {}


def _never_over(context: object, now: datetime) -> Msg | None:
    return None


@dataclass(frozen=True)
class FlowBinding(Generic[C, A]):
    """How the bot runs one flow: how to build it from its context, its run-time choices,
    what finishing does, and when a draft may no longer go on.

    `context` is the flow's context type (`workflows/forms/contexts.py`), and `build`, `over`
    and `finish` read that type (mypy holds each to its binding's); `answers` reads the finished
    values as the finish takes them (a TypedDict checked by `contexts.reader`, or a wrapper
    such as `WeekAnswers` where the keys are the campaign's own). A stored draft is checked
    against both when it is loaded, and one that no longer reads is closed, not run.
    """

    build: Callable[[C], Flow]
    finish: Callable[[Turn, C, A], None]
    options: Options = _no_options
    # a rule of `workflows/` (a weekly update whose week is over): the word said to the
    # draft's owner, or None while it may go on
    over: Callable[[C, datetime], Msg | None] = _never_over
    context: type[C] = field(kw_only=True)
    answers: Callable[[Mapping[str, object]], A] = field(kw_only=True)

    def __post_init__(self) -> None:
        # mypy holds each binding to its context type; this refuses, when the registry is
        # loaded, one it could not see (a builder or finish annotated with another context)
        for reads, at in ((self.build, 0), (self.over, 0), (self.finish, 1)):
            declared = _parameter_type(reads, at)
            if (
                isinstance(declared, type)
                and is_typeddict(declared)
                and declared is not self.context
            ):
                raise WrongContext(
                    f"{getattr(reads, '__qualname__', reads)} reads {declared.__name__}, "
                    f"the flow's context is {self.context.__name__}"
                )

    def load(self, row: FormDraft) -> Loaded | None:
        """The stored draft with its flow and whether it is over; None when it no longer reads."""
        found = loaded(row, self.context, self.answers)
        if found is None:
            return None
        flow = built(row.flow, self.build, found.context, self.context)
        return Loaded(found.draft, flow, lambda now: self.over(found.context, now))

    def begin(self, name: str, context: Mapping[str, object]) -> Flow:
        """The flow for a context a handler or a page begins it with (checked when built)."""
        return built(name, self.build, context, self.context)

    def settle(self, turn: Turn, before: Draft, outcome: Outcome) -> None:
        """A finished flow's values go to its finish, read as its context and answers; any other
        outcome is shown already."""
        if isinstance(outcome, Finished):
            context = checked(self.context, before.context)
            self.finish(turn, context, self.answers(outcome.values))


class WrongContext(TypeError):
    """A flow's builder, rule or finish reads another context type than its binding's."""


def _parameter_type(function: Callable[..., object], position: int) -> object:
    """The annotated type of a function's parameter at `position` (None when unannotated)."""
    try:
        hints = get_type_hints(function)
        names = list(inspect.signature(function).parameters)
    except (NameError, TypeError, ValueError):  # a builtin, or a name only imported for mypy
        return None
    return hints.get(names[position]) if position < len(names) else None


@dataclass(frozen=True)
class Loaded:
    """A stored draft as its binding reads it: the draft, its flow, and the word for its owner
    once it may no longer go on (None while it may)."""

    draft: Draft
    flow: Flow
    over: Callable[[datetime], Msg | None]


class Binding(Protocol):
    """A flow's binding as the registry runs it, whatever its context and answers types."""

    @property
    def options(self) -> Options:
        """The flow's run-time choices."""

    def load(self, row: FormDraft) -> Loaded | None:
        """The stored draft, loaded."""

    def begin(self, name: str, context: Mapping[str, object]) -> Flow:
        """The flow begun with `context`."""

    def settle(self, turn: Turn, before: Draft, outcome: Outcome) -> None:
        """A step's outcome settled."""


@dataclass(frozen=True)
class OpenFlow:
    """A person's draft, loaded, with its flow's binding and steps."""

    row: FormDraft
    binding: Binding
    draft: Draft
    flow: Flow


@dataclass(frozen=True)
class PageRoute:
    """One call of the Mini App's API a feature serves: its method, its path under the Mini
    App's own (`api/week`), and the function that answers it (in `bot/web/`)."""

    method: str
    path: str
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]

    @property
    def key(self) -> str:
        """What the registry knows it by: `route:GET api/week`."""
        return f"route:{self.method} {self.path}"


@dataclass(frozen=True)
class Feature:
    """One area's commands, buttons, flows, the replies and files it takes, and the Mini App's
    routes it serves."""

    name: str
    commands: Mapping[CommandName, CommandHandler] = field(default_factory=dict)
    presses: Mapping[Verb, PressHandler] = field(default_factory=dict)
    flows: Mapping[FlowName, Binding] = field(default_factory=dict)
    replies: tuple[ReplyHook, ...] = ()
    files: tuple[FileHook, ...] = ()
    starts: Mapping[str, StartHandler] = field(default_factory=dict)  # by the payload's prefix
    routes: tuple[PageRoute, ...] = ()

    def serving(self, *routes: PageRoute) -> Feature:
        """This feature with the Mini App's routes that serve it: its pages live in `bot/web/`,
        a room above the chat's handlers, so they join it in `bot/serve/features.py`."""
        return replace(self, routes=(*self.routes, *routes))


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
    flows: Mapping[str, Binding]
    replies: tuple[ReplyHook, ...]
    files: tuple[FileHook, ...]
    owners: Mapping[str, str]  # "command:weekly", "press:co_ok", "flow:new" → its feature
    starts: Mapping[str, StartHandler] = field(default_factory=dict)  # by the payload's prefix
    routes: tuple[PageRoute, ...] = ()  # the Mini App's API, every route with its feature

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
        flows: dict[str, Binding] = {}
        owners: dict[str, str] = {}
        replies: list[ReplyHook] = []
        files: list[FileHook] = []
        starts: dict[str, StartHandler] = {}
        routes: list[PageRoute] = []

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
            for route in feature.routes:
                claim(route.key, feature)
                routes.append(route)
        unhandled = [f"command:{c}" for c in commands_declared if c not in commands]
        unhandled += [f"press:{v.value}" for v in verbs_declared if v not in presses]
        undeclared = [f"command:{c}" for c in set(commands) - set(commands_declared)]
        undeclared += [f"press:{v.value}" for v in set(presses) - set(verbs_declared)]
        if unhandled or undeclared:
            raise MissingHandler(
                f"declared without a handler: {sorted(unhandled)}; "
                f"handled without a declaration: {sorted(undeclared)}"
            )
        return cls(
            commands, presses, flows, tuple(replies), tuple(files), owners, starts, tuple(routes)
        )

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
        found = None if binding is None else binding.load(row)
        if binding is None or found is None:  # a flow this version no longer has, or cannot read
            word = msg("form.outdated")
            engine.close(turn, row, word, "draft.outdated")
            return word
        over = found.over(turn.stamp.at)
        if over is not None:
            engine.close(turn, row, over, "draft.expired")
            return over
        return OpenFlow(row, binding, found.draft, found.flow)

    def _start(
        self, turn: Turn, name: FlowName, context: Mapping[str, object] | None
    ) -> tuple[Binding, Flow, FormEnv, dict[str, object]]:
        binding = self.flows[name]
        began = dict(context or {})
        flow = binding.begin(name, began)
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
        self, turn: Turn, name: FlowName, context: Mapping[str, object]
    ) -> OpenFlow | None:
        """Begin a flow for a page (no draft of the speaker's is open here): its draft saved
        here, not shown (the page shows it); None when it has nothing to ask."""
        binding, flow, env, began = self._start(turn, name, context)
        draft, _ = forms.start(flow, env=env, context=began)
        if draft is None:
            return None
        return OpenFlow(engine.save_unshown(turn, draft), binding, draft, flow)
