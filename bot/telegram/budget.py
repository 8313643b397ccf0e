"""Telegram's flood limits as one budget per chat, spent on people before notifications.

Telegram lets a bot send about 20 messages a minute into one group, and edits count against
the same budget; about one a second into a private chat; about 30 a second overall;
answering a button press costs nothing. The limiter counts every send and edit in sliding
windows (at most N in *any* window, not a bucket that lets a burst through on top of the
rate). A notification never waits: when its chat has no slot to spare it is refused with
`NoBudget`, and the outbox keeps it in the database until the slot frees. A reply to a person
(kept in the outbox too) goes before notifications and waits here only a moment (the bot's
overall rate); one that would wait for its chat's window is refused the same way, and waits
in the database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from bisect import insort
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypedDict

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from workflows.json_types import JSONObject

logger = logging.getLogger(__name__)
# What Telegram counts against a chat's budget. answerCallbackQuery, getUpdates and the like
# are free.
COUNTED_PREFIXES = ("send", "edit", "copy", "forward")
RESEND_AFTER = 0.5  # seconds before a person's reply that did not get through is sent again
WAIT_HERE = 1.0  # seconds a reply may wait for a slot in memory (its claim outlasts that)


@dataclass(frozen=True)
class Limits:
    """Sizes and spans of the windows, and the share of a group's kept for people."""

    group: tuple[int, float] = (20, 60.0)
    private: tuple[int, float] = (5, 5.0)
    overall: tuple[int, float] = (28, 1.0)
    keep_for_people: int = 6  # of a group's window, while someone there is in a flow
    keep_overall: int = 3  # of the overall window, always
    max_retries: int = 6  # 429s obeyed for one answer before giving up


class NoBudget(Exception):
    """A notification has no slot in its chat now; try again in `wait` seconds."""

    def __init__(self, chat_id: int | None, wait: float) -> None:
        super().__init__(f"chat {chat_id}: no budget for {wait:.1f}s")
        self.chat_id = chat_id
        self.wait = wait


class Window:
    """The moments of the sends in the last `span` seconds; at most `size` of them."""

    def __init__(self, size: int, span: float) -> None:
        self.size, self.span = size, span
        self.times: deque[float] = deque()

    def prune(self, now: float) -> None:
        """Forget sends older than the window."""
        while self.times and now - self.times[0] >= self.span:
            self.times.popleft()

    def free_at(self, now: float, keep: int = 0) -> float:
        """When a send fits, leaving `keep` slots unused."""
        self.prune(now)
        allowed = max(self.size - keep, 0)
        if allowed == 0:
            return now + self.span
        if len(self.times) < allowed:
            return now
        return self.times[len(self.times) - allowed] + self.span

    def used(self, now: float) -> int:
        """Sends within the window now."""
        self.prune(now)
        return len(self.times)

    def take(self, at: float) -> None:
        """Count a send at `at`."""
        self.times.append(at)

    def moved(self, at: float, to: float) -> None:
        """A send counted at `at` is now known to have reached Telegram by `to`."""
        try:
            self.times.remove(at)
        except ValueError:  # already out of the window
            return
        insort(self.times, to)


def counted(endpoint: str) -> bool:
    """Whether a Bot API method is a send or an edit (counted against the chat's budget)."""
    name = endpoint.lower()
    return name.startswith(COUNTED_PREFIXES) and name != "sendchataction"


def is_group(chat_id: int) -> bool:
    """Group and supergroup ids are negative; private chats are the user's positive id."""
    return chat_id < 0


class LimitArgs(TypedDict, total=False):
    """What a send tells the budget (`rate_limit_args`): see `ChatBudget`."""

    notify: bool
    reply: bool
    keep: int


class ChatBudget(BaseRateLimiter[LimitArgs]):
    """Sliding windows per chat and overall; people first, notifications only from the rest.

    `rate_limit_args={"notify": True, "keep": n}` marks a notification: it takes a slot only
    if `n` (or the configured share, when someone is in a flow there) stays free for people,
    and raises `NoBudget` instead of waiting. `{"reply": True}` marks a reply from the outbox:
    it takes any slot, waits at most `WAIT_HERE`, and else raises `NoBudget`.
    """

    def __init__(
        self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or Limits()
        self.clock = clock
        self._chats: dict[int, Window] = {}
        self._overall = Window(*self.limits.overall)
        self._blocked: dict[int | None, float] = {}  # after a 429: chat (None: all) until
        self._refused: dict[int | None, float] = {}  # notifications turned back: chat until
        self._people_waiting = 0
        self.log: list[tuple[int, float]] = []  # (chat, wall-clock time) to persist
        self.delayed = 0  # answers to people that had to wait for a slot
        self.refused = 0  # notifications turned back to the outbox
        self.too_many = 0  # 429s Telegram answered all the same

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def window(self, chat_id: int) -> Window:
        """The chat's window (created on first use)."""
        found = self._chats.get(chat_id)
        if found is None:
            size, span = self.limits.group if is_group(chat_id) else self.limits.private
            found = self._chats[chat_id] = Window(size, span)
        return found

    def seed(self, sent: Iterable[tuple[int, float]]) -> None:
        """Count sends made before a restart: (chat, wall-clock time), oldest first."""
        offset = time.time() - self.clock()
        now = self.clock()
        for chat_id, wall in sorted(sent, key=lambda s: s[1]):
            at = wall - offset
            if at > now - self.window(chat_id).span:
                self.window(chat_id).take(at)

    def free_at(
        self, chat_id: int | None, now: float, *, notify: bool = False, keep: int = 0
    ) -> float:
        """When a send to this chat fits: `now`, or a later moment in `clock` time."""
        at = max(now, self._blocked.get(None, now))
        at = max(at, self._overall.free_at(now, self.limits.keep_overall if notify else 0))
        if chat_id is not None:
            at = max(at, self._blocked.get(chat_id, now))
            at = max(at, self.window(chat_id).free_at(now, keep if notify else 0))
        return at

    def _take(self, chat_id: int | None, at: float) -> None:
        self._overall.take(at)
        if chat_id is not None:
            self.window(chat_id).take(at)

    def held(self) -> set[int]:
        """Chats a notification should not be tried in now (no budget, or after a 429)."""
        now = self.clock()
        for table in (self._refused, self._blocked):
            for chat_id in [c for c, until in table.items() if until <= now]:
                del table[chat_id]
        if None in self._blocked:  # Telegram held the whole bot: every chat waits
            return set(self._chats)
        return {c for c in (*self._refused, *self._blocked) if c is not None}

    def _arrived(self, chat_id: int | None, claimed: float) -> None:
        done = self.clock()
        self._overall.moved(claimed, done)
        if chat_id is not None:
            self.window(chat_id).moved(claimed, done)
            # kept for a restart as the window counts it: from the answer, not the claim (a
            # new process counting from the claim would free the slot too early: a 429)
            self.log.append((chat_id, time.time()))

    def used(self, chat_id: int) -> int:
        """Sends and edits in the chat's current window."""
        return self.window(chat_id).used(self.clock())

    def drain_log(self) -> list[tuple[int, float]]:
        """The sends counted since the last call, to be kept across a restart."""
        out, self.log = self.log, []
        return out

    async def process_request(
        self,
        callback: Callable[..., Coroutine[object, object, bool | JSONObject | list[JSONObject]]],
        args: Sequence[object],
        kwargs: Mapping[str, object],
        endpoint: str,
        data: Mapping[str, object],
        rate_limit_args: LimitArgs | None,
    ) -> bool | JSONObject | list[JSONObject]:
        """Wait for (or, for a notification, insist on) a slot, then make the request."""
        if not counted(endpoint):
            return await callback(*args, **kwargs)
        chat_id = _chat_of(data)
        notify = bool(rate_limit_args and rate_limit_args.get("notify"))
        reply = bool(rate_limit_args and rate_limit_args.get("reply"))
        keep = (rate_limit_args or {}).get("keep", 0)
        retries = 0
        while True:
            if notify:
                claimed = self._claim_for_notification(chat_id, keep)
            elif reply:
                claimed = await self._claim_for_reply(chat_id)
            else:
                claimed = await self._claim_for_person(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as err:
                self.too_many += 1
                wait = _seconds(err.retry_after)
                self._blocked[chat_id] = max(self._blocked.get(chat_id, 0.0), self.clock() + wait)
                logger.warning("chat %s: Telegram asks to wait %.0fs", chat_id, wait)
                if notify or reply or retries >= self.limits.max_retries:  # the outbox waits
                    raise
                retries += 1
            except NetworkError as err:
                # a 5xx, or the connection dropped before an answer: a person's reply is tried
                # again (a time-out is not: Telegram may have taken it); the outbox retries its own
                if notify or isinstance(err, TimedOut) or retries >= self.limits.max_retries:
                    raise
                retries += 1
                logger.warning("chat %s: %s; sending again", chat_id, err)
                await asyncio.sleep(RESEND_AFTER)
            finally:
                # Telegram counts a request when it arrives, which under load can be well after
                # the slot was taken: the window counts it from its answer, which is later still
                self._arrived(chat_id, claimed)

    def _claim_for_notification(self, chat_id: int | None, keep: int) -> float:
        now = self.clock()
        at = self.free_at(chat_id, now, notify=True, keep=keep)
        if self._people_waiting:
            at = max(at, now + 0.2)  # people first: a notification steps aside
        if at > now:
            self.refused += 1
            self._refused[chat_id] = at
            raise NoBudget(chat_id, at - now)
        self._take(chat_id, now)
        return now

    async def _claim_for_reply(self, chat_id: int | None) -> float:
        now = self.clock()
        at = self.free_at(chat_id, now)
        if at - now > WAIT_HERE:  # the chat's window is spent: the reply waits in the outbox
            self.delayed += 1
            self._refused[chat_id] = at
            raise NoBudget(chat_id, at - now)
        return await self._claim_for_person(chat_id)

    def wait_for(self, chat_id: int) -> float:
        """Seconds until a message may be tried in the chat (0: now)."""
        now = self.clock()
        until = max(self._refused.get(chat_id, now), self._blocked.get(chat_id, now))
        return max(until, self._blocked.get(None, now)) - now

    async def _claim_for_person(self, chat_id: int | None) -> float:
        waited = False
        while True:
            now = self.clock()
            at = self.free_at(chat_id, now)
            if at <= now:
                self._take(chat_id, now)
                if waited:
                    self.delayed += 1
                return now
            waited = True
            self._people_waiting += 1
            try:
                await asyncio.sleep(at - now)
            finally:
                self._people_waiting -= 1


def _chat_of(data: Mapping[str, object]) -> int | None:
    value = data.get("chat_id")
    try:
        return int(value) if isinstance(value, str | int | float) else None
    except (TypeError, ValueError):  # a channel's @username: counted overall only
        return None


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
