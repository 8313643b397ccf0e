"""The tests drive the real bot through the package's sandbox.

`build_world` sets up what most end-to-end tests start from — a bot with its campaign, unit
groups bound by the admin's real /bind, and people holding roles — once, the way the tests
always did it: groups through /bind over the local Bot API, roles through the same storage
calls an earlier /role makes (`Sandbox.grant`).

The handles are the Telegram objects the local API knows (a `Person` is the user dict, a
`Group` the chat dict), so they go wherever a user or a chat did, with ways to act added.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.sandbox.sandbox import ADMIN_ID, Clock, Sandbox
from storage import campaigns, ledger
from storage.audit import Stamp
from storage.models import saved_id
from workflows.guards import required
from workflows.people.roles import Role
from workflows.problems.ledger import LedgerSpec, item_columns

Harness = Sandbox


@asynccontextmanager
async def on_campaign(
    db_url: str, path: Path, campaign: str, **options: Any
) -> AsyncIterator[Harness]:
    """The bot running on the campaign file written at `path` (a test module's own campaign),
    with the sandbox's other `options`; stopped when the block ends."""
    path.write_text(campaign, encoding="utf-8")
    harness = Harness(db_url, template=str(path), **options)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


__all__ = [
    "ADMIN_ID",
    "Clock",
    "Group",
    "Harness",
    "MakeWorld",
    "Person",
    "World",
    "build_world",
    "who",
]


@dataclass(frozen=True)
class Who:
    """Someone to create: a name, and when a test needs them, a fixed id or a username."""

    name: str
    id: int | None = None
    username: str | None = None


def who(name: str, id: int | None = None, username: str | None = None) -> Who:
    """A person with a fixed Telegram id or a username (plain names get the next free id)."""
    return Who(name, id, username)


Spec = str | Who


class Person(dict[str, Any]):
    """A Telegram user (the dict the local API sends as `from`), able to act."""

    def __init__(self, world: World, user: dict[str, Any]) -> None:
        super().__init__(user)
        self.world = world

    def __deepcopy__(self, memo: dict[int, Any]) -> Person:
        """A copy of the user's fields, in the same world (a copied message keeps its sender)."""
        return Person(self.world, copy.deepcopy(dict(self), memo))

    @property
    def name(self) -> str:
        return str(self["first_name"])

    @property
    def private(self) -> dict[str, Any]:
        """This person's private chat with the bot."""
        return self.world.api.private(self)

    async def say(self, chat: dict[str, Any], text: str) -> dict[str, Any]:
        """Send a message (a command) in a chat; the bot's first answer there."""
        return await self.world.bot.command(chat, self, text)

    async def send(
        self, chat: dict[str, Any], text: str, reply_to: dict[str, Any] | None = None
    ) -> None:
        """Send a message without waiting for an answer."""
        await self.world.api.send(chat, self, text, reply_to=reply_to)

    async def answer(self, prompt: dict[str, Any], text: str) -> dict[str, Any]:
        """Reply to a prompt of the bot's; its next message in that chat."""
        return await self.world.bot.answer(prompt, self, text)

    async def press(self, message: dict[str, Any], label: str) -> dict[str, Any]:
        """Press a button; the bot's next message in that chat."""
        return await self.world.bot.press(message, self, label)

    async def tap(self, message: dict[str, Any], label: str) -> str:
        """Press a button answered by a toast alone; the toast's text."""
        return await self.world.bot.tap(message, self, label)

    def grant(self, role: Role, unit: str | None = None) -> Person:
        """Give this person a role (as an earlier /role would have)."""
        self.world.bot.grant(self, role, unit)
        return self


class Group(dict[str, Any]):
    """A group chat (the dict the local API knows), with the unit it is bound to."""

    def __init__(self, chat: dict[str, Any], unit: str | None) -> None:
        super().__init__(chat)
        self.unit = unit


class World:
    """The bot, its local API, the bound groups and the people of one test."""

    def __init__(self, bot: Sandbox) -> None:
        self.bot = bot
        self.api = bot.api
        self.groups: dict[str, Group] = {}
        self.people: dict[str, Person] = {}
        self.liaisons: dict[str, list[Person]] = {}
        self.supervisors: list[Person] = []
        self.supervisors_group: Group | None = None
        self.admin = Person(self, bot.admin)
        self._ids = itertools.count(880001)

    def __getitem__(self, name: str) -> Person:
        """A person of this world, by name."""
        return self.people[name]

    def group(self, unit: str) -> Group:
        """The group bound to a unit."""
        return self.groups[unit]

    def person(self, spec: Spec) -> Person:
        """Someone the local API knows, with no role yet."""
        spec = Who(spec) if isinstance(spec, str) else spec
        uid = spec.id if spec.id is not None else next(self._ids)
        person = Person(self, self.api.user(uid, spec.name, spec.username))
        self.api.users[uid] = person
        self.people[spec.name] = person
        return person

    def new_group(self, title: str, unit: str | None = None) -> Group:
        """A group the bot is a member of, not yet bound."""
        group = Group(self.api.group(title), unit)
        self.api.chats[group["id"]] = group
        return group

    def add_items(
        self, unit: str, count: int, *, due_on: str = "2024-01-05", by: Person | None = None
    ) -> list[str]:
        """`count` problems (问题1 …) in the unit's ledger, as /new saves them; the codes."""
        with self.bot.database().unit_of_work() as s:
            camp = required(campaigns.active_campaign(s), "the active campaign")
            target = required(campaigns.unit_named(s, saved_id(camp), unit), unit)
            stamp = Stamp(self.bot.clock(), by["id"] if by else None)
            values = [{"name": f"问题{i + 1}", "due_on": due_on} for i in range(count)]
            return [
                ledger.create_item(s, target, item_columns(v, LedgerSpec()), stamp).code
                for v in values
            ]

    async def bind(self, unit: str, title: str | None = None) -> Group:
        """A new group, bound to `unit` by the admin's /bind."""
        group = self.new_group(title or f"{unit}联络群", unit)
        await self.bot.bind(group, unit)
        self.groups[unit] = group
        return group

    async def bind_supervisors(self, title: str = "专班群", group: Group | None = None) -> Group:
        """A new group (or `group`), bound as the supervisors' group by the admin's /bind and
        its button."""
        group = group or self.new_group(title)
        ask = await self.bot.command(group, self.bot.admin, "/bind")
        done = await self.bot.press(ask, self.bot.admin, "专班督办人员群")
        if "专班督办人员群" not in done["text"]:
            raise AssertionError(f"not bound as the supervisors' group: {done['text']}")
        self.supervisors_group = group
        return group


async def build_world(
    bot: Sandbox,
    *,
    units: Sequence[str] = (),
    titles: Mapping[str, str] | None = None,
    liaisons: Mapping[str, Spec | Iterable[Spec]] | None = None,
    supervisors: Iterable[Spec] = (),
    people: Iterable[Spec] = (),
    supervisors_group: str | None = None,
) -> World:
    """Bind a group per unit, then give the liaisons (unit -> people) and the supervisors
    their roles, then meet the people with no role; the supervisors' group last."""
    world = World(bot)
    for unit in units:
        await world.bind(unit, (titles or {}).get(unit))
    for unit, specs in (liaisons or {}).items():
        for spec in [specs] if isinstance(specs, str | Who) else specs:
            person = world.person(spec).grant(Role.LIAISON, unit)
            world.liaisons.setdefault(unit, []).append(person)
    for spec in supervisors:
        world.supervisors.append(world.person(spec).grant(Role.SUPERVISOR))
    for spec in people:
        world.person(spec)
    if supervisors_group is not None:
        await world.bind_supervisors(supervisors_group)
    return world


MakeWorld = Callable[..., Awaitable[World]]


async def county_world(make_world: MakeWorld) -> World:
    """轮台县's group with its liaison 李明, and the supervisor 督办张, whose private chat (and
    the admin's) is read up to now."""
    world = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, supervisors=["督办张"])
    await world.bot.settle(world["督办张"].private, world.admin.private)
    return world


"""The `make_world` fixture: `build_world` on the test's bot."""
