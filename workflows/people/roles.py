"""Who may do what: roles, the commands each role is offered, the buttons each may press."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

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


_ANY = None  # everyone
STAFF = frozenset({Role.ADMIN, Role.SUPERVISOR})
ADMIN_ONLY = frozenset({Role.ADMIN})
REPORTERS = frozenset({Role.ADMIN, Role.LIAISON})  # who reports for a unit
WITH_A_ROLE = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})


class Where(StrEnum):
    """Where a command may be used."""

    ANY = "any"
    GROUP = "group"  # a group chat
    PRIVATE = "private"


class CommandDeclaration(StrEnum):
    """A slash command's one declaration: its name and its role rule, who may use it (None:
    everyone) and where. Declaring one without a rule fails at import; each is bound to its
    handler in its area's `FEATURE` (bot/handlers/), and
    `bot.telegram.feature.Registry.collect` refuses a command without one."""

    roles: frozenset[Role] | None
    where: Where

    def __new__(
        cls,
        name: str,
        roles: frozenset[Role] | str | None = "",  # "": not declared, refused below
        where: Where = Where.ANY,
    ) -> CommandDeclaration:
        if roles is not None and not (isinstance(roles, frozenset) and roles <= set(Role)):
            raise TypeError(f"/{name}: its role rule (a set of roles, None: all) is {roles!r}")
        command = str.__new__(cls, name)
        command._value_ = name
        command.roles, command.where = roles, Where(where)
        return command


class CommandName(CommandDeclaration):
    """A slash command, with who may use it and where."""

    START = "start", _ANY
    HELP = "help", _ANY
    REGISTER = "register", _ANY, Where.GROUP
    ROSTER = "roster", WITH_A_ROLE
    BIND = "bind", ADMIN_ONLY, Where.GROUP
    ROLE = "role", ADMIN_ONLY
    WEEKLY = "weekly", REPORTERS
    CORRECT = "correct", REPORTERS
    NEW = "new", REPORTERS
    ITEMS = "items", WITH_A_ROLE
    ITEM = "item", WITH_A_ROLE
    CLOSE = "close", REPORTERS
    IMPORT = "import", REPORTERS
    DEADLINES = "deadlines", WITH_A_ROLE
    SUBMIT = "submit", REPORTERS
    LEAVE = "leave", frozenset({Role.LIAISON})  # 请假: a liaison's own leave, and who covers
    MISSING = "missing", STAFF
    SUMMARY = "summary", STAFF
    BOARD = "board", STAFF  # the supervisors' board in the Mini App; its API asks the same
    EXPORT = "export", STAFF
    EVIDENCE = "evidence", STAFF  # a problem's evidence in full, for an inspection
    NOTICE = "notice", STAFF  # a notice to every unit's group, with its 已阅 button
    DEADLINE = "deadline", ADMIN_ONLY
    FORWARD = "forward", STAFF
    FEEDBACK = "feedback", REPORTERS
    CASES = "cases", WITH_A_ROLE
    CASE = "case", WITH_A_ROLE
    WORKDAY = "workday", ADMIN_ONLY
    LANG = "lang", _ANY
    CANCEL = "cancel", _ANY
    BACK = "back", _ANY
    SKIP = "skip", _ANY


@dataclass(frozen=True)
class Command:
    """A slash command as /help and Telegram's menu list it: its name, who may use it, where."""

    name: str
    roles: frozenset[Role] | None  # None: everyone
    where: Where = Where.ANY


# derived from the declarations, in their order (the order of /help and the menu)
COMMANDS: tuple[Command, ...] = tuple(Command(c.value, c.roles, c.where) for c in CommandName)
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
    """A button's role rule: who may press it, the refusal they see otherwise, and what the
    handler still checks (the unit or the owner) once it has the row the button is about.
    Each `workflows.forms.buttons.Verb` carries its own."""

    roles: frozenset[Role] | None  # None: everyone
    refusal: Msg
    scope: Scope = Scope.NONE
    in_unit: str | None = None  # the refusal's message id (with {unit}) in a unit's chat

    def allows(self, actor: Actor) -> bool:
        """Whether the actor's roles allow pressing the button (its scope is the handler's)."""
        return self.roles is None or bool(actor.roles & self.roles)

    def refused(self, unit: str | None = None) -> Msg:
        """What a person who may not press the button is told (in the chat of `unit`, if any)."""
        if self.in_unit is not None and unit is not None:
            return msg(self.in_unit, unit=unit)
        return self.refusal
