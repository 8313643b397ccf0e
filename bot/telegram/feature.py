"""What a handler module declares it handles (its `Feature`), and the registry `bot.serve`
collects from every feature: no handler registers itself by being imported.

Like Django's URLconf: each area's module ends with one `FEATURE = Feature(...)` naming its
commands, its buttons and its flows; `bot/serve/features.py` lists the features, and
`Registry.collect` refuses two handlers for one command, button or flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.telegram.turn import Turn
from workflows.buttons import Action, Verb
from workflows.flow_names import FlowName
from workflows.forms import Draft, Flow
from workflows.inputs import FileAnswer, Option, TextAnswer
from workflows.messages import Msg

CommandHandler = Callable[[Turn, list[str]], None]
PressHandler = Callable[[Turn, Action], None]
Finish = Callable[[Turn, Draft, dict[str, object]], None]
Options = Callable[[Turn], Mapping[str, Sequence[Option]]]
# a text reply no open flow takes (a reply to a case's card starts its feedback): taken or not
ReplyHook = Callable[[Turn, TextAnswer], bool]
# a file sent in, before any flow sees it (a workbook to read); the third argument says
# whether the speaker's open flow waits for a file here (None: no flow open): taken or not
FileHook = Callable[[Turn, FileAnswer, bool | None], bool]


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
    types (`workflows/contexts.py`): a draft is checked against them when it is loaded.
    """

    # each flow's builder reads its own context type (a lambda indexes it freely): no narrower
    build: Callable[[Mapping[str, Any]], Flow]
    finish: Finish
    options: Options = _no_options
    over: Callable[[Mapping[str, object], datetime], Msg | None] = _never_over
    context: type | None = None
    answers: type | None = None  # None: answers keyed by the campaign's own fields (/new, weekly)


@dataclass(frozen=True)
class Feature:
    """One area's commands, buttons, flows, and the replies and files it takes."""

    name: str
    commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    presses: Mapping[Verb, PressHandler] = field(default_factory=dict)
    flows: Mapping[FlowName, FlowBinding] = field(default_factory=dict)
    replies: tuple[ReplyHook, ...] = ()
    files: tuple[FileHook, ...] = ()


class DoubleHandler(ValueError):
    """Two features handle the same command, button or flow."""


@dataclass(frozen=True)
class Registry:
    """Every feature's handlers, by command name, button verb and flow name."""

    commands: Mapping[str, CommandHandler]
    presses: Mapping[Verb, PressHandler]
    flows: Mapping[str, FlowBinding]
    replies: tuple[ReplyHook, ...]
    files: tuple[FileHook, ...]
    owners: Mapping[str, str]  # "command:weekly", "press:co_ok", "flow:new" → its feature

    @classmethod
    def collect(cls, features: Iterable[Feature]) -> Registry:
        """Gather the features' handlers; two for one name is a mistake, refused here."""
        commands: dict[str, CommandHandler] = {}
        presses: dict[Verb, PressHandler] = {}
        flows: dict[str, FlowBinding] = {}
        owners: dict[str, str] = {}
        replies: list[ReplyHook] = []
        files: list[FileHook] = []

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
            for name, flow in feature.flows.items():
                claim(f"flow:{name}", feature)
                flows[name] = flow
            replies += feature.replies
            files += feature.files
        return cls(commands, presses, flows, tuple(replies), tuple(files), owners)
