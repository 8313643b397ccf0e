"""What each flow keeps in its draft's context when it begins (one TypedDict a flow), and the
one accessor each finish step reads it through.

The context is JSON in the database (`FormDraft.state["context"]`); these types say which keys
a flow's handler may rely on, and a draft is checked against its flow's type when it is loaded
(`bot/telegram/flows.loaded`). A flow's answers are in `Draft.values`; the weekly update's are
read and written through `workflows/week_answers.py`.
"""

from __future__ import annotations

from typing import (
    Any,
    NotRequired,  # pydantic reads these on Python 3.11
    TypeVar,
    cast,
)

from typing_extensions import TypedDict

from workflows.forms import Draft

C = TypeVar("C")


class ItemSnapshot(TypedDict):
    """An open item as the weekly update saw it when it began."""

    id: int
    code: str
    name: str
    version: int
    due: str | None
    last: str


class WeeklyContext(TypedDict):
    """weekly: the unit's week, its report and the open items."""

    unit: str
    unit_id: int
    report: int  # which of the campaign's weekly reports
    report_name: str
    period: str  # the reporting day, ISO
    due: str  # the due time, ISO
    ledger: Any  # the campaign's ledger spec (JSON)
    items: list[ItemSnapshot]


class NewItemContext(TypedDict):
    """new: the unit the problem is added to ("" when an admin picks it) and the ledger spec."""

    unit: str
    ledger: Any


class CloseContext(TypedDict):
    """close: the item whose close-out is asked for, at the version read."""

    item_id: int
    version: int
    code: str
    name: str


class RejectContext(TypedDict):
    """closeout_reject: the item whose close-out a supervisor rejects."""

    item_id: int
    code: str
    version: int  # the item's version at the press
    ask_id: NotRequired[int | None]  # the close-out ask pressed on (not in older drafts)


class FeedbackContext(TypedDict):
    """feedback: the case answered."""

    case_id: int
    code: str


class ExtensionContext(TypedDict):
    """extension: the case and its due time when the request began."""

    case_id: int
    code: str
    due: str


class SubmitContext(TypedDict):
    """submit: the unit ("" when an admin picks it) and each deliverable's due time, ISO."""

    unit: str
    due_by: dict[str, str]


class DeadlineContext(TypedDict):
    """deadline: the deadline edited (absent when one is added)."""

    deadline_id: NotRequired[int]


class CancelContext(TypedDict):
    """deadline_cancel: the deadline cancelled."""

    deadline_id: int
    deliverable: str


class BindContext(TypedDict):
    """bind: whether the group is bound already, and to what (its name, shown)."""

    rebinding: bool
    current: str


class RegisterContext(TypedDict):
    """register: the group's unit."""

    unit: str
    unit_id: int


class WorkdayImportContext(TypedDict):
    """workday_import: the year a holiday notice is read for, when it does not say."""

    year: int


def context_of(draft: Draft, kind: type[C]) -> C:
    """The draft's context, read as the flow's context type `kind`."""
    del kind  # the type is for the reader and the type checker; the JSON is as saved
    return cast(C, draft.context)

