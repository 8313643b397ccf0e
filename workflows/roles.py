"""Who may do what: roles, and the commands each role is offered."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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

    def sees(self, unit_id: int | None) -> bool:
        """Whether this person may see the unit's items and cases: admins and supervisors see
        every unit, a liaison their own."""
        return self.oversees_all or (unit_id is not None and unit_id in self.units)


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
    Command("new", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("items", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("item", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("close", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("import", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("deadlines", frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON})),
    Command("submit", frozenset({Role.ADMIN, Role.LIAISON})),
    Command("missing", _STAFF),
    Command("summary", _STAFF),
    Command("export", _STAFF),
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
