"""A flow's questions filled in at once, on a page (the Mini App's new problem, its close-out):
each answer checked by its step, in the flow's order, with the same conditions and the same
messages as when the chat asks them one by one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NotRequired, TypedDict

from workflows.forms.engine import Step
from workflows.forms.inputs import Choice, FormEnv, InputError, TextAnswer, shown
from workflows.messages import Msg, msg

PAGE_FIELD_LIMIT = 4000  # characters read of any one answer (the steps' own limits are lower)


@dataclass(frozen=True)
class FilledPage:
    """The values the steps took, and the reason for each answer they refused (or missed)."""

    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, Msg] = field(default_factory=dict)


def fill(
    steps: Sequence[Step], given: Mapping[str, object], env: FormEnv, context: Mapping[str, object]
) -> FilledPage:
    """Every step's answer from `given` (by field), parsed by the step; a required answer left
    empty is an error, an optional one is stored as skipped (None), as /skip stores it."""
    values: dict[str, object] = {}
    errors: dict[str, Msg] = {}
    for step in steps:
        now = {**context, **values}
        if step.when is not None and not step.when(now):
            continue
        raw = given.get(step.field)
        text = raw[:PAGE_FIELD_LIMIT].strip() if isinstance(raw, str) else ""
        if not text:
            if step.optional:
                values[step.field] = None
            else:
                errors[step.field] = msg("app.missing.field")
            continue
        try:
            values[step.field] = step.kind.parse(TextAnswer(text), replace(env, values=now))
        except InputError as err:
            errors[step.field] = err.message
    return FilledPage(values, errors)


class OptionShown(TypedDict):
    """A choice's option as the page shows it."""

    value: str
    label: Msg | str


class StepShown(TypedDict):
    """A step as the page shows it (the adapter renders the prompt and labels, adds a label)."""

    field: str
    prompt: Msg | str
    kind: str
    optional: bool
    options: list[OptionShown]
    label: NotRequired[str | None]


def describe(step: Step, env: FormEnv) -> StepShown:
    """What the page shows for a step: its field, its question, its kind and choices."""
    options = step.kind.options_in(env) if isinstance(step.kind, Choice) else ()
    return {
        "field": step.field,
        "prompt": msg(step.prompt, **step.params),
        "kind": step.kind.kind,
        "optional": step.optional,
        "options": [{"value": o.value, "label": o.label} for o in options],
    }


def shown_value(step: Step, value: object, env: FormEnv) -> object:
    """How a taken value reads back (a choice by its label, a date as a date)."""
    return msg("form.empty") if value is None else shown(step.kind, value, env)
