"""A week's answers, read and written in one place: each open item's status, progress,
result, evidence, reason and new planned date.

The form engine keeps a flow's answers as one dict of values; the weekly update keys each
item's answers `i{item_id}.{field}` (`i12.status`). The step-by-step update, the filled
workbook and the Mini App all write that same dict, and every reader goes through `answer_of`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from workflows.json_read import list_of, mapping_of, need_int, str_of

STATUS, PROGRESS, NOTE, RESULT, EVIDENCE, REASON, PLANNED = (
    "status",
    "progress",
    "note",
    "result",
    "evidence",
    "reason",
    "planned",
)
# the item's version once its close-out was asked from the week (the week leaves it alone)
CLOSING = "closing"


def item_prefix(item_id: int) -> str:
    """The start of every key of one item's answers (`i12.`)."""
    return f"i{item_id}."


def item_answer(item_id: int, field: str) -> str:
    """The key of one item's answer in the weekly update (`i12.status`)."""
    return f"{item_prefix(item_id)}{field}"


def item_field(key: str) -> tuple[int, str] | None:
    """(item id, field) of an item's answer key; None for any other key (`new`, `new.name`)."""
    head, dot, field = key.partition(".")
    if not dot or not head.startswith("i") or not head[1:].isdigit():
        return None
    return int(head[1:]), field


@dataclass(frozen=True)
class ItemAnswer:
    """One item's answers this week, as given (empty where not asked or not answered)."""

    status: str | None = None
    progress: str = ""
    result: str = ""
    reason: str = ""
    planned: date | None = None
    files: tuple[Mapping[str, object], ...] = ()


def status_of(values: Mapping[str, object], item_id: int) -> str | None:
    """The status given for an item (`plan`, `done`, `late`, `same`), or None."""
    status = values.get(item_answer(item_id, STATUS))
    return str(status) if status else None


def files_of(values: Mapping[str, object], item_id: int) -> list[Mapping[str, object]]:
    """The evidence files given for an item."""
    evidence = mapping_of(values.get(item_answer(item_id, EVIDENCE)))
    return [mapping_of(f) for f in list_of(evidence.get("files", []))]


def closing_of(values: Mapping[str, object], item_id: int) -> int | None:
    """The item's version after its close-out was asked while the week was open; None if not."""
    version = values.get(item_answer(item_id, CLOSING))
    return need_int(version) if version is not None else None


def answer_of(values: Mapping[str, object], item_id: int) -> ItemAnswer:
    """Everything given for one item, read from a flow's values."""

    def text(field: str) -> str:
        return str_of(values.get(item_answer(item_id, field)) or "")

    planned = str_of(values.get(item_answer(item_id, PLANNED)))
    return ItemAnswer(
        status=status_of(values, item_id),
        progress=text(PROGRESS) or text(NOTE),
        result=text(RESULT),
        reason=text(REASON),
        planned=date.fromisoformat(planned) if planned else None,
        files=tuple(files_of(values, item_id)),
    )


class WeekAnswers:
    """A weekly update's answers as its finish reads them: by item (`item(12)`), the new
    problem asked or not; `values` is the draft's dict as kept (keys `i12.status`, `new.name`)."""

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = values

    def item(self, item_id: int) -> ItemAnswer:
        """Everything given for one item."""
        return answer_of(self.values, item_id)

    def closing(self, item_id: int) -> int | None:
        """The item's version once its close-out was asked from the week; None if not."""
        return closing_of(self.values, item_id)

    @property
    def adds_new(self) -> bool:
        """Whether a new problem is added with the week (its fields under `new.`)."""
        return self.values.get("new") == "yes"
