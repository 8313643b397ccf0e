"""Bad input, tried systematically: commands with random arguments and forged button data.

Hypothesis drives the real bot through the local Bot API. Whatever it tries, each command
gets a clear answer, each press is answered, nothing reaches the log as an unhandled
error, and when the input is refused the database is as it was.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Select, Table, select
from sqlmodel import SQLModel

from locales import Translator
from storage.models import OutboxMessage
from tests.harness import Harness, MakeWorld
from workflows.forms.buttons import MAX_REF, SHAPES, Verb, callback_data
from workflows.people.roles import COMMANDS

INTERNAL_ERROR = "抱歉，处理时出现问题"
NAV = ("cancel", "back", "skip")  # /cancel closes what an example opened, and marks its end
CLOSED = ("已取消，未保存任何内容。", "当前没有进行中的事项。")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Tokens the bot reads, so that random arguments reach past the first check now and then.
TOKENS = [
    "轮台县",
    "尉犁县",
    "#XF-1",
    "ZB-0001",
    "ZB-9999",
    "轮台-001",
    "5月5日18:00",
    "2月30日",
    "明天下午3点",
    "2027-02-06",
    "on",
    "off",
    "liaison",
    "supervisor",
    "admin",
    "none",
    "en",
    "zh_CN",
    "@nobody",
    "0",
    "-1",
    "99999999999999999999",
    "<b>",
    "{unit}",
    "%s",
    "\u200b",
]
words = st.one_of(
    st.sampled_from(TOKENS),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs")), max_size=30),
).filter(bool)
arguments = st.lists(words, max_size=4).map(" ".join)
ACTION_VERBS = [v.value for v in Verb]
refs = st.one_of(
    st.integers(min_value=-5, max_value=10**20).map(str),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
)
button_data = st.one_of(
    st.builds(
        lambda verb, some: ":".join(["a", verb, *some]),
        st.sampled_from([*ACTION_VERBS, "x", ""]),
        st.lists(refs, max_size=3),
    ),
    st.builds(lambda a, b, c: f"f:{a}:{b}:{c}", *(st.integers(0, 10**12),) * 3),
    st.text(max_size=64),
).filter(lambda data: 0 < len(data.encode()) <= 64)  # Telegram's limit for callback_data


class Errors(logging.Handler):
    """Every record at ERROR or above: an unhandled error in a handler is logged there."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _words(message: dict[str, Any]) -> str:
    """A message's text, or a document's caption (a filled-in form is sent as a file)."""
    return str(message.get("text") or message.get("caption") or "")


@dataclass
class World:
    bot: Harness
    group: dict[str, Any]  # 轮台县's
    stranger: dict[str, Any]  # no role at all
    liaison: dict[str, Any]  # 轮台县's
    pressed_on: dict[str, Any]  # a bot message in the group, to press forged buttons on
    errors: Errors

    async def said(self, chat: dict[str, Any], who: dict[str, Any], act: Any) -> list[str]:
        """What the bot said in `chat` in answer to `act()`; then /cancel closes any flow it
        opened (updates of one chat are handled in order, so its answer comes last)."""
        api = self.bot.api
        start = len(api.bot_messages(chat))
        await act()
        await api.send(chat, who, "/cancel")

        def closed() -> bool:
            return any(c in _words(m) for m in api.bot_messages(chat)[start:] for c in CLOSED)

        await api.until(closed)
        api.mark_read(chat)
        return [_words(m) for m in api.bot_messages(chat)[start:-1]]

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table but those that record who was seen (people, chats), what
        the bot sent (the send log, kept only to honour Telegram's limits, and its replies,
        kept in the outbox until sent) and which updates it handled (kept so that one posted
        again is not applied twice)."""
        with self.bot.database().unit_of_work() as s:
            return {
                t.name: sorted(map(tuple, s.connection().execute(_said_aside(t)).all()), key=repr)
                for t in SQLModel.metadata.sorted_tables
                if t.name not in ("person", "chat", "sendlog", "handledupdate")
            }


def _said_aside(table: Table) -> Select[Any]:
    """The table's rows; the outbox's without the replies (what the bot said)."""
    if table.name == OutboxMessage.__tablename__:
        return select(table).where(table.c.kind != "reply")
    return select(table)


@pytest.fixture
def errors() -> Iterator[Errors]:
    handler = Errors()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture
async def world(bot: Harness, make_world: MakeWorld, errors: Errors) -> AsyncIterator[World]:
    built = await make_world(units=["轮台县"], liaisons={"轮台县": "李明"}, people=["路人"])
    group, liaison, stranger = built.group("轮台县"), built["李明"], built["路人"]
    for who in (liaison, stranger):
        await bot.command(group, who, "/start")  # met once: their person row exists
        await bot.command(bot.api.private(who), who, "/start")
    await bot.settle(group, *(bot.api.private(who) for who in (liaison, stranger)))
    pressed_on = bot.api.bot_messages(group)[-1]
    yield World(bot, group, stranger, liaison, pressed_on, errors)
    await bot.drained()
    assert errors.records == [], [r.getMessage() for r in errors.records]


STAFF_ONLY = [c.name for c in COMMANDS if c.roles is not None]


@FUZZ
@given(command=st.sampled_from(STAFF_ONLY), args=arguments, in_group=st.booleans())
async def test_a_command_without_the_role_is_refused_in_one_line_and_changes_nothing(
    world: World, command: str, args: str, in_group: bool
) -> None:
    bot, who = world.bot, world.stranger
    chat = world.group if in_group else bot.api.private(who)
    before = world.rows()
    answer = await bot.command(chat, who, f"/{command} {args}".strip())
    assert answer["text"] == f"抱歉，您没有使用 /{command} 的权限。"
    assert world.rows() == before
    assert world.errors.records == []


@FUZZ
@given(
    command=st.one_of(
        st.sampled_from([c.name for c in COMMANDS]), st.from_regex(r"[a-z_]{1,20}", fullmatch=True)
    ).filter(lambda name: name not in NAV),
    args=arguments,
    in_group=st.booleans(),
)
async def test_any_command_with_any_arguments_gets_an_answer_and_no_error(
    world: World, command: str, args: str, in_group: bool
) -> None:
    bot, who = world.bot, world.liaison
    chat = world.group if in_group else bot.api.private(who)
    said = await world.said(chat, who, lambda: bot.api.send(chat, who, f"/{command} {args}"))
    assert said and said[0].strip(), said
    assert not any(INTERNAL_ERROR in text for text in said), said
    assert world.errors.records == []


@FUZZ
@given(data=button_data, by_liaison=st.booleans())
async def test_a_forged_button_is_answered_and_changes_nothing(
    world: World, data: str, by_liaison: bool
) -> None:
    bot = world.bot
    who = world.liaison if by_liaison else world.stranger
    before = world.rows()
    pressed: list[str] = []

    async def press() -> None:
        pressed.append(await bot.api.press(world.pressed_on, who, data=data))

    said = await world.said(world.group, who, press)
    await bot.api.until(
        lambda: any(a["callback_query_id"] in pressed for a in bot.api.callback_answers)
    )
    assert not any(INTERNAL_ERROR in text for text in said), said
    assert world.errors.records == []
    if not said:  # refused by the press's own answer: nothing may have changed
        assert world.rows() == before


# well-formed presses of every verb, on ids that may or may not exist
well_formed = st.sampled_from(list(Verb)).flatmap(
    lambda verb: st.tuples(
        st.just(verb), st.tuples(*(st.integers(0, MAX_REF) for _ in SHAPES[verb]))
    )
)


@FUZZ
@given(press=well_formed)
async def test_every_verb_pressed_by_someone_without_a_role_is_refused_by_the_gate(
    world: World, press: tuple[Verb, tuple[int, ...]]
) -> None:
    bot, who = world.bot, world.stranger
    verb, ids = press
    before = world.rows()
    qid = await bot.api.press(world.pressed_on, who, data=callback_data(verb, *ids))
    await bot.api.until(
        lambda: any(a["callback_query_id"] == qid for a in bot.api.callback_answers)
    )
    answer = next(a for a in bot.api.callback_answers if a["callback_query_id"] == qid)
    assert answer.get("text") == Translator.load().text(verb.rule.refused("轮台县"), "zh_CN")
    assert world.rows() == before
    assert world.errors.records == []
