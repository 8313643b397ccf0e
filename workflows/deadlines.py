"""Deadlines set by admins: `/deadline 5月5日18:00 自查自纠阶段总结`, shown back to confirm."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from workflows.forms import Flow, Step
from workflows.inputs import (
    Answer,
    Choice,
    DateInput,
    FormEnv,
    InputError,
    Option,
    Text,
    TextAnswer,
)
from workflows.messages import msg
from workflows.planner import time_left

UNITS = "units"
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

    def parse(self, answer: Answer, env: FormEnv) -> list[str]:
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
        return list(dict.fromkeys(names))

    def show(self, value: Any) -> Any:
        """The names as a list."""
        return value


def _left(values: Mapping[str, Any], env: FormEnv) -> Mapping[str, Any]:
    """The time left until the typed due time, and which units it applies to."""
    who = values.get("units") if values.get("scope") == "some" else msg("deadline.scope.all")
    due = values.get("due")
    if not due:
        return {"left": "", "who": who}
    at = datetime.fromisoformat(due).replace(tzinfo=env.tz)
    return {"left": time_left(at, env.now), "who": who}


DEADLINE = Flow(
    "deadline",
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
    "deadline_cancel",
    title="deadline.cancel_title",
    steps=(),
    summary="deadline.confirm_cancel",
)
