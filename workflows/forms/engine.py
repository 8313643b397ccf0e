"""The form engine: step-by-step flows declared as data, advanced one answer at a time.

A flow is a tuple of steps; a draft is where one person stands in it. `advance` takes
the draft and an answer and returns the new draft and an outcome: ask this (perhaps with
an error), finished with these values, or cancelled. Nothing here touches Telegram or the
database; the adapter stores the draft and renders the outcome. What a step costs in a
group chat (one message at most) and how to keep it so: `bot/telegram/flows.py`'s docstring.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import (
    Answer,
    Attachments,
    ChoiceAnswer,
    DateInput,
    FormEnv,
    InputError,
    Kind,
    Option,
    StatusCard,
    TextAnswer,
    shown,
)
from workflows.json_read import json_object_of, need_int, need_list, need_object
from workflows.json_types import JSONObject, JSONValue
from workflows.messages import Msg, msg

Condition = Callable[[Mapping[str, object]], bool]


@dataclass(frozen=True)
class Step:
    """One question: the field it fills, its prompt's message id, and what it accepts."""

    field: str
    prompt: str
    kind: Kind
    optional: bool = False
    when: Condition | None = None
    # the prompt's placeholders (dataclasses.field: the attribute `field` above shadows the
    # import in the class body)
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    """A named sequence of steps, ending on a confirm screen when `summary` is set.

    `extras` adds figures the confirm screen shows but nobody typed (the time left, say);
    it sees the draft's context and values.
    """

    name: FlowName
    title: str
    steps: tuple[Step, ...]
    summary: str | None = None
    extras: Callable[[Mapping[str, object], FormEnv], Mapping[str, object]] | None = None


@dataclass(frozen=True)
class Draft:
    """Where one person stands in a flow; stored as JSON, so it survives restarts."""

    flow: str
    step: int
    values: JSONObject = field(default_factory=dict)
    trail: tuple[int, ...] = ()
    pending: JSONValue = None
    rev: int = 0
    context: JSONObject = field(default_factory=dict)

    def to_json(self) -> JSONObject:
        """A JSON-safe dict."""
        return {
            "flow": self.flow,
            "step": self.step,
            "values": self.values,
            "trail": [*self.trail],
            "pending": self.pending,
            "rev": self.rev,
            "context": self.context,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSONValue]) -> Draft:
        """The draft a `to_json` dict describes."""
        return cls(
            flow=str(data["flow"]),
            step=need_int(data["step"]),
            values=dict(need_object(data.get("values", {}))),
            trail=tuple(need_int(t) for t in need_list(data.get("trail", []))),
            pending=data.get("pending"),
            rev=need_int(data.get("rev", 0)),
            context=dict(need_object(data.get("context", {}))),
        )


@dataclass(frozen=True)
class Ask:
    """Show a prompt and wait; `error` explains why the last answer was not taken."""

    field: str
    prompt: Msg
    kind: str
    options: tuple[Option, ...] = ()
    error: Msg | None = None
    optional: bool = False


@dataclass(frozen=True)
class Finished:
    """The flow is complete; these are its values."""

    values: dict[str, object]


@dataclass(frozen=True)
class Cancelled:
    """The person cancelled; the draft is gone."""


@dataclass(frozen=True)
class Noted:
    """The answer was taken, the prompt stays: no new message, only this short notice."""

    notice: Msg


Outcome = Ask | Finished | Cancelled | Noted
Nav = Literal["back", "skip", "cancel"]

CONFIRM = "__confirm__"
_CONFIRM_OPTIONS = (
    Option("confirm", msg("form.button.confirm")),
    Option("back", msg("form.button.back")),
    Option("cancel", msg("form.button.cancel")),
)
_DONE_OPTIONS = (Option("done", msg("form.button.done")),)
_DATE_OPTIONS = (
    Option("ok", msg("form.button.date_ok")),
    Option("retry", msg("form.button.date_retry")),
)


def _applies(step: Step, draft: Draft) -> bool:
    return step.when is None or step.when({**draft.context, **draft.values})


def _next_index(flow: Flow, draft: Draft, after: int) -> int:
    """The index of the next step whose condition holds, or the end."""
    i = after + 1
    while i < len(flow.steps) and not _applies(flow.steps[i], draft):
        i += 1
    return i


def _ask(flow: Flow, draft: Draft, env: FormEnv, error: Msg | None = None) -> Ask:
    if draft.step >= len(flow.steps):
        return Ask(CONFIRM, summary(flow, draft, env), "confirm", _CONFIRM_OPTIONS, error)
    step = flow.steps[draft.step]
    if draft.pending is not None and isinstance(step.kind, DateInput):
        shown = step.kind.show(draft.pending)
        return Ask(
            step.field, msg("form.date_confirm", value=shown), "choice", _DATE_OPTIONS, error
        )
    if isinstance(step.kind, Attachments):
        current = draft.values.get(step.field)
        if step.kind.complete(current):
            got = msg("form.material_so_far", material=step.kind.show(current))
            return Ask(step.field, got, "files", _DONE_OPTIONS, error, step.optional)
        return Ask(step.field, msg(step.prompt, **step.params), "files", (), error, step.optional)
    options = step.kind.options_in(env) if hasattr(step.kind, "options_in") else ()
    prompt = msg(step.prompt, **step.params)
    return Ask(step.field, prompt, step.kind.kind, tuple(options), error, step.optional)


def summary(flow: Flow, draft: Draft, env: FormEnv) -> Msg:
    """The confirm screen: the flow's summary message with every answered value."""
    params: dict[str, object] = {}
    for step in flow.steps:
        value = draft.values.get(step.field)
        if value is None and draft.context.get(step.field):
            continue  # given when the flow began (the group's unit): the context says it
        params[step.field] = msg("form.empty") if value is None else shown(step.kind, value, env)
    extras = flow.extras({**draft.context, **draft.values}, env) if flow.extras else {}
    return msg(flow.summary or "form.summary", **{**draft.context, **params, **extras})


def _finish_or_confirm(flow: Flow, draft: Draft, env: FormEnv) -> tuple[Draft | None, Outcome]:
    if draft.step < len(flow.steps) or flow.summary:
        return draft, _ask(flow, draft, env)
    return None, Finished(dict(draft.values))


def _moved(draft: Draft, flow: Flow, **values: JSONValue) -> Draft:
    """Store the answered values, then step to the next step that applies to them."""
    filled = replace(draft, values={**draft.values, **values})
    return replace(
        filled,
        step=_next_index(flow, filled, draft.step),
        trail=(*draft.trail, draft.step),
        pending=None,
        rev=draft.rev + 1,
    )


def opening(flow: Flow, context: Mapping[str, object] | None = None) -> Draft:
    """The draft a flow opens with, before any answer: its context kept as JSON (checked
    once, here)."""
    return Draft(flow.name, 0, context=json_object_of(context or {}))


def start(
    flow: Flow,
    *,
    env: FormEnv,
    context: Mapping[str, object] | None = None,
    prefill: Mapping[str, Answer] | None = None,
) -> tuple[Draft | None, Outcome]:
    """Open a flow; answers given up front (`/bind 轮台县`) fill their steps at once."""
    draft = opening(flow, context)
    draft = replace(draft, step=_next_index(flow, draft, -1))
    given = dict(prefill or {})
    while draft.step < len(flow.steps) and flow.steps[draft.step].field in given:
        step = flow.steps[draft.step]
        answer = given.pop(step.field)
        try:
            value = step.kind.parse(answer, replace(env, values={**draft.context, **draft.values}))
        except InputError as err:
            return draft, _ask(flow, draft, env, err.message)
        draft = _moved(draft, flow, **{step.field: value})
    return _finish_or_confirm(flow, draft, env)


def resume(flow: Flow, draft: Draft, *, env: FormEnv) -> Ask:
    """The prompt of the step the draft stands on, to show it again."""
    return _ask(flow, draft, env)


def advance(
    flow: Flow, draft: Draft, answer: Answer | Nav, *, env: FormEnv
) -> tuple[Draft | None, Outcome]:
    """Apply one answer or `/back`, `/skip`, `/cancel`; return the new draft and outcome."""
    if answer == "cancel":
        return None, Cancelled()
    if answer == "back":
        return _back(flow, draft, env)
    if answer == "skip":
        return _skip(flow, draft, env)
    if isinstance(answer, str):
        raise ValueError(f"not a step command: {answer!r}")
    env = replace(env, values={**draft.context, **draft.values})
    if draft.step >= len(flow.steps):
        return _confirm(flow, draft, answer, env)
    step = flow.steps[draft.step]
    if isinstance(step.kind, StatusCard):
        return _card(flow, draft, step, answer, env)
    if draft.pending is not None and isinstance(answer, ChoiceAnswer):
        if answer.index == 0:
            moved = _moved(draft, flow, **{step.field: draft.pending})
            return _finish_or_confirm(flow, moved, env)
        if answer.index == 1:
            again = replace(draft, pending=None, rev=draft.rev + 1)
            return again, _ask(flow, again, env)
        return draft, _ask(flow, draft, env, msg("form.stale_button"))
    if isinstance(step.kind, Attachments):
        return _collect(flow, draft, step, answer, env)
    try:
        value = step.kind.parse(answer, env)
    except InputError as err:
        return draft, _ask(flow, draft, env, err.message)
    if isinstance(step.kind, DateInput):
        waiting = replace(draft, pending=value, rev=draft.rev + 1)
        return waiting, _ask(flow, waiting, env)
    moved = _moved(draft, flow, **{step.field: value})
    return _finish_or_confirm(flow, moved, env)


def _collect(
    flow: Flow, draft: Draft, step: Step, answer: Answer, env: FormEnv
) -> tuple[Draft | None, Outcome]:
    """Files and a note pile up on one step; 完成 moves on once there is enough."""
    if not isinstance(step.kind, Attachments):
        raise TypeError(f"{flow.name}.{step.field} does not collect files")
    current = draft.values.get(step.field)
    if isinstance(answer, ChoiceAnswer):
        if answer.index != 0:
            return draft, _ask(flow, draft, env, msg("form.stale_button"))
        if not step.kind.complete(current):
            return draft, _ask(flow, draft, env, msg("form.need_material"))
        return _finish_or_confirm(flow, _moved(draft, flow), env)
    try:
        value = step.kind.collect(current, answer, env)
    except InputError as err:
        return draft, _ask(flow, draft, env, err.message)
    more = replace(draft, values={**draft.values, step.field: value}, rev=draft.rev + 1)
    return more, _ask(flow, more, env)


def _card(
    flow: Flow, draft: Draft, step: Step, answer: Answer, env: FormEnv
) -> tuple[Draft | None, Outcome]:
    """A status press is noted or moves on; a reply to the card gives the text and moves on."""
    card = step.kind
    if not isinstance(card, StatusCard):
        raise TypeError(f"step {step.field} is not a status card")
    if isinstance(answer, ChoiceAnswer):
        if not 0 <= answer.index < len(card.options):
            return draft, _ask(flow, draft, env, msg("form.stale_button"))
        chosen = card.options[answer.index]
        if chosen.value in card.texted:
            # the card's buttons stay valid (same revision): a second press changes the status
            return replace(draft, pending=chosen.value), Noted(
                msg("form.noted", choice=chosen.label)
            )
        moved = _moved(draft, flow, **{step.field: chosen.value})
        return _finish_or_confirm(flow, moved, env)
    try:
        text = card.parse(answer, env)
    except InputError as err:
        return draft, _ask(flow, draft, env, err.message)
    status = draft.pending if draft.pending in card.texted else card.default
    moved = _moved(draft, flow, **{step.field: status, card.text_field: text})
    return _finish_or_confirm(flow, moved, env)


def _confirm(
    flow: Flow, draft: Draft, answer: Answer, env: FormEnv
) -> tuple[Draft | None, Outcome]:
    if isinstance(answer, ChoiceAnswer):
        if answer.index == 0:
            return None, Finished(dict(draft.values))
        if answer.index == 1:
            return _back(flow, draft, env)
        if answer.index == 2:
            return None, Cancelled()
    if isinstance(answer, TextAnswer):
        return draft, _ask(flow, draft, env, msg("form.use_buttons"))
    return draft, _ask(flow, draft, env, msg("form.stale_button"))


def _back(flow: Flow, draft: Draft, env: FormEnv) -> tuple[Draft | None, Outcome]:
    if draft.pending is not None:
        again = replace(draft, pending=None, rev=draft.rev + 1)
        return again, _ask(flow, again, env)
    if not draft.trail:
        return draft, _ask(flow, draft, env, msg("form.cannot_back"))
    back = replace(
        draft, step=draft.trail[-1], trail=draft.trail[:-1], pending=None, rev=draft.rev + 1
    )
    return back, _ask(flow, back, env)


def _skip(flow: Flow, draft: Draft, env: FormEnv) -> tuple[Draft | None, Outcome]:
    if draft.step >= len(flow.steps) or not flow.steps[draft.step].optional:
        return draft, _ask(flow, draft, env, msg("form.cannot_skip"))
    field_name = flow.steps[draft.step].field
    moved = _moved(draft, flow, **{field_name: None})
    return _finish_or_confirm(flow, moved, env)
