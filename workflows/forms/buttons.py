"""Callback data: one codec for every inline button the bot sends and every press it reads.

Two wire formats, unchanged since the first release (messages already sent carry them):
an action button `a:<verb>:<ref>[:<ref>…]` starts something, a form button
`f:<draft>:<rev>:<option>` answers the open flow's current step. A verb that came to carry
more refs is still read in its old shape (`LEGACY`), as buttons on screen were sent. Anything
else — an unknown verb, the wrong number or kind of refs, more than Telegram's 64 bytes — is
forged or stale, and `parse` returns None for it.

Every action button is declared once, as a `Verb`: its name on the wire, the refs it carries
and its role rule (`workflows.people.roles.Press`: who may press it, what they are told otherwise,
what its handler still checks). `SHAPES` and `PRESSES` are derived from the declarations; the
handler is bound to the verb in its area's `FEATURE` (bot/handlers/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from workflows.messages import msg
from workflows.people.roles import ADMIN_ONLY, REPORTERS, STAFF, WITH_A_ROLE, Press, Role, Scope

CALLBACK_LIMIT = 64  # bytes of callback data Telegram carries


Ref = int | str
Shape = tuple[type[int] | type[str], ...]
ID: Shape = (int,)  # one whole number: an id, an index, a page

# the role rules several buttons share
_NOT_YOURS = msg("form.not_yours")  # a liaison's button pressed by someone with no part in it
_UNITS = Press(REPORTERS, _NOT_YOURS, Scope.UNIT, "submit.not_liaison")  # {unit}'s liaisons
_OWNERS = Press(REPORTERS, _NOT_YOURS, Scope.OWNER)  # whose upload, draft or leave it is
# a forwarded case is signed for, answered and extended by its unit's liaisons; an
# extension is decided by the supervisors (or an admin)
_CASE_UNIT = Press(REPORTERS, msg("case.liaisons_only"), Scope.UNIT)
_CASE_STAFF = Press(STAFF, msg("case.staff_only"), Scope.VISIBLE)
# close-outs and late corrections are decided by the supervisors, never by the unit itself
_CLOSEOUT_STAFF = Press(STAFF, msg("closeout.staff_only"), Scope.VISIBLE)
_CORRECTION_STAFF = Press(STAFF, msg("correction.staff_only"))
# 已阅 is the unit's word: only its own liaisons say it (checked against the notice)
_NOTICE_UNIT = Press(REPORTERS, msg("notices.liaisons_only"), Scope.UNIT, "notices.only_unit")


def _as_command(
    name: str, roles: frozenset[Role] = WITH_A_ROLE, scope: Scope = Scope.NONE
) -> Press:
    """A button that does what a command does, refused as the command is."""
    return Press(roles, msg("command.denied", command=name), scope)


class PressDeclaration(StrEnum):
    """A button's one declaration: its name on the wire, the refs it carries, and its role rule
    (who may press it, `workflows.people.roles.Press`). Declaring one without a shape or without a
    rule fails at import; `bot.telegram.feature.Registry.collect` refuses one without a handler."""

    shape: Shape
    rule: Press

    def __new__(cls, wire: str, shape: Shape = (), rule: Press | None = None) -> PressDeclaration:
        if not shape or not all(kind in (int, str) for kind in shape) or shape[0] is not int:
            raise TypeError(f"button {wire}: its refs are int or str, the first an int: {shape!r}")
        if not isinstance(rule, Press):
            raise TypeError(
                f"button {wire}: its role rule (a workflows.people.roles.Press) is {rule!r}"
            )
        verb = str.__new__(cls, wire)
        verb._value_ = wire
        verb.shape, verb.rule = shape, rule
        return verb


class Verb(PressDeclaration):
    """What an action button does: its name on the wire, its refs, who may press it."""

    SUBMIT = "submit", ID, _UNITS  # deadline id: mark the deliverable submitted
    DL_EDIT = "dl_edit", ID, _as_command("deadline", ADMIN_ONLY)  # deadline id: change its due time
    DL_CANCEL = "dl_cancel", ID, _as_command("deadline", ADMIN_ONLY)  # deadline id: cancel it
    WEEKLY = "weekly", ID, _UNITS  # report index: start this week's ledger update
    WFORM = "wform", ID, _UNITS  # report index: the week's update as a workbook
    WPRIV = "wpriv", ID, _UNITS  # report index: continue the week's update in private
    ITEMS = "items", ID, _as_command("items")  # page of /items
    ITEM = "item", ID, _as_command("item", scope=Scope.VISIBLE)  # ledger item id: its card
    # ledger item id, close-out ask id: approve that close-out request, or reject it
    CO_OK = "co_ok", (int, int), _CLOSEOUT_STAFF
    CO_NO = "co_no", (int, int), _CLOSEOUT_STAFF
    SIGN = "sign", ID, _CASE_UNIT  # case id: 签收
    FB = "fb", ID, _CASE_UNIT  # case id: answer it
    EXT = "ext", ID, _CASE_UNIT  # case id: ask for more time
    EXT_OK = "ext_ok", ID, _CASE_STAFF  # case id: grant the extension
    EXT_NO = "ext_no", ID, _CASE_STAFF  # case id: refuse the extension
    IMP_UNIT = "imp_unit", (int, int), _OWNERS  # upload id, unit id: the unit a workbook is for
    IMP_OK = "imp_ok", ID, _OWNERS  # upload id: save the imported ledger
    IMP_NO = "imp_no", ID, _OWNERS  # upload id: drop it
    WK_OK = "wk_ok", ID, _OWNERS  # upload id: save the week read from a workbook
    WK_NO = "wk_no", ID, _OWNERS  # upload id: drop it
    # campaign id: the week's 工作进展通报 as a Word document
    CIRCULAR = "circular", ID, _as_command("summary", STAFF)
    NEW = "new", ID, _UNITS  # 0: add a problem step by step (the Mini App's form offered first)
    CR_OK = "cr_ok", ID, _CORRECTION_STAFF  # correction request id: apply a late correction
    CR_NO = "cr_no", ID, _CORRECTION_STAFF  # correction request id: refuse it
    READ = "read", ID, _NOTICE_UNIT  # notice id: 已阅, the unit read the notice (once per unit)
    LEAVE_END = "leave_end", ID, _OWNERS  # leave id: end one's own leave now (提前销假)
    CASES = "cases", ID, _as_command("cases")  # page of /cases


# derived from the declarations: the refs each verb carries, and who may press it
SHAPES: dict[Verb, Shape] = {v: v.shape for v in Verb}
PRESSES: dict[Verb, Press] = {v: v.rule for v in Verb}
# shapes the bot sent before, still read from messages on screen (never sent any more):
# a close-out decision without the ask it decides
LEGACY: dict[Verb, tuple[Shape, ...]] = {Verb.CO_OK: (ID,), Verb.CO_NO: (ID,)}


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
