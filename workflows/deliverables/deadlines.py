"""Deadlines set by admins: `/deadline 5月5日18:00 自查自纠阶段总结`, shown back to confirm."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import ClassVar, TypeVar

from workflows.forms.contexts import DeadlineAnswers
from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import (
    UNITS,
    Answer,
    Choice,
    DateInput,
    FormEnv,
    InputError,
    Option,
    Text,
    TextAnswer,
)
from workflows.json_types import JSONValue
from workflows.messages import Msg, msg
from workflows.outcome import Refused
from workflows.planner import time_left

T = TypeVar("T")

_TIME = re.compile(r"^\d{1,2}[:：]\d{2}")


def split_args(args: Sequence[str]) -> tuple[str, str]:
    """`5月5日18:00 自查自纠阶段总结` or `2026-12-01 18:00 总结` into (date, deliverable)."""
    if not args:
        return "", ""
    if len(args) > 1 and _TIME.match(args[1]):
        return f"{args[0]} {args[1]}", " ".join(args[2:])
    return args[0], " ".join(args[1:])


class UnitNames:
    """Several of the campaign's units, typed and separated by 、 or spaces."""

    kind: ClassVar[str] = "text"

    def parse(self, answer: Answer, env: FormEnv) -> list[JSONValue]:
        """The names, each checked against the campaign's units."""
        if not isinstance(answer, TextAnswer):
            raise InputError(msg("form.expect_text"))
        known = {o.value for o in env.options.get(UNITS, ())}
        names = [
            n for n in re.split(r"[、,，;；\s]+", unicodedata.normalize("NFC", answer.text)) if n
        ]
        unknown = [n for n in names if n not in known]
        if unknown or not names:
            raise InputError(msg("deadline.unknown_units", units=unknown or [answer.text]))
        return [*dict.fromkeys(names)]

    def show(self, value: object) -> object:
        """The names as a list."""
        return value


def _left(values: Mapping[str, object], env: FormEnv) -> Mapping[str, object]:
    """The time left until the typed due time, and which units it applies to."""
    who = values.get("units") if values.get("scope") == "some" else msg("deadline.scope.all")
    due = values.get("due")
    if not due:
        return {"left": "", "who": who}
    at = datetime.fromisoformat(str(due)).replace(tzinfo=env.tz)
    return {"left": time_left(at, env.now), "who": who}


DEADLINE = Flow(
    FlowName.DEADLINE,
    title="deadline.title",
    steps=(
        Step("deliverable", "deadline.ask_deliverable", Text(max_len=200)),
        Step("due", "deadline.ask_due", DateInput(with_time=True, not_before_today=True)),
        Step(
            "scope",
            "deadline.ask_scope",
            Choice(
                options=(
                    Option("all", msg("deadline.scope.all")),
                    Option("some", msg("deadline.scope.some")),
                )
            ),
        ),
        Step("units", "deadline.ask_units", UnitNames(), when=lambda v: v.get("scope") == "some"),
    ),
    summary="deadline.summary",
    extras=_left,
)

CANCEL = Flow(
    FlowName.DEADLINE_CANCEL,
    title="deadline.cancel_title",
    steps=(),
    summary="deadline.confirm_cancel",
)


SHOWN_BACK = timedelta(days=30)  # /deadlines still lists a deadline this long after it was due
SHOWN_AT_MOST = 15


def shown_deadlines(
    deadlines: Sequence[T], due_of: Callable[[T], datetime], now: datetime
) -> list[T]:
    """The deadlines /deadlines lists (in the order given): those due from 30 days ago on,
    the first 15."""
    return [d for d in deadlines if due_of(d) >= now - SHOWN_BACK][:SHOWN_AT_MOST]


@dataclass(frozen=True)
class DeadlineNow:
    """A deadline as saving one reads it."""

    id: int
    deliverable: str
    due_at: datetime
    cancelled: bool


@dataclass(frozen=True)
class DeadlineSave:
    """What to write on the deadline (a new one when `row_id` is None), and what to say."""

    row_id: int | None
    deliverable: str
    due_at: datetime
    unit_names: list[str] | None  # None: every unit
    moved: bool  # an existing deadline's due time changed: planned afresh for the new time
    said: Msg


def deadline_save(
    answers: DeadlineAnswers,
    *,
    editing_id: int | None,
    editing: DeadlineNow | None,
    same_name: DeadlineNow | None,
    tz: tzinfo,
    now: datetime,
) -> DeadlineSave | Refused:
    """The answers of the deadline flow, added or edited.

    Two live deadlines never share a deliverable's name; a cancelled one of that name comes back
    with the new due time. Editing keeps the row; a changed due time counts as moved.
    """
    deliverable = answers["deliverable"]
    due = datetime.fromisoformat(answers["due"]).replace(tzinfo=tz).astimezone(UTC)
    names = answers.get("units") if answers.get("scope") == "some" else None
    if same_name is not None and same_name.id != editing_id and not same_name.cancelled:
        return Refused(msg("deadline.exists", deliverable=deliverable))
    row = editing if editing_id is not None else same_name  # (an edited row is never deleted)
    return DeadlineSave(
        row_id=row.id if row else None,
        deliverable=deliverable,
        due_at=due,
        unit_names=names,
        moved=row is not None and row.due_at != due,
        said=msg("deadline.saved", deliverable=deliverable, due=due, left=time_left(due, now)),
    )
