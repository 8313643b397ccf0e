"""What each flow keeps in its draft's context when it begins, and the answers it collects
(one TypedDict each a flow), and the checked accessors a finish step reads them through.

The context is JSON in the database (`FormDraft.state["context"]`); these types say which keys
a flow's handler may rely on, and a draft is checked against its flow's type when it is loaded
(`bot/telegram/flows.loaded`). A flow's answers are in `Draft.values`; the weekly update's are
read and written through `workflows/week/week_answers.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import NotRequired, TypeVar, cast

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic reads this one on Python 3.11

from workflows.forms.engine import Draft
from workflows.json_types import JSONObject

C = TypeVar("C")


class ItemSnapshot(TypedDict):
    """An open item as the weekly update saw it when it began."""

    id: int
    code: str
    name: str
    version: int
    due: str | None
    last: str
    overdue: NotRequired[int]  # working days past its 办结时间 when the week began


class WeeklyContext(TypedDict):
    """weekly: the unit's week, its report and the open items."""

    unit: str
    unit_id: int
    report: int  # which of the campaign's weekly reports
    report_name: str
    period: str  # the reporting day, ISO
    due: str  # the due time, ISO
    ledger: JSONObject | None  # the campaign's ledger spec (`ledger.spec_to_json`)
    items: list[ItemSnapshot]
    correcting: NotRequired[int]  # a correction of this submitted week (the submission's id)


class NewItemContext(TypedDict):
    """new: the unit the problem is added to ("" when an admin picks it) and the ledger spec."""

    unit: str
    ledger: JSONObject | None


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


class ExtensionRejectContext(TypedDict):
    """extension_reject: the case whose request for more time a supervisor rejects."""

    case_id: int
    code: str


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


class FileJson(TypedDict):
    """A file sent as an answer, as kept (`inputs.FileAnswer.as_json`)."""

    file_id: str
    name: str
    mime: str
    size: int
    media: str


class Material(TypedDict, total=False):
    """Files and a note collected on one step (`inputs.Attachments`)."""

    files: list[FileJson]
    note: str


# The answers each flow collects, step by step (so none is required before its step).


class BindAnswers(TypedDict, total=False):
    """bind: the unit chosen (or the supervisors' group)."""

    unit: str


class RegisterAnswers(TypedDict, total=False):
    """register: the liaison's name, position and phone."""

    name: str
    position: str
    phone: str


class CloseAnswers(TypedDict, total=False):
    """close: the result of the rectification and its evidence."""

    result: str
    evidence: Material


class CorrectionRejectContext(TypedDict):
    """correction_reject: the correction request a supervisor refuses (an audit event's id)."""

    request_id: int


class RejectAnswers(TypedDict, total=False):
    """closeout_reject: why the close-out is not approved."""

    reason: str


class FeedbackAnswers(TypedDict, total=False):
    """feedback: the answer, done or ongoing, when it is expected done, and its material."""

    text: str
    status: str
    expected: str  # a day, ISO
    material: Material | None  # an optional step: skipped, None


class ExtensionAnswers(TypedDict, total=False):
    """extension: why, and until when (ISO, with the time)."""

    reason: str
    until: str


class SubmitAnswers(TypedDict, total=False):
    """submit: the unit (an admin picks it), the deliverable, and the material."""

    unit: str
    deliverable: str
    material: Material


class DeadlineAnswers(TypedDict, total=False):
    """deadline: the deliverable, its due time (ISO), and which units owe it."""

    deliverable: str
    due: str
    scope: str
    units: list[str]


class WorkdayImportAnswers(TypedDict, total=False):
    """workday_import: the State Council's notice, as pasted."""

    text: str


class NoAnswers(TypedDict):
    """A flow that asks nothing but its confirm (deadline_cancel)."""


class FieldAnswers:
    """The answers of /new, keyed by the campaign's own ledger fields (data, not code: no
    TypedDict can name them), read by the ledger's spec; `unit` is the unit an admin picked."""

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = values

    @property
    def unit(self) -> str:
        """The unit picked on the first step ("" when the flow knew it and did not ask)."""
        unit = self.values.get("unit")
        return unit if isinstance(unit, str) else ""


class Unreadable(ValueError):
    """A draft's context or answers are not what its flow reads (saved by an older version)."""


_CHECKS: dict[type, TypeAdapter[object]] = {}


def checked(kind: type[C], data: Mapping[str, object]) -> C:
    """`data` read as `kind` (one of this module's types), checked; `Unreadable` if it is not
    one. Extra keys are kept: a newer version may add some."""
    adapter = _CHECKS.get(kind)
    if adapter is None:  # compiling one costs milliseconds: once a type
        adapter = _CHECKS[kind] = TypeAdapter(kind)
    try:
        adapter.validate_python(data, strict=False)
    except ValidationError as err:
        raise Unreadable(str(err)) from None
    return cast(C, data)


def reader(kind: type[C]) -> Callable[[Mapping[str, object]], C]:
    """How a flow's answers of the TypedDict `kind` are read (a binding's `answers`): checked."""
    return partial(checked, kind)


def context_of(draft: Draft, kind: type[C]) -> C:
    """The draft's context, checked as the flow's context type `kind`."""
    return checked(kind, draft.context)


def answers_of(values: Mapping[str, object], kind: type[C]) -> C:
    """A flow's answers, checked as its answers type `kind`."""
    return checked(kind, values)
