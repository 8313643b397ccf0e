"""Callback data: one codec for every inline button the bot sends and every press it reads.

Two wire formats, unchanged since the first release (messages already sent carry them):
an action button `a:<verb>:<ref>[:<ref>…]` starts something, a form button
`f:<draft>:<rev>:<option>` answers the open flow's current step. A verb that came to carry
more refs is still read in its old shape (`LEGACY`), as buttons on screen were sent. Anything
else — an unknown verb, the wrong number or kind of refs, more than Telegram's 64 bytes — is
forged or stale, and `parse` returns None for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

CALLBACK_LIMIT = 64  # bytes of callback data Telegram carries


class Verb(StrEnum):
    """What an action button does; the name on the wire."""

    SUBMIT = "submit"  # deadline id: mark the deliverable submitted
    DL_EDIT = "dl_edit"  # deadline id: change its due time
    DL_CANCEL = "dl_cancel"  # deadline id: cancel it
    WEEKLY = "weekly"  # report index: start this week's ledger update
    WFORM = "wform"  # report index: the week's update as a workbook
    WPRIV = "wpriv"  # report index: continue the week's update in private
    ITEMS = "items"  # page of /items
    ITEM = "item"  # ledger item id: its card
    CO_OK = "co_ok"  # ledger item id, close-out ask id: approve that close-out request
    CO_NO = "co_no"  # ledger item id, close-out ask id: reject it
    SIGN = "sign"  # case id: 签收
    FB = "fb"  # case id: answer it
    EXT = "ext"  # case id: ask for more time
    EXT_OK = "ext_ok"  # case id: grant the extension
    EXT_NO = "ext_no"  # case id: refuse the extension
    IMP_UNIT = "imp_unit"  # upload id, unit id: the unit a ledger workbook is for
    IMP_OK = "imp_ok"  # upload id: save the imported ledger
    IMP_NO = "imp_no"  # upload id: drop it
    WK_OK = "wk_ok"  # upload id: save the week read from a workbook
    WK_NO = "wk_no"  # upload id: drop it
    CIRCULAR = "circular"  # campaign id: the week's 工作进展通报 as a Word document
    NEW = "new"  # 0: add a problem step by step (the Mini App's form was offered first)
    CR_OK = "cr_ok"  # correction request id: apply a correction (week, material) asked late
    CR_NO = "cr_no"  # correction request id: refuse it
    READ = "read"  # notice id: 已阅, the unit read the notice (once per unit)
    LEAVE_END = "leave_end"  # leave id: end one's own leave now (提前销假)
    CASES = "cases"  # page of /cases


Ref = int | str
Shape = tuple[type[int] | type[str], ...]

# the refs each verb carries, by kind: int is a whole number (an id, an index, a page)
SHAPES: dict[Verb, Shape] = {
    **{v: (int,) for v in Verb},
    Verb.IMP_UNIT: (int, int),
    Verb.CO_OK: (int, int),
    Verb.CO_NO: (int, int),
}
# shapes the bot sent before, still read from messages on screen (never sent any more):
# a close-out decision without the ask it decides
LEGACY: dict[Verb, tuple[Shape, ...]] = {Verb.CO_OK: ((int,),), Verb.CO_NO: ((int,),)}


def shapes(verb: Verb) -> tuple[Shape, ...]:
    """Every shape of refs a press of `verb` may carry: today's first, then the legacy ones."""
    return (SHAPES[verb], *LEGACY.get(verb, ()))


_VERBS = {v.value: v for v in Verb}
MAX_REF = 2**31 - 1  # ids are INTEGER columns: PostgreSQL refuses a larger number outright
_NUMBER = re.compile(r"[0-9]{1,10}")
_WORD = re.compile(r"[A-Za-z0-9_.\-]{1,32}")
_FORM = re.compile(r"f:([0-9]{1,10}):([0-9]{1,6}):([0-9]{1,3})")


@dataclass(frozen=True)
class Action:
    """An action button: its verb and the refs it carries."""

    verb: Verb
    refs: tuple[Ref, ...]

    def __post_init__(self) -> None:
        if not any(
            len(shape) == len(self.refs)
            and all(_fits(kind, ref) for kind, ref in zip(shape, self.refs, strict=True))
            for shape in shapes(self.verb)
        ):
            raise ValueError(f"{self.verb} carries {SHAPES[self.verb]}, not {self.refs!r}")
        if len(self.data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"callback data over {CALLBACK_LIMIT} bytes: {self.data!r}")

    @property
    def data(self) -> str:
        """The callback data to send."""
        return ":".join(("a", self.verb.value, *(str(r) for r in self.refs)))

    @property
    def ref(self) -> int:
        """The first ref, a whole number for every verb."""
        return self.number(0)

    def optional(self, index: int) -> int | None:
        """The whole-number ref at `index`; None when a legacy shape carries no such ref."""
        return self.number(index) if index < len(self.refs) else None

    def number(self, index: int) -> int:
        """The ref at `index`, which the verb's shape says is a whole number."""
        value = self.refs[index]
        if not isinstance(value, int):
            raise TypeError(f"{self.verb} ref {index} is not a number: {value!r}")
        return value


@dataclass(frozen=True)
class FormPress:
    """A form button: an option of the step shown at a draft's revision."""

    draft_id: int
    rev: int
    index: int

    @property
    def data(self) -> str:
        """The callback data to send."""
        return f"f:{self.draft_id}:{self.rev}:{self.index}"


def callback_data(verb: Verb, *refs: Ref) -> str:
    """The callback data of an action button (raises if the refs do not fit the verb)."""
    if len(refs) != len(SHAPES[verb]):  # a legacy shape is read, never sent
        raise ValueError(f"{verb} carries {SHAPES[verb]}, not {refs!r}")
    return Action(verb, refs).data


def _fits(kind: type[int] | type[str], ref: Ref) -> bool:
    if kind is int:
        return isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref <= MAX_REF
    return isinstance(ref, str) and _WORD.fullmatch(ref) is not None


def _ref(kind: type[int] | type[str], raw: str) -> Ref | None:
    if kind is int:
        return int(raw) if _NUMBER.fullmatch(raw) and int(raw) <= MAX_REF else None
    return raw if _WORD.fullmatch(raw) else None


def parse(data: str | None) -> Action | FormPress | None:
    """The button a press carries; None if it is not one the bot could have sent."""
    if not data or len(data.encode()) > CALLBACK_LIMIT:
        return None
    form = _FORM.fullmatch(data)
    if form is not None:
        draft_id, rev, index = (int(g) for g in form.groups())
        return FormPress(draft_id, rev, index) if draft_id <= MAX_REF else None
    head, _, rest = data.partition(":")
    verb_name, *raw = rest.split(":")
    verb = _VERBS.get(verb_name)
    if head != "a" or verb is None:
        return None
    shape = next((s for s in shapes(verb) if len(s) == len(raw)), None)
    if shape is None:
        return None
    refs = tuple(_ref(kind, r) for kind, r in zip(shape, raw, strict=True))
    if any(r is None for r in refs):
        return None
    return Action(verb, tuple(r for r in refs if r is not None))
