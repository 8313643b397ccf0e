"""Simulated people of the province soak: liaisons, supervisors and an admin at work.

They act through the local Bot API as real people do (a message, a reply to the bot's prompt,
a button pressed, a photo sent) at moments of the campaign's clock, one step at a time: each
waits for the bot's answer to the step before the next, and gives up on the flow if it does
not come in time (the step counted answered late if its answer comes by the end of the run,
else unanswered). What they saw confirmed is written down, to be
checked against the database afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.sandbox.api import LocalBotApi

LATE = "（补发）"  # a reminder caught up after downtime begins so
UNFINISHED = "您有未完成的"  # another flow of this person is open here: finish it or /cancel
STEP_WAIT = 30.0  # real seconds a person waits for the bot's answer (a restart, 503s included)
BURST_WAIT = 100.0  # real seconds for a burst's answers: some wait a minute for the budget
Message = dict[str, Any]
Check = Callable[[Message], bool]


@dataclass
class Seen:
    """What the people did and saw, to count afterwards."""

    steps: int = 0
    unanswered: list[str] = field(default_factory=list)  # a step the bot never answered
    # a step whose answer had not come when the person stopped waiting: (what, whether it came
    # by the end of the run), decided once the run is over (`Desk.settle_waits`)
    gave_up: list[tuple[str, Callable[[], object]]] = field(default_factory=list)
    answered_late: list[str] = field(default_factory=list)  # came after the person gave up
    unexpected: list[str] = field(default_factory=list)  # answered, but not as the flow goes
    presses: list[str] = field(default_factory=list)  # callback query ids
    submitted: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (unit, what)
    weekly_done: dict[str, int] = field(default_factory=dict)  # unit: weeks confirmed
    weekly_abandoned: int = 0
    cases: dict[str, str] = field(default_factory=dict)  # code: unit
    answered_cases: dict[str, datetime] = field(default_factory=dict)  # code: when confirmed
    signed: set[str] = field(default_factory=set)
    extensions: dict[str, datetime] = field(default_factory=dict)  # code: when asked
    closeouts_asked: dict[str, str] = field(default_factory=dict)  # item code: unit
    decisions: list[tuple[str, str]] = field(default_factory=list)  # (kind, what) pressed
    moved: list[tuple[str, datetime]] = field(default_factory=list)  # (deliverable, saved at)
    flows: int = 0


class Desk:
    """The people's side of the local Bot API and the campaign clock they act on."""

    def __init__(self, api: LocalBotApi, clock: Callable[[], datetime], speed: float) -> None:
        self.api, self.clock, self.speed = api, clock, speed
        self.seen = Seen()

    async def until(self, moment: datetime) -> None:
        """Wait until the campaign's clock shows `moment`."""
        ahead = (moment - self.clock()).total_seconds()
        if ahead > 0:
            await asyncio.sleep(ahead / self.speed)

    def mark(self) -> int:
        """Where the bot's messages stand now: an answer comes after this."""
        return len(self.api.sent)

    async def expect(self, chat: Message, since: int, check: Check, what: str) -> Message | None:
        """The first bot message in `chat` after `since` that passes `check`; None (counted
        unanswered) when none comes in time."""
        sent, cid = self.api.sent, chat["id"]

        def found() -> Message | None:  # a reminder arriving meanwhile answers nothing
            return next(
                (m for m in sent[since:] if m["chat"]["id"] == cid and not notice(m) and check(m)),
                None,
            )

        try:
            await self.api.until(lambda: found() is not None, timeout=STEP_WAIT)
        except TimeoutError:  # the person gives up the flow; did the answer come at all?
            self.seen.gave_up.append((f"{chat.get('title') or chat['id']}: {what}", found))
            return None
        self.seen.steps += 1
        return found()

    def settle_waits(self) -> None:
        """Once the run is over: each step given up on was answered late, or never."""
        for what, found in self.seen.gave_up:
            (self.seen.answered_late if found() else self.seen.unanswered).append(what)
        self.seen.gave_up.clear()

    async def answered(self, qid: str) -> None:
        """Wait until a press is answered (or refused as too late)."""

        def done() -> bool:
            return any(a["callback_query_id"] == qid for a in self.api.callback_answers)

        deadline = time.monotonic() + self.api.answer_within + 1
        while not done() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)


def buttons(message: Message) -> list[str]:
    """The labels of a message's inline buttons (as it stands now)."""
    current = message
    rows = (current.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


def label_with(message: Message, part: str) -> str | None:
    """The first button whose label contains `part`."""
    return next((b for b in buttons(message) if part in b), None)


class Person:
    """Someone on Telegram who does things at moments of the campaign, one at a time."""

    def __init__(self, desk: Desk, user: Message, rng: random.Random) -> None:
        self.desk, self.user, self.rng = desk, user, rng
        self._agenda: list[tuple[datetime, int, Callable[[], Awaitable[None]]]] = []
        self._order = itertools.count()

    @property
    def api(self) -> LocalBotApi:
        return self.desk.api

    def plan(self, at: datetime, action: Callable[[], Awaitable[None]]) -> None:
        """Do `action` at (or, when busy, after) the campaign moment `at`."""
        heapq.heappush(self._agenda, (at, next(self._order), action))

    async def live(self, end: datetime) -> None:
        """Do what is planned, in time order, until the end of the run."""
        while True:
            while not self._agenda:
                if self.desk.clock() >= end:
                    return
                await asyncio.sleep(0.2)
            at, _, action = self._agenda[0]
            if at >= end:
                if self.desk.clock() >= end:
                    return
                await asyncio.sleep(0.2)
                continue
            if at > self.desk.clock():
                await asyncio.sleep(
                    min(0.2, (at - self.desk.clock()).total_seconds() / self.desk.speed)
                )
                continue
            heapq.heappop(self._agenda)
            self.desk.seen.flows += 1
            await action()

    def addressed(self, m: Message) -> bool:
        """A bot message that answers this person: a reply to them, or naming them."""
        if notice(m):
            return False
        replied = (m.get("reply_to_message") or {}).get("from", {}).get("id")
        return replied == self.user["id"] or f"tg://user?id={self.user['id']}" in m.get("html", "")

    async def say(self, chat: Message, text: str, reply_to: Message | None = None) -> int:
        """Send a message; where the bot's messages stood before it."""
        since = self.desk.mark()
        await self.api.send(chat, self.user, text, reply_to=reply_to)
        return since

    async def press(self, message: Message, part: str) -> tuple[int, str] | None:
        """Press the button whose label contains `part`; (mark, query id), or None (counted
        unexpected) when the message has no such button."""
        current = self.api.messages[message["chat"]["id"]].get(message["message_id"], message)
        label = label_with(current, part)
        if label is None:
            self.desk.seen.unexpected.append(f"no button {part!r} in {buttons(current)}")
            return None
        since = self.desk.mark()
        qid = await self.api.press(current, self.user, label)
        self.desk.seen.presses.append(qid)
        return since, qid

    def unexpected(self, what: str, m: Message) -> None:
        self.desk.seen.unexpected.append(f"{what}: {m.get('text', '')[:80]!r}")


def has(*parts: str) -> Check:
    """A message whose text contains every part."""
    return lambda m: not notice(m) and all(p in m.get("text", "") for p in parts)


def busy(m: Message | None) -> bool:
    """The bot's answer: another flow of this person's is open here."""
    return m is not None and UNFINISHED in m.get("text", "")


def notice(m: Message) -> bool:
    """A reminder the planner sent (or sent late, 补发), not an answer to anybody."""
    return m.get("text", "").removeprefix(LATE).startswith("⏰")


class Liaison(Person):
    """A unit's liaison in the unit's group: submissions, weekly updates, forwarded cases."""

    def __init__(
        self, desk: Desk, user: Message, rng: random.Random, unit: str, group: Message
    ) -> None:
        super().__init__(desk, user, rng)
        self.unit, self.group = unit, group
        self.handled: set[int] = set()  # case cards seen

    async def ask(self, check: Check, since: int, what: str) -> Message | None:
        """The bot's answer to this person's step in the group (or: another flow is open)."""
        return await self.desk.expect(
            self.group, since, lambda m: self.addressed(m) and (check(m) or busy(m)), what
        )

    async def cancel(self) -> bool:
        """/cancel the flow left open (a weekly update abandoned half-way)."""
        since = await self.say(self.group, "/cancel")
        return await self.ask(has("已取消"), since, "/cancel") is not None

    async def step(self, prompt: Message, text: str, check: Check, what: str) -> Message | None:
        """Reply to a prompt; the bot's next prompt."""
        since = await self.say(self.group, text, reply_to=prompt)
        return await self.ask(check, since, what)

    async def tap(self, message: Message, part: str, check: Check, what: str) -> Message | None:
        """Press a button; the bot's answer in the group (addressed or passing `check`)."""
        pressed = await self.press(message, part)
        if pressed is None:
            return None
        # a prompt names the person; a confirmation after a press does not, but says what
        return await self.desk.expect(
            self.group, pressed[0], lambda m: check(m) or (self.addressed(m) and busy(m)), what
        )

    async def submit(self, deliverable: str, again: bool = True) -> None:
        """/submit the deliverable with a note."""
        since = await self.say(self.group, "/submit")
        pick = await self.ask(
            lambda m: (
                bool(label_with(m, deliverable)) or "无需" in m["text"] or "没有" in m["text"]
            ),
            since,
            f"/submit {deliverable}",
        )
        if busy(pick) and again and await self.cancel():
            return await self.submit(deliverable, again=False)
        if pick is None or not label_with(pick, deliverable):
            return
        material = await self.tap(pick, deliverable, has("请回复本消息发送文件"), "submit: pick")
        if material is None:
            return
        got = await self.step(
            material,
            f"{self.unit}{deliverable}已报送纸质件",
            lambda m: bool(label_with(m, "完成")),
            "submit: material",
        )
        if got is None:
            return
        summary = await self.tap(
            got, "完成", lambda m: bool(label_with(m, "确认提交")), "submit: done"
        )
        if summary is None:
            return
        done = await self.tap(summary, "确认提交", has(f"“{deliverable}”"), "submit: confirm")
        if done is None:
            return
        if f"{self.unit}已报送“{deliverable}”" in done["text"]:
            self.desk.seen.submitted[(self.unit, deliverable)] = datetime.fromtimestamp(
                done["date"], tz=self.desk.clock().tzinfo
            )
        elif "无需重复报送" not in done["text"]:
            self.unexpected("submit", done)

    async def weekly(self, *, close_out: bool, abandon_at: int | None, again: bool = True) -> None:
        """/weekly: walk the items (one closed out with a photo, maybe), confirm — or stop
        answering at item `abandon_at`."""
        since = await self.say(self.group, "/weekly")
        card = await self.ask(
            lambda m: "（1/" in m["text"] or "无需重复" in m["text"] or "正在更新" in m["text"],
            since,
            "/weekly",
        )
        if busy(card) and again and await self.cancel():
            return await self.weekly(close_out=close_out, abandon_at=abandon_at, again=False)
        if card is None or "（1/" not in card["text"]:
            return
        n = 1
        total = int(re.search(r"（1/(\d+)）", card["text"]).group(1))  # type: ignore[union-attr]
        while True:
            if abandon_at is not None and n == abandon_at:
                self.desk.seen.weekly_abandoned += 1
                return
            following: Check = has(f"（{n + 1}/{total}）") if n < total else has("有新发现的问题吗")
            if close_out and n == 1:
                card = await self._close_out(card, following)
            elif self.rng.random() < 0.5:
                card = await self.tap(card, "本周无变化", following, "weekly: same")
            else:
                pressed = await self.press(card, "按计划推进")
                if pressed is None:
                    return
                await self.desk.answered(pressed[1])
                card = await self.step(
                    card, "本周按计划推进，已完成阶段目标", following, "weekly: progress"
                )
            if card is None:
                return
            if n == total:
                break
            n += 1
        summary = await self.tap(
            card, "没有", lambda m: bool(label_with(m, "确认提交")), "weekly: none new"
        )
        if summary is None:
            return
        done = await self.tap(summary, "确认提交", has("已报送本周"), "weekly: confirm")
        if done is not None:
            self.desk.seen.weekly_done[self.unit] = self.desk.seen.weekly_done.get(self.unit, 0) + 1

    async def _close_out(self, card: Message, following: Check) -> Message | None:
        code = re.search(r"（1/\d+）(\S+)", card["text"])
        result = await self.tap(card, "已完成", has("请回复整改结果"), "weekly: done")
        if result is None:
            return None
        evidence = await self.step(result, "已全部整改到位", has("印证材料"), "weekly: result")
        if evidence is None:
            return None
        since = self.desk.mark()
        await self.api.send_file(
            self.group, self.user, name="整改照片.jpg", size=300_000, photo=True, reply_to=evidence
        )
        got = await self.ask(lambda m: bool(label_with(m, "完成")), since, "weekly: evidence")
        if got is None:
            return None
        nxt = await self.tap(got, "完成", following, "weekly: evidence done")
        if nxt is not None and code:
            self.desk.seen.closeouts_asked[code.group(1)] = self.unit
        return nxt

    def watch_cases(self, end: datetime) -> None:
        """Plan what to do about each case card that reached the group since last looked."""
        for m in self.api.bot_messages(self.group):
            if m["message_id"] in self.handled or not m["text"].startswith("📨"):
                continue
            self.handled.add(m["message_id"])
            code = re.search(r"转办件 (ZB-\d+)", m["text"])
            if not code:
                continue
            now = self.desk.clock()
            sign_at = now + timedelta(minutes=self.rng.uniform(20, 180))
            self.plan(sign_at, lambda m=m: self.sign(m))
            choice = self.rng.random()
            if choice < 0.2:  # asks for more time, answers after the approval
                self.plan(sign_at + timedelta(hours=1), lambda m=m: self.extend(m))
                self.plan(sign_at + timedelta(hours=30), lambda m=m: self.feedback(m))
            elif choice < 0.35:  # answers late: the supervisors hear of it first
                self.plan(now + timedelta(days=3, hours=2), lambda m=m: self.feedback(m))
            else:
                self.plan(
                    sign_at + timedelta(hours=self.rng.uniform(1, 20)), lambda m=m: self.feedback(m)
                )

    async def sign(self, card: Message) -> None:
        """签收: the card itself says who signed."""
        pressed = await self.press(card, "签收")
        if pressed is None:
            return
        await self.desk.answered(pressed[1])
        code = re.search(r"转办件 (ZB-\d+)", card["text"])
        if code:
            self.desk.seen.signed.add(code.group(1))

    async def feedback(self, card: Message, again: bool = True) -> None:
        """反馈: what was done, 已办结, no material, confirm."""
        code = re.search(r"转办件 (ZB-\d+)", card["text"])
        ask = await self.tap(card, "反馈", has("请回复办理情况"), "feedback: start")
        if busy(ask) and again and await self.cancel():
            return await self.feedback(card, again=False)
        if ask is None or busy(ask):
            return
        status = await self.step(
            ask, "已督促项目单位整改完毕", lambda m: bool(label_with(m, "已办结")), "feedback: text"
        )
        if status is None:
            return
        material = await self.tap(status, "已办结", has("印证材料"), "feedback: status")
        if material is None:
            return
        since = await self.say(self.group, "/skip")
        summary = await self.ask(lambda m: bool(label_with(m, "确认提交")), since, "feedback: skip")
        if summary is None:
            return
        done = await self.tap(summary, "确认提交", has("已反馈"), "feedback: confirm")
        if done is not None and code:
            when = datetime.fromtimestamp(done["date"], tz=self.desk.clock().tzinfo)
            self.desk.seen.answered_cases[code.group(1)] = when

    async def extend(self, card: Message, again: bool = True) -> None:
        """申请延期 by two days."""
        code = re.search(r"转办件 (ZB-\d+)", card["text"])
        due = re.search(r"(\d+)月(\d+)日（[^）]+）(\d+:\d+)前", card["text"])
        reason = await self.tap(card, "申请延期", has("延期理由"), "extension: start")
        if busy(reason) and again and await self.cancel():
            return await self.extend(card, again=False)
        if reason is None or busy(reason) or due is None:
            return
        until = await self.step(
            reason, "需不动产登记中心配合", has("申请延期至"), "extension: reason"
        )
        if until is None:
            return
        later = date(self.desk.clock().year, int(due.group(1)), int(due.group(2))) + timedelta(2)
        check = await self.step(
            until,
            f"{later.month}月{later.day}日18:00",
            lambda m: bool(label_with(m, "正确")) or "请输入更晚" in m["text"],
            "extension: until",
        )
        if check is None or not label_with(check, "正确"):
            return
        summary = await self.tap(
            check, "正确", lambda m: bool(label_with(m, "确认提交")), "extension: date"
        )
        if summary is None:
            return
        sent = await self.tap(summary, "确认提交", has("延期申请已提交"), "extension: confirm")
        if sent is not None and code:
            self.desk.seen.extensions[code.group(1)] = self.desk.clock()


class Supervisor(Person):
    """A supervisor in a private chat: forwards cases, approves close-outs and extensions."""

    def __init__(self, desk: Desk, user: Message, rng: random.Random) -> None:
        super().__init__(desk, user, rng)
        self.chat = self.api.private(user)
        self.decided: set[int] = set()

    async def forward(self, unit: str, text: str) -> None:
        """/forward a case to a unit."""
        since = await self.say(self.chat, f"/forward {unit} {text}")
        done = await self.desk.expect(self.chat, since, has("已转办"), f"/forward {unit}")
        if done is not None:
            code = re.search(r"已转办 (ZB-\d+)", done["text"])
            if code:
                self.desk.seen.cases[code.group(1)] = unit

    def watch_requests(self) -> None:
        """Plan a decision on each request that reached this chat since last looked."""
        for m in self.api.bot_messages(self.chat):
            if m["message_id"] in self.decided:
                continue
            if label_with(m, "同意销号") or ("申请转办件" in m["text"] and label_with(m, "同意")):
                self.decided.add(m["message_id"])
                at = self.desk.clock() + timedelta(minutes=self.rng.uniform(10, 120))
                self.plan(at, lambda m=m: self.approve(m))

    async def approve(self, request: Message) -> None:
        """同意: a close-out or an extension (the other supervisor may have decided it)."""
        part = "同意销号" if label_with(request, "同意销号") else "同意"
        pressed = await self.press(request, part)
        if pressed is None:
            return
        await self.desk.answered(pressed[1])
        self.desk.seen.decisions.append((part, request["text"][:40]))


class Admin(Person):
    """The admin, in a private chat: moves a deadline."""

    def __init__(self, desk: Desk, user: Message, rng: random.Random) -> None:
        super().__init__(desk, user, rng)
        self.chat = self.api.private(user)

    async def move(self, deliverable: str, when: str) -> None:
        """/deadline → 修改N → the new time → confirm."""
        since = await self.say(self.chat, "/deadline")
        listing = await self.desk.expect(self.chat, since, has("报送节点"), "/deadline")
        if listing is None:
            return
        n = next(
            (
                line.split(".")[0]
                for line in listing["text"].splitlines()
                if deliverable in line and "." in line
            ),
            None,
        )
        if n is None:
            self.unexpected("/deadline", listing)
            return
        pressed = await self.press(listing, f"修改{n}")
        if pressed is None:
            return
        prompt = await self.desk.expect(self.chat, pressed[0], has("截止时间"), "deadline: edit")
        if prompt is None:
            return
        since = await self.say(self.chat, when, reply_to=prompt)
        for _ in range(5):
            prompt = await self.desk.expect(
                self.chat,
                since,
                lambda m: "已保存" in m["text"] or bool(buttons(m)),
                "deadline: step",
            )
            if prompt is None:
                return
            if "已保存" in prompt["text"]:
                self.desk.seen.moved.append((deliverable, self.desk.clock()))
                return
            label = next(
                (b for b in buttons(prompt) if b in ("正确", "全部单位", "确认提交")), None
            )
            if label is None:
                self.unexpected("deadline", prompt)
                return
            pressed = await self.press(prompt, label)
            if pressed is None:
                return
            since = pressed[0]
        self.unexpected("deadline: too many steps", prompt)


class Chatter(Person):
    """Someone who asks the bot many things at once in a group of their own (`/help`, as fast
    as they can send it): the group's budget is spent, and the last answers wait for it, in
    the database (a process killed meanwhile is the point). Each answer must come, once."""

    def __init__(self, desk: Desk, user: Message, rng: random.Random, group: Message) -> None:
        super().__init__(desk, user, rng)
        self.group = group
        self.asked: list[Message] = []

    async def burst(self, count: int) -> None:
        """Send `count` commands at once; then wait for each answer (a minute for the budget)."""
        self.desk.seen.flows += 1
        for _ in range(count):
            self.asked.append(await self.api.send(self.group, self.user, "/help"))
        cid = self.group["id"]

        def answers(asked: Message) -> list[Message]:
            return [
                m
                for m in self.api.sent
                if m["chat"]["id"] == cid
                and (m.get("reply_to_message") or {}).get("message_id") == asked["message_id"]
            ]

        with contextlib.suppress(TimeoutError):
            await self.api.until(lambda: all(answers(a) for a in self.asked), timeout=BURST_WAIT)
        for n, asked in enumerate(self.asked, 1):
            if answers(asked):
                self.desk.seen.steps += 1
            else:
                self.desk.seen.unanswered.append(f"{self.group['title']}: /help {n} of {count}")
