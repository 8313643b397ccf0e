"""Corrections (更正) of a submitted week or deliverable: what changed, who may make them when.

A liaison of the unit corrects the unit's submitted week directly until the week's deadline
(the weekly report's due time, the very minute included, as `is_on_time` counts it); after it
a correction is a request that a supervisor approves (同意) or refuses (不同意, with a reason).
The group hears one line saying what changed, never the whole week again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from workflows.deliverables.submission import is_on_time
from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Text
from workflows.json_read import mapping_of, need_list, str_of
from workflows.messages import Msg, msg

DIRECT, REQUEST = "direct", "request"
MATERIAL = "material"  # a request's kind: a deliverable's material (a week's has no kind)


def correction_kind(due: datetime, now: datetime) -> str:
    """`DIRECT` while the week's deadline has not passed, else `REQUEST` (a supervisor decides)."""
    return DIRECT if is_on_time(due, now) else REQUEST


@dataclass(frozen=True)
class Said:
    """What one item's week said: the fields a correction may change."""

    status: str
    text: str = ""
    result: str = ""
    reason: str = ""
    new_due_on: date | None = None


@dataclass(frozen=True)
class Changed:
    """One field of one item changed by a correction: `before` → `after`."""

    code: str
    field: str  # the message id of the field's name
    before: Msg | str | date
    after: Msg | str | date

    def line(self) -> Msg:
        """`尉犁-003 整改进展：旧→新`."""
        return msg(
            "correction.change",
            code=self.code,
            field=msg(self.field),
            before=self.before or msg("form.empty"),
            after=self.after or msg("form.empty"),
        )


def _status(status: str) -> Msg | str:
    return msg(f"weekly.st.{status}") if status else ""


def _day(day: date | None) -> date | str:
    return day if day is not None else ""


def item_changes(code: str, before: Said | None, after: Said) -> list[Changed]:
    """What a correction changes in one item's week (nothing when it says the same again)."""
    was = before or Said(status="")
    out: list[Changed] = []
    if was.status != after.status:
        out.append(Changed(code, "correction.f.status", _status(was.status), _status(after.status)))
    for field, old, new in (
        ("correction.f.text", was.text, after.text),
        ("correction.f.result", was.result, after.result),
        ("correction.f.reason", was.reason, after.reason),
    ):
        if old != new:
            out.append(Changed(code, field, old, new))
    if was.new_due_on != after.new_due_on:
        out.append(
            Changed(code, "correction.f.planned", _day(was.new_due_on), _day(after.new_due_on))
        )
    return out


def week_changes(
    before: Mapping[str, Said], after: Iterable[tuple[str, Said]]
) -> tuple[Changed, ...]:
    """Every change a correction makes, item by item (`before` by item code)."""
    out: list[Changed] = []
    for code, said in after:
        out += item_changes(code, before.get(code), said)
    return tuple(out)


def material_changes(
    title: str, before: Mapping[str, object], after: Mapping[str, object]
) -> tuple[Changed, ...]:
    """What replacing a deliverable's material changes (`note` and `files`, each file by its
    name): its files and its note, before → after."""

    def names(material: Mapping[str, object]) -> str:
        files = map(mapping_of, need_list(material["files"]))
        return "、".join(str(f.get("name") or f.get("media") or "") for f in files)

    out: list[Changed] = []
    if names(before) != names(after):
        out.append(Changed(title, "correction.f.files", names(before), names(after)))
    if before["note"] != after["note"]:
        note = "correction.f.note"
        out.append(Changed(title, note, str_of(before["note"]), str_of(after["note"])))
    return tuple(out)


def corrected_line(changes: Sequence[Changed]) -> Msg:
    """The one line the group hears: `已更正：尉犁-003 整改进展：旧→新；…`."""
    return msg("correction.done", changes=msg_join(c.line() for c in changes))


def msg_join(parts: Iterable[Msg]) -> Msg:
    """Parts joined by the list separator (`；`), as one message."""
    items = list(parts)
    out = items[0] if items else msg("form.empty")
    for part in items[1:]:
        out = msg("correction.and", left=out, right=part)
    return out


REJECT_CORRECTION = Flow(
    FlowName.CORRECTION_REJECT,
    "correction.reject_title",
    (Step("reason", "reject.ask_reason", Text(max_len=500)),),
)
