"""A chat turn's door into the use cases: the `Act` made from the turn, its words delivered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.delivery.enqueue import post
from bot.telegram.turn import Turn
from bot.usecases.act import Act
from workflows.messages import Msg, Say
from workflows.outcome import Refused


def act_of(turn: Turn) -> Act:
    """The use cases' context for this turn: its unit of work, stamp, who acts, language."""
    return Act(
        turn.session,
        turn.stamp,
        turn.zone,
        turn.campaign,
        turn.person,
        turn.actor,
        turn.chat.chat_id,
        turn.text,
    )


def settle(turn: Turn, act: Act) -> None:
    """What the use case said, as the turn's replies; what it told others, into the outbox."""
    for text in act.said:
        turn.say(text)
    post(turn, act.told)
    act.said.clear()
    act.told.clear()


@contextmanager
def acting(turn: Turn) -> Iterator[Act]:
    """`with acting(turn) as act:` a use case runs on `act`; its words are settled after."""
    act = act_of(turn)
    yield act
    settle(turn, act)


def say_result(turn: Turn, result: Msg | Refused) -> None:
    """A use case's answer said in the chat: what it did, or why it did not."""
    turn.say(result.reason if isinstance(result, Refused) else result)


def document_say(turn: Turn) -> Say:
    """Documents (the circular, the workbook) are written in the configured default language."""
    tr, lang = turn.services.translator, turn.services.settings.taizhang_locale
    return lambda m: tr.text(m, lang, tz=turn.zone, year=turn.year)
