"""The limiter: sliding windows per chat (sends and edits alike), people before notifications."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.telegram.budget import ChatBudget, Limits, NoBudget, Window, counted

GROUP, OTHER, PRIVATE = -1001, -1002, 42


class FakeClock:
    """Monotonic seconds the test moves; sleeping moves it too (no real waiting)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()

    async def sleep(seconds: float) -> None:
        fake.now += seconds

    monkeypatch.setattr("bot.telegram.budget.asyncio.sleep", sleep)
    return fake


async def call(limiter: ChatBudget, endpoint: str, chat: int, args: Any = None) -> Any:
    """A request through the limiter; returns the clock time it went out."""
    went: list[float] = []

    async def send() -> bool:
        went.append(limiter.clock())
        return True

    await limiter.process_request(send, (), {}, endpoint, {"chat_id": chat}, args)
    return went[0]


def test_a_window_allows_n_in_any_span_not_a_burst_on_top() -> None:
    w = Window(3, 60.0)
    for t in (0.0, 10.0, 20.0):
        assert w.free_at(t) == t
        w.take(t)
    assert w.free_at(30.0) == 60.0  # the first send must be a full minute old
    assert w.free_at(30.0, keep=1) == 70.0  # keeping one slot back: the second's minute


async def test_sends_and_edits_share_a_groups_twenty_a_minute(clock: FakeClock) -> None:
    limiter = ChatBudget(Limits(), clock=clock)
    times = []
    for i in range(25):
        endpoint = "editMessageText" if i % 3 else "sendMessage"
        times.append(await call(limiter, endpoint, GROUP))
        clock.now += 0.5
    assert times[19] < 1000 + 60  # 20 fit in the first minute
    assert times[20] >= times[0] + 60  # the 21st waits until the first is a minute old
    for i in range(len(times)):  # in any 60 s window, at most 20
        assert sum(1 for t in times if times[i] <= t < times[i] + 60) <= 20
    assert limiter.delayed == 1  # the 21st; after its wait the next ones find slots free


async def test_answering_a_press_is_free(clock: FakeClock) -> None:
    limiter = ChatBudget(Limits(group=(2, 60.0)), clock=clock)
    for _ in range(10):
        assert await call(limiter, "answerCallbackQuery", GROUP) == 1000.0
    assert not counted("answerCallbackQuery") and counted("editMessageReplyMarkup")


async def test_a_busy_group_does_not_hold_up_another_chat(clock: FakeClock) -> None:
    limiter = ChatBudget(Limits(group=(2, 60.0)), clock=clock)
    await call(limiter, "sendMessage", GROUP)
    await call(limiter, "sendMessage", GROUP)
    assert await call(limiter, "sendMessage", OTHER) == 1000.0
    assert await call(limiter, "sendMessage", PRIVATE) == 1000.0


async def test_a_notification_never_waits_and_leaves_people_their_share(clock: FakeClock) -> None:
    limiter = ChatBudget(Limits(group=(5, 60.0)), clock=clock)
    notify = {"notify": True, "keep": 2}
    for _ in range(3):
        await call(limiter, "sendMessage", GROUP, notify)
    with pytest.raises(NoBudget) as refused:
        await call(limiter, "sendMessage", GROUP, notify)  # two slots stay for people
    assert refused.value.wait == pytest.approx(60.0)
    assert await call(limiter, "sendMessage", GROUP) == 1000.0  # a person's answer goes
    assert await call(limiter, "sendMessage", GROUP) == 1000.0
    assert limiter.refused == 1


async def test_a_waiting_person_goes_before_notifications(clock: FakeClock) -> None:
    limiter = ChatBudget(Limits(overall=(1, 1.0)), clock=clock)
    limiter._people_waiting = 1  # someone is waiting for the overall window
    with pytest.raises(NoBudget):
        await call(limiter, "sendMessage", OTHER, {"notify": True})


async def test_a_429_is_obeyed_for_people_and_handed_back_for_notifications(
    clock: FakeClock,
) -> None:
    limiter = ChatBudget(Limits(), clock=clock)
    attempts: list[float] = []

    async def flaky() -> bool:
        attempts.append(clock.now)
        if len(attempts) == 1:
            raise RetryAfter(7)
        return True

    await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": GROUP}, None)
    assert attempts == [1000.0, 1007.0] and limiter.too_many == 1
    with pytest.raises(NoBudget):  # the chat is still held for the notification's attempt
        clock.now = 1003.0
        limiter._blocked[GROUP] = 1010.0
        await call(limiter, "sendMessage", GROUP, {"notify": True})

    async def always_429() -> bool:
        raise RetryAfter(3)

    clock.now = 2000.0
    with pytest.raises(RetryAfter):
        await limiter.process_request(
            always_429, (), {}, "sendMessage", {"chat_id": OTHER}, {"notify": True}
        )


async def test_what_was_sent_before_a_restart_still_counts(clock: FakeClock) -> None:
    import time

    limiter = ChatBudget(Limits(group=(3, 60.0)), clock=clock)
    wall = time.time()
    limiter.seed([(GROUP, wall - 50), (GROUP, wall - 40), (GROUP, wall - 30), (OTHER, wall - 90)])
    went = await call(limiter, "sendMessage", GROUP)
    assert went == pytest.approx(1000.0 + 10, abs=0.5)  # the oldest of the three leaves at 60 s
    assert await call(limiter, "sendMessage", OTHER) == pytest.approx(went)  # 90 s ago: gone
    assert [chat for chat, _ in limiter.drain_log()] == [GROUP, OTHER]


async def test_concurrent_answers_in_one_group_never_break_the_window(clock: FakeClock) -> None:
    limiter = ChatBudget(Limits(group=(4, 10.0)), clock=clock)
    times = await asyncio.gather(*(call(limiter, "sendMessage", GROUP) for _ in range(9)))
    ordered = sorted(times)
    for i in range(len(ordered)):
        assert sum(1 for t in ordered if ordered[i] <= t < ordered[i] + 10) <= 4


async def test_a_slow_request_counts_from_its_answer(clock: FakeClock) -> None:
    """Telegram counts a request when it arrives; under load that is after the slot was taken,
    so the window counts it from the answer: the next window cannot overlap Telegram's."""
    limiter = ChatBudget(Limits(group=(2, 10.0)), clock=clock)

    async def slow() -> bool:
        clock.now += 5.0  # the request is on its way for five seconds
        return True

    await limiter.process_request(slow, (), {}, "sendMessage", {"chat_id": GROUP}, None)
    assert await call(limiter, "sendMessage", GROUP) == 1005.0
    assert await call(limiter, "sendMessage", GROUP) == 1015.0  # not 1010: the first's answer


async def test_the_send_log_keeps_a_slow_request_at_its_answer(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a restart reads back is what the window counts: the answer's moment, not the
    claim's (a new process counting from the claim would free the slot early: a 429)."""
    wall = [5000.0]
    monkeypatch.setattr("bot.telegram.budget.time.time", lambda: wall[0])
    limiter = ChatBudget(Limits(group=(2, 10.0)), clock=clock)

    async def slow() -> bool:
        clock.now += 5.0
        wall[0] += 5.0  # five seconds on the way
        return True

    await limiter.process_request(slow, (), {}, "sendMessage", {"chat_id": GROUP}, None)
    assert limiter.drain_log() == [(GROUP, 5005.0)]
