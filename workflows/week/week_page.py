"""The week on one screen (the Mini App): an item's answers as the page sends them, checked by
the weekly update's own steps, written into the same draft the chat flow keeps.

The page sends one item at a time, as the person types: its status, progress, result, reason
and new planned date. Each is parsed by the flow's step for it (the same kinds, the same
conditions: 进度滞后 needs a reason and a date not in the past), so the draft holds exactly
what the step-by-step update would have stored; an answer a step refuses is not stored and
its reason is said. Where the chat flow then stands is worked out from what is answered, so a
liaison can begin in the form and go on in the chat, or the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from workflows.forms.engine import Draft, Flow, Step
from workflows.forms.inputs import (
    Attachments,
    FileAnswer,
    FormEnv,
    InputError,
    StatusCard,
    TextAnswer,
)
from workflows.json_types import JSONObject, JSONValue, json_object
from workflows.messages import Msg, msg
from workflows.week.week_answers import (
    CLOSING,
    EVIDENCE,
    PROGRESS,
    STATUS,
    item_answer,
    item_field,
    item_prefix,
)

# what the page sends for an item, by the weekly update's value suffixes
SENT = ("status", "progress", "result", "reason", "planned")
WEEK_FIELD_LIMIT = (
    4000  # characters the page may send in one field (the steps' own limits are lower)
)


@dataclass(frozen=True)
class ItemRead:
    """An item's answers read from the page: the values to store (None: to clear) and the
    reason each refused field was not stored."""

    values: JSONObject = field(default_factory=dict)
    errors: dict[str, Msg] = field(default_factory=dict)


def _applies(step: Step, values: Mapping[str, object]) -> bool:
    return step.when is None or bool(step.when(values))


def steps_of_item(flow: Flow, item_id: int) -> list[Step]:
    """The flow's steps for one item, in order."""
    head = item_prefix(item_id)
    return [s for s in flow.steps if s.field.startswith(head)]


def read_item(
    flow: Flow,
    context: Mapping[str, object],
    values: Mapping[str, object],
    item_id: int,
    given: Mapping[str, object],
    env: FormEnv,
) -> ItemRead:
    """One item's answers from the page, each checked by its step; a field left empty is
    cleared (not an error: the week is checked whole when it is submitted), a field whose
    step no longer applies (a reason, once the item is no longer late) is cleared too. The
    evidence is kept whatever the status: files are added one by one (`add_file`)."""
    out: JSONObject = {}
    errors: dict[str, Msg] = {}
    steps = steps_of_item(flow, item_id)
    if not steps:
        return ItemRead(errors={STATUS: msg("app.not_in_week")})
    head = item_prefix(item_id)
    card = steps[0]
    if not isinstance(card.kind, StatusCard):
        raise TypeError(f"{card.field} is not an item's status card")
    status = str(given.get(STATUS) or "")
    known = {o.value for o in card.kind.options}
    if status and status not in known:
        errors[STATUS] = msg("form.pick_an_option", text=status)
        status = ""
    out[card.field] = status or None
    text = _text(given.get(PROGRESS))
    out[card.kind.text_field] = None
    if text:
        try:
            out[card.kind.text_field] = card.kind.parse(TextAnswer(text), env)
        except InputError as err:
            errors[PROGRESS] = err.message
    now = {**context, **values, **out}
    for step in steps[1:]:
        suffix = step.field[len(head) :]
        if isinstance(step.kind, Attachments) or suffix not in SENT:
            continue
        raw = _text(given.get(suffix))
        out[step.field] = None
        if not raw or not _applies(step, now):
            continue
        try:
            out[step.field] = step.kind.parse(TextAnswer(raw), replace(env, values=now))
        except InputError as err:
            errors[suffix] = err.message
    return ItemRead(out, errors)


def _text(raw: object) -> str:
    return raw[:WEEK_FIELD_LIMIT] if isinstance(raw, str) else ""


def with_answers(flow: Flow, draft: Draft, answers: Mapping[str, JSONValue]) -> Draft:
    """The draft with these answers stored (None removes one), standing where the chat flow
    would now ask: the first step that applies and is not answered yet."""
    values: JSONObject = {k: v for k, v in {**draft.values, **answers}.items() if v is not None}
    updated = replace(draft, values=values, pending=None, rev=draft.rev + 1)
    trail: list[int] = []
    for index, step in enumerate(flow.steps):
        if not _applies(step, {**draft.context, **values}):
            continue
        if not _answered(step, values):
            return replace(updated, step=index, trail=tuple(trail))
        trail.append(index)
    return replace(updated, step=len(flow.steps), trail=tuple(trail))


def _answered(step: Step, values: Mapping[str, object]) -> bool:
    value = values.get(step.field)
    if isinstance(step.kind, Attachments):
        return step.kind.complete(value)
    return value not in (None, "") or (step.optional and step.field in values)


def asked_closing(flow: Flow, draft: Draft, item_id: int, version: int) -> Draft | None:
    """The week once an item's close-out was asked meanwhile (at `version`): the item's answers
    cleared and its close-out noted, so the week neither asks for it nor saves it again; None
    when the item is not in this week."""
    steps = steps_of_item(flow, item_id)
    if not steps:
        return None
    head = item_prefix(item_id)
    cleared: JSONObject = {k: None for k in draft.values if k.startswith(head)}
    cleared[item_answer(item_id, CLOSING)] = version
    return with_answers(flow, draft, cleared)


def missing(flow: Flow, draft: Draft) -> dict[int, list[Msg]]:
    """What the week still needs before it can be submitted, by item id (0: the rest)."""
    values = {**draft.context, **draft.values}
    out: dict[int, list[Msg]] = {}
    for step in flow.steps:
        if step.optional or not _applies(step, values) or _answered(step, draft.values):
            continue
        found = item_field(step.field)
        item_id, suffix = found if found is not None else (0, "new")
        out.setdefault(item_id, []).append(msg(f"app.missing.{suffix}"))
    for step in flow.steps:  # a status that needs its progress (typed with the card in chat)
        if not isinstance(step.kind, StatusCard) or not _answered(step, draft.values):
            continue
        status = draft.values.get(step.field)
        if status in step.kind.texted and not draft.values.get(step.kind.text_field):
            found = item_field(step.field)
            if found is not None:
                out.setdefault(found[0], []).append(msg("app.missing.progress"))
    return out


def add_file(
    flow: Flow, draft: Draft, item_id: int, file: Mapping[str, object], env: FormEnv
) -> tuple[JSONObject, Msg | None]:
    """The item's evidence with one more file (the step's own limits); or its reason."""
    step = next((s for s in steps_of_item(flow, item_id) if s.field.endswith("." + EVIDENCE)), None)
    if step is None or not isinstance(step.kind, Attachments):
        return {}, msg("app.not_in_week")
    current = draft.values.get(step.field)
    try:
        answer = FileAnswer.of(file)
        return {step.field: step.kind.collect(current, answer, env)}, None
    except InputError as err:
        return {}, err.message


def drop_file(draft: Draft, item_id: int, index: int) -> JSONObject:
    """The item's evidence without its `index`-th file (nothing else changes)."""
    key = item_prefix(item_id) + EVIDENCE
    current = dict(json_object(draft.values.get(key)))
    given = current.get("files", [])
    files = [*given] if isinstance(given, list) else []
    if 0 <= index < len(files):
        files.pop(index)
    current["files"] = files
    return {key: current if files or current.get("note") else None}
