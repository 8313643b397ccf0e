"""Who may do what: roles, the commands each role is offered, the buttons each may press."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workflows.buttons import Verb
from workflows.messages import Msg, msg


class Role(StrEnum):
    """A person's role in the campaign."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    LIAISON = "liaison"


@dataclass(frozen=True)
class Actor:
    """The person behind an update, with their roles and the units they report for."""

    user_id: int
    roles: frozenset[Role] = frozenset()
    units: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        """Admins may do everything."""
        return Role.ADMIN in self.roles

    @property
    def oversees_all(self) -> bool:
        """Admins and supervisors see every unit."""
        return bool(self.roles & {Role.ADMIN, Role.SUPERVISOR})

    def reports_for(self, unit_id: int | None) -> bool:
        """Whether this person is a liaison of the unit (or an admin)."""
        return self.is_admin or (unit_id is not None and unit_id in self.units)

    def sees_whole_campaign(self, *, in_unit_chat: bool) -> bool:
        """Whether lists such as /deadlines show every unit: for admins and supervisors, except
        in a unit's group, where the unit's own view is what the group needs."""
        return self.oversees_all and not in_unit_chat

    def acting_for(self, *, chat_unit: int | None, has_campaign: bool) -> int | NotActing | None:
        """For whom this person acts in a chat: the chat's unit, or in private their only
        unit; None for an admin with no unit here (who picks one); or why they may not."""
        if not has_campaign:
            return NotActing("bind.no_campaign")
        unit = chat_unit
        if unit is None and len(self.units) == 1:
            unit = next(iter(self.units))
        if unit is not None and not self.reports_for(unit):
            return NotActing("submit.not_liaison", unit)
        if unit is None and not self.is_admin:
            return NotActing("submit.no_unit")
        return unit

    def sees(self, unit_id: int | None) -> bool:
        """Whether this person may see the unit's items and cases: admins and supervisors see
        every unit, a liaison their own."""
        return self.oversees_all or (unit_id is not None and unit_id in self.units)


@dataclass(frozen=True)
class NotActing:
    """Why a person may not act for a unit here: a message id (with `{unit}`, the unit's name,
    when `unit_id` is set)."""

    reason: str
    unit_id: int | None = None


@dataclass(frozen=True)
class Command:
    """A slash command: who may use it, and where."""

    name: str
    roles: frozenset[Role] | None  # None: everyone
    where: str = "any"  # "any", "group" (a group chat), "private"


_ANY = None
_STAFF = frozenset({Role.ADMIN, Role.SUPERVISOR})
_ADMIN = frozenset({Role.ADMIN})

COMMANDS: tuple[Command, ...] = (
    Command("start", _ANY),
    Command("help", _ANY),
    Command("register", _ANY, "group"),
    Command("roster", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("bind", _ADMIN, "group"),
    Command("role", _ADMIN),
    Command("weekly", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("correct", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("new", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("items", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("item", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("close", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("import", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("deadlines", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("submit", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("leave", frozenset({Role.LIAISON})),  # 请假: a liaison's own leave, and who covers
    Command("missing", _STAFF),
    Command("summary", _STAFF),
    Command("board", _STAFF),  # the supervisors' board in the Mini App; its API asks the same
    Command("export", _STAFF),
    Command("evidence", _STAFF),  # a problem's evidence in full, for an inspection
    Command("notice", _STAFF),  # a notice to every unit's group, with its 已阅 button
    Command("deadline", _ADMIN),
    Command("forward", _STAFF),
    Command("feedback", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("cases", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("case", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("workday", _ADMIN),
    Command("lang", _ANY),
    Command("cancel", _ANY),
    Command("back", _ANY),
    Command("skip", _ANY),
)
BY_NAME = {c.name: c for c in COMMANDS}


def may(actor: Actor, command: str) -> bool:
    """Whether the actor's roles allow the command."""
    spec = BY_NAME.get(command)
    if spec is None:
        return False
    return spec.roles is None or bool(actor.roles & spec.roles)


def commands_for(actor: Actor) -> list[Command]:
    """The commands to list in /help for this person."""
    return [c for c in COMMANDS if may(actor, c.name)]


class Scope(StrEnum):
    """What a button's handler checks beyond the presser's roles, once it has the row."""

    NONE = "none"  # the roles are the whole rule
    UNIT = "unit"  # a liaison of the unit the button is about (an admin for any unit)
    OWNER = "owner"  # the person whose draft or upload it is
    VISIBLE = "visible"  # the row is in the presser's units (staff see every unit)


@dataclass(frozen=True)
class Press:
    """An inline button: who may press it, the refusal they see otherwise, and what the
    handler still checks (the unit or the owner) once it has the row the button is about."""

    verb: Verb
    roles: frozenset[Role] | None  # None: everyone
    refusal: Msg
    scope: Scope = Scope.NONE
    in_unit: str | None = None  # the refusal's message id (with {unit}) in a unit's chat


_REPORTERS = frozenset({Role.ADMIN, Role.LIAISON})
_EVERYONE_WITH_A_ROLE = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})
# a liaison's button pressed by someone with no part in it: nothing for them to do
_NOT_YOURS = msg("form.not_yours")
_ONLY_ITS_LIAISONS = "submit.not_liaison"  # only {unit}'s liaisons can submit

PRESSES: tuple[Press, ...] = (
    Press(Verb.SUBMIT, _REPORTERS, _NOT_YOURS, Scope.UNIT, _ONLY_ITS_LIAISONS),
    Press(Verb.DL_EDIT, _ADMIN, msg("command.denied", command="deadline")),
    Press(Verb.DL_CANCEL, _ADMIN, msg("command.denied", command="deadline")),
    Press(Verb.WEEKLY, _REPORTERS, _NOT_YOURS, Scope.UNIT, _ONLY_ITS_LIAISONS),
    Press(Verb.WFORM, _REPORTERS, _NOT_YOURS, Scope.UNIT, _ONLY_ITS_LIAISONS),
    Press(Verb.WPRIV, _REPORTERS, _NOT_YOURS, Scope.UNIT, _ONLY_ITS_LIAISONS),
    Press(Verb.ITEMS, _EVERYONE_WITH_A_ROLE, msg("command.denied", command="items")),
    Press(Verb.CASES, _EVERYONE_WITH_A_ROLE, msg("command.denied", command="cases")),
    Press(Verb.ITEM, _EVERYONE_WITH_A_ROLE, msg("command.denied", command="item"), Scope.VISIBLE),
    # close-outs are decided by the supervisors (or an admin), never by the unit itself
    Press(Verb.CO_OK, _STAFF, msg("closeout.staff_only"), Scope.VISIBLE),
    Press(Verb.CO_NO, _STAFF, msg("closeout.staff_only"), Scope.VISIBLE),
    # a forwarded case is signed for, answered and extended by its unit's liaisons
    Press(Verb.SIGN, _REPORTERS, msg("case.liaisons_only"), Scope.UNIT),
    Press(Verb.FB, _REPORTERS, msg("case.liaisons_only"), Scope.UNIT),
    Press(Verb.EXT, _REPORTERS, msg("case.liaisons_only"), Scope.UNIT),
    # so are extensions of a forwarded case's deadline
    Press(Verb.EXT_OK, _STAFF, msg("case.staff_only"), Scope.VISIBLE),
    Press(Verb.EXT_NO, _STAFF, msg("case.staff_only"), Scope.VISIBLE),
    Press(Verb.IMP_UNIT, _REPORTERS, _NOT_YOURS, Scope.OWNER),
    Press(Verb.IMP_OK, _REPORTERS, _NOT_YOURS, Scope.OWNER),
    Press(Verb.IMP_NO, _REPORTERS, _NOT_YOURS, Scope.OWNER),
    Press(Verb.WK_OK, _REPORTERS, _NOT_YOURS, Scope.OWNER),
    Press(Verb.WK_NO, _REPORTERS, _NOT_YOURS, Scope.OWNER),
    Press(Verb.CIRCULAR, _STAFF, msg("command.denied", command="summary")),
    Press(Verb.NEW, _REPORTERS, _NOT_YOURS, Scope.UNIT, _ONLY_ITS_LIAISONS),
    # a correction after the week's deadline is decided by the supervisors (or an admin)
    Press(Verb.CR_OK, _STAFF, msg("correction.staff_only")),
    Press(Verb.CR_NO, _STAFF, msg("correction.staff_only")),
    # 已阅 is the unit's word: only its own liaisons say it (checked against the notice)
    Press(Verb.READ, _REPORTERS, msg("notices.liaisons_only"), Scope.UNIT, "notices.only_unit"),
    # a leave is ended by the liaison who took it (checked against the leave)
    Press(Verb.LEAVE_END, _REPORTERS, _NOT_YOURS, Scope.OWNER),
)
PRESS_BY_VERB = {p.verb: p for p in PRESSES}


def may_press(actor: Actor, verb: Verb) -> bool:
    """Whether the actor's roles allow pressing the button (its scope is the handler's)."""
    spec = PRESS_BY_VERB.get(verb)
    if spec is None:
        return False
    return spec.roles is None or bool(actor.roles & spec.roles)


def refusal(verb: Verb, unit: str | None = None) -> Msg:
    """What a person who may not press the button is told (in the chat of `unit`, if any)."""
    spec = PRESS_BY_VERB.get(verb)
    if spec is None:
        return msg("form.stale_button")
    if spec.in_unit is not None and unit is not None:
        return msg(spec.in_unit, unit=unit)
    return spec.refusal
