"""A local Telegram Bot API on 127.0.0.1 that behaves like Telegram, for tests and the demo.

It keeps privacy mode in groups (the bot sees commands, replies to its own messages and
service messages, not ordinary chatter), checks HTML entities and the 4096-character limit
as Telegram does, validates button data and reply targets, and can answer 429 with
`retry_after`, 5xx, or 403 for a group the bot was removed from.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.entities import (
    API_TEXT_LIMIT,
    CALLBACK_DATA_LIMIT,
    ApiError,
    plain_text,
    utf16_len,
)
from bot.sandbox.hook import WebhookPusher, WebhookRefused

_RAW_KEYS = {"text", "caption", "parse_mode", "callback_query_id", "url", "secret_token"}
_STARTUP = {"getme", "deletewebhook", "setwebhook", "setmycommands", "setchatmenubutton", "close"}
SERVICE = ("new_chat_members", "left_chat_member", "migrate_to_chat_id")  # always seen by bots


@dataclass
class Failure:
    """An error to answer instead of the next `count` calls of `method`."""

    method: str
    code: int
    description: str
    retry_after: int | None
    count: int


class LocalBotApi:
    """The server, its chats and users, and what the bot has sent."""

    def __init__(
        self, *, token: str = "123456:LOCAL-TEST-TOKEN", bot_username: str = "taizhang_bot"
    ) -> None:
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "台账",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.sent: list[dict[str, Any]] = []
        # the same messages by chat: a chat's are read on every change (next_message), and
        # scanning all that were sent grew with the run (a bench's baseline slowed by it)
        self._sent_in: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.callback_answers: list[dict[str, Any]] = []
        # Telegram refuses an answer to a press that comes too late (its clients stop waiting)
        self.answer_within = 10.0
        self.answer_delays: list[float] = []  # seconds from each press to its answer
        self.late_answers = 0  # answers refused: too late, twice, or for an unknown press
        self._pressed_at: dict[str, float] = {}
        self.callback_data: list[str] = []  # every button's data the bot sent or edited in
        self.files: dict[str, bytes] = {}  # what users uploaded, by file id, for getFile
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int, dict[str, Any]] = {}  # by private chat; 0: the default
        self.requests: Counter[str] = Counter()
        self.bodies: Counter[tuple[str, str]] = Counter()  # (method, content type)
        self.kicked: set[int] = set()
        self.failures: deque[Failure] = deque()
        self.failure_rate = 0.0  # a share of calls (not start-up ones) fails: 429, 500 or a drop
        self.random_failures: Counter[str] = Counter()
        self.group_limit: tuple[int, float] | None = None  # (messages, seconds) per group
        self.global_limit: tuple[int, float] | None = None  # (messages, seconds) in all
        self.too_many: int = 0  # 429s answered because a limit was exceeded
        self.edits: int = 0  # editMessage* calls (they count against a group's budget)
        self.group_log: dict[int, list[float]] = defaultdict(list)  # sends and edits per group
        self._group_sends: dict[int, deque[float]] = defaultdict(deque)
        self._all_sends: deque[float] = deque()
        self._updates: list[dict[str, Any]] = []
        self.pushed: list[dict[str, Any]] = []  # every update, in the order they came
        # update ids go on rising across instances, as Telegram's do for one bot: a test that
        # starts a second local Bot API on the same database meets none it saw before
        self._update_ids = itertools.count(time.time_ns() // 1000)
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._callback_ids = itertools.count(1)
        self._group_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._seen: dict[int, int] = defaultdict(int)  # per chat: bot messages already read
        self.now: Callable[[], float] = time.time  # the demo gives its simulated clock
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []  # ("message", m) …
        self._order = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.hook = WebhookPusher(self._take_updates, self._accepted)  # after setWebhook
        self._closing = False

    # ----- server life -----

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen; returns the base URL to give python-telegram-bot (`…/bot`)."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/documents/{file_id}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        # port 0 lets the OS choose; aiohttp exposes the bound port only on the server's sockets
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # _server is set once started
        return f"http://{host}:{self.port}/bot"

    async def stop(self) -> None:
        """Stop listening (and posting to a webhook); long polls are answered at once."""
        await self.hook.stop()
        self._closing = True
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # ----- the people's side -----

    def user(self, user_id: int, first_name: str, username: str | None = None) -> dict[str, Any]:
        """A Telegram user (a person, not a bot)."""
        u = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "zh-hans"}
        if username:
            u["username"] = username
        self.users[user_id] = u
        return u

    def group(self, title: str, *, chat_id: int | None = None) -> dict[str, Any]:
        """A supergroup the bot is a member of."""
        cid = chat_id or -1001000000000 - next(self._group_ids)
        chat = {"id": cid, "type": "supergroup", "title": title}
        self.chats[cid] = chat
        return chat

    def private(self, user: dict[str, Any]) -> dict[str, Any]:
        """The private chat between a user and the bot."""
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        self.chats[user["id"]] = chat
        return chat

    def _store(self, chat: dict[str, Any], sender: dict[str, Any], **fields: Any) -> dict[str, Any]:
        mid = next(self._message_ids[chat["id"]])
        message = {
            "message_id": mid,
            "date": int(self.now()),
            "chat": chat,
            "from": sender,
            **fields,
        }
        self.messages[chat["id"]][mid] = message
        self._tell("message", message)
        return message

    def in_app(self, chat: dict[str, Any], user: dict[str, Any], text: str) -> None:
        """Someone acts in the Mini App (web calls, not the Bot API): listeners see it."""
        self._tell("app", {"chat": chat, "from": user, "date": int(self.now()), "text": text})

    def _tell(self, kind: str, event: dict[str, Any]) -> None:
        """Let listeners (the demo's transcript) see a message or a button press."""
        event["order"] = next(self._order)
        for listener in self.listeners:
            listener(kind, event)

    def _visible_to_bot(self, chat: dict[str, Any], message: dict[str, Any]) -> bool:
        """Privacy mode: in groups only commands, replies to the bot and service messages."""
        if chat["type"] == "private":
            return True
        if any(k in message for k in SERVICE):
            return True
        replied = message.get("reply_to_message")
        if replied and replied["from"]["id"] == self.bot_user["id"]:
            return True
        text = message.get("text") or message.get("caption", "")
        if text.startswith("/"):
            word = text.split()[0]
            _, _, addressee = word.partition("@")
            return not addressee or addressee.lower() == self.bot_user["username"].lower()
        return False

    async def _deliver(self, chat: dict[str, Any], message: dict[str, Any]) -> bool:
        if not self._visible_to_bot(chat, message):
            return False
        await self._push({"message": message})
        return True

    async def _push(self, payload: dict[str, Any]) -> None:
        async with self._changed:
            update = {"update_id": next(self._update_ids), **payload}
            self._updates.append(update)
            self.pushed.append(update)
            self._changed.notify_all()

    async def post_again(self, update: dict[str, Any]) -> None:
        """Telegram posts an update again: the process it went to died before confirming it
        (call it while no bot fetches, as a restarted one fetches from the start)."""
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    async def send(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str,
        *,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user writes in a chat; returns the message (delivered only if privacy allows)."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}
            ]
        if reply_to is not None:
            fields["reply_to_message"] = _public(reply_to, nested=True)
        message = self._store(chat, user, **fields)
        message["delivered"] = await self._deliver(
            chat, {k: v for k, v in message.items() if k != "delivered"}
        )
        return message

    async def reply(
        self, prompt: dict[str, Any], user: dict[str, Any], text: str
    ) -> dict[str, Any]:
        """A user answers a bot prompt the way Telegram's apps let them: by replying to it.

        A selective ForceReply in a group is shown only to the person it mentions or replies
        to, so a reply from anybody else is refused here, as the app would not offer it.
        """
        chat = prompt["chat"]
        markup = prompt.get("force_reply") or {}
        if chat["type"] != "private" and markup.get("selective"):
            target = prompt.get("reply_to_message", {}).get("from", {}).get("id")
            mentioned = f"tg://user?id={user['id']}" in prompt.get("html", "")
            if target != user["id"] and not mentioned:
                raise AssertionError("the prompt is not addressed to this user")
        return await self.send(chat, user, text, reply_to=prompt)

    async def edit(self, message: dict[str, Any], text: str) -> bool:
        """The user edits a message they sent; the bot sees the edit if it saw the message."""
        chat = message["chat"]
        message["text"] = text
        message["edit_date"] = int(self.now())
        edited = {k: v for k, v in _public(message).items() if k != "delivered"}
        if not self._visible_to_bot(chat, edited):
            return False
        await self._push({"edited_message": edited})
        return True

    async def send_file(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        *,
        name: str,
        size: int,
        mime: str = "application/pdf",
        photo: bool = False,
        reply_to: dict[str, Any] | None = None,
        content: bytes | None = None,
        caption: str | None = None,
        unique_id: str | None = None,
    ) -> dict[str, Any]:
        """A user sends a document or a photo (its `content` downloadable, as a bot would);
        `unique_id` the same file sent again (Telegram's file_unique_id stays)."""
        uid = f"F{next(self._callback_ids)}"
        same = unique_id or uid
        fields: dict[str, Any] = {}
        if content is not None:
            self.files[uid] = content
        if caption:
            fields["caption"] = caption
            if caption.startswith("/"):
                length = utf16_len(caption.split()[0])
                fields["caption_entities"] = [
                    {"type": "bot_command", "offset": 0, "length": length}
                ]
        if photo:
            fields["photo"] = [
                {
                    "file_id": f"{uid}s",
                    "file_unique_id": f"{uid}s",
                    "width": 90,
                    "height": 90,
                    "file_size": max(size // 20, 1),
                },
                {
                    "file_id": uid,
                    "file_unique_id": same,
                    "width": 1280,
                    "height": 960,
                    "file_size": size,
                },
            ]
        else:
            fields["document"] = {
                "file_id": uid,
                "file_unique_id": same,
                "file_name": name,
                "mime_type": mime,
                "file_size": size,
            }
        if reply_to is not None:
            fields["reply_to_message"] = _public(reply_to, nested=True)
        message = self._store(chat, user, **fields)
        await self._deliver(chat, _public(message))
        return message

    async def press(
        self,
        message: dict[str, Any],
        user: dict[str, Any],
        label: str | None = None,
        *,
        data: str | None = None,
    ) -> str:
        """A user presses a button of a bot message, by its label (or forged `data`)."""
        if data is None:
            buttons = [
                b
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                for b in row
            ]
            matches = [b for b in buttons if b["text"] == label and "callback_data" in b]
            if not matches:
                raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons]}")
            data = matches[0]["callback_data"]
        qid = str(next(self._callback_ids))
        self._pressed_at[qid] = time.monotonic()
        current = self.messages[message["chat"]["id"]].get(message["message_id"], message)
        labels = {
            b["callback_data"]: b["text"]
            for row in (current.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
            if "callback_data" in b  # a link opens a page; it sends the bot nothing
        }
        self._tell(
            "press",
            {
                "chat": message["chat"],
                "from": user,
                "date": int(self.now()),
                "label": labels.get(data, data),
            },
        )
        await self._push(
            {
                "callback_query": {
                    "id": qid,
                    "from": user,
                    "message": _public(current),
                    "chat_instance": "local",
                    "data": data,
                }
            }
        )
        return qid

    async def add_bot_to(self, chat: dict[str, Any], by: dict[str, Any]) -> None:
        """Someone adds the bot to a group (a service message the bot always sees)."""
        await self._deliver(chat, self._store(chat, by, new_chat_members=[self.bot_user]))

    async def add_member(
        self, chat: dict[str, Any], by: dict[str, Any], user: dict[str, Any]
    ) -> None:
        """Someone adds a person to a group (a service message the bot always sees)."""
        await self._deliver(chat, self._store(chat, by, new_chat_members=[user]))

    async def remove_member(
        self, chat: dict[str, Any], by: dict[str, Any], user: dict[str, Any]
    ) -> None:
        """A person leaves a group (`by` themselves) or is removed (a service message)."""
        await self._deliver(chat, self._store(chat, by, left_chat_member=user))

    # ----- what the bot did -----

    def bot_messages(self, chat: dict[str, Any]) -> list[dict[str, Any]]:
        """Every message the bot sent in a chat, oldest first."""
        return list(self._sent_in[chat["id"]])

    async def next_message(self, chat: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        """The next bot message in this chat not yet read by the test."""

        def ready() -> bool:
            return len(self._sent_in[chat["id"]]) > self._seen[chat["id"]]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(ready), timeout)
        message = self._sent_in[chat["id"]][self._seen[chat["id"]]]
        self._seen[chat["id"]] += 1
        return message

    async def until(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Wait until something the bot does makes `predicate` true."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    def mark_read(self, chat: dict[str, Any]) -> None:
        """Treat every bot message in the chat so far as read."""
        self._seen[chat["id"]] = len(self._sent_in[chat["id"]])

    def unread(self, chat: dict[str, Any]) -> list[dict[str, Any]]:
        """Bot messages in the chat the test has not read yet (without marking them read)."""
        return self.bot_messages(chat)[self._seen[chat["id"]] :]

    def fail_next(
        self,
        method: str,
        code: int = 429,
        *,
        retry_after: int | None = 1,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next `count` calls of `method` with this error."""
        text = description or {
            429: f"Too Many Requests: retry after {retry_after}",
            500: "Internal Server Error",
            502: "Bad Gateway",
            403: "Forbidden: bot was kicked from the group chat",
        }.get(code, "Error")
        self.failures.append(
            Failure(method, code, text, retry_after if code == 429 else None, count)
        )

    # ----- the Bot API -----

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await _params(request)
        self.requests[method] += 1
        self.bodies[method, request.content_type] += 1
        kind = self._random_failure(method)
        if kind == "drop" and request.transport is not None:
            request.transport.close()  # before anything is done: the client sees a dropped line
            return web.Response(status=500)
        try:
            if kind == "429":
                raise ApiError(429, "Too Many Requests: retry after 1", 1)
            if kind == "500":
                raise ApiError(500, "Internal Server Error")
            self._injected(method)
            handler = getattr(self, "api_" + method.lower(), None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as err:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": err.code,
                "description": err.description,
            }
            if err.retry_after is not None:
                body["parameters"] = {"retry_after": err.retry_after}
            return web.json_response(body, status=err.code)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    def _random_failure(self, method: str) -> str | None:
        """With `failure_rate`, the failure this call gets ("429", "500", "drop"), or None."""
        if method.lower() in _STARTUP or random.random() >= self.failure_rate:
            return None
        kind = random.choice(("429", "500", "drop"))
        self.random_failures[kind] += 1
        return kind

    def _injected(self, method: str) -> None:
        for failure in list(self.failures):
            if failure.method.lower() == method.lower():
                failure.count -= 1
                if failure.count <= 0:
                    self.failures.remove(failure)
                raise ApiError(failure.code, failure.description, failure.retry_after)

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        chat = self.chats.get(int(chat_id))
        if chat is None and int(chat_id) in self.users:  # never started the bot
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat["id"] in self.kicked:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        return chat

    def _rate(self, chat: dict[str, Any]) -> None:
        """Telegram's flood limits, when switched on: per group, and for the bot overall."""
        now = time.monotonic()
        checks = []
        if self.global_limit is not None:
            checks.append((self._all_sends, *self.global_limit))
        if self.group_limit is not None and chat["type"] != "private":
            checks.append((self._group_sends[chat["id"]], *self.group_limit))
        for sends, limit, window in checks:
            while sends and now - sends[0] > window:
                sends.popleft()
            if len(sends) >= limit:
                self.too_many += 1
                wait = int(window - (now - sends[0])) + 1
                raise ApiError(429, f"Too Many Requests: retry after {wait}", wait)
        for sends, _, _ in checks:
            sends.append(now)
        if chat["type"] != "private":
            self.group_log[chat["id"]].append(now)

    async def api_getme(self, p: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def api_deletewebhook(self, p: dict[str, Any]) -> bool:
        self.hook.webhook = None
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def api_setwebhook(self, p: dict[str, Any]) -> bool:
        try:
            self.hook.register(p)
        except WebhookRefused as err:
            raise ApiError(400, str(err)) from None
        return True

    async def api_getwebhookinfo(self, p: dict[str, Any]) -> dict[str, Any]:
        return self.hook.info(len(self._updates))

    @property
    def unfetched(self) -> int:
        """Updates the bot has not fetched and acknowledged yet."""
        return len(self._updates)

    async def _take_updates(self, count: int) -> list[dict[str, Any]]:
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._updates))
        return self._updates[:count]

    def _accepted(self, update: dict[str, Any]) -> None:
        if update in self._updates:
            self._updates.remove(update)

    async def api_setmycommands(self, p: dict[str, Any]) -> bool:
        self.commands[p.get("language_code") or ""] = p["commands"]
        return True

    async def api_getupdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.hook.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(p.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        if not self._updates and timeout > 0:
            async with self._changed:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates) or self._closing),
                        timeout,
                    )
                except TimeoutError:
                    return []
        return self._updates[:limit]

    def _reply_target(self, chat: dict[str, Any], p: dict[str, Any]) -> dict[str, Any] | None:
        rp = p.get("reply_parameters") or {}
        mid = rp.get("message_id") or p.get("reply_to_message_id")
        if not mid:
            return None
        target = self.messages[chat["id"]].get(int(mid))
        if target is None and not (
            rp.get("allow_sending_without_reply") or p.get("allow_sending_without_reply")
        ):
            raise ApiError(400, "Bad Request: message to be replied not found")
        return target

    def _markup(
        self, p: dict[str, Any], chat: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        markup = p.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                # as Telegram: a Mini App opens from a group only by a direct link (a url button)
                if "web_app" in button and chat is not None and chat["type"] != "private":
                    raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is not None:
                    self.callback_data.append(data)
        return markup

    async def api_sendmessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p["chat_id"])
        raw = str(p.get("text", ""))
        text = plain_text(raw, p.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > API_TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(p, chat)
        target = self._reply_target(chat, p)
        self._rate(chat)
        fields: dict[str, Any] = {"text": text, "html": raw}
        if markup and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        elif markup:  # Telegram shows ForceReply to the person but never echoes it back
            fields["force_reply"] = markup
        if target is not None:
            fields["reply_to_message"] = _public(target, nested=True)
        message = self._store(chat, self.bot_user, **fields)
        self._keep_sent(message)
        return _public(message)

    def _keep_sent(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        self._sent_in[message["chat"]["id"]].append(message)

    async def _send_media(self, p: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self._chat(p["chat_id"])
        self._rate(chat)
        uid = f"B{next(self._callback_ids)}"
        upload = p.get(kind)
        size = len(getattr(upload, "payload", b"")) or 1
        media = {"file_id": uid, "file_unique_id": uid, "file_size": size}
        fields: dict[str, Any] = {}
        if kind == "photo":
            fields["photo"] = [{**media, "width": 800, "height": 600}]
            fields["payload"] = getattr(upload, "payload", b"")
        else:
            name = getattr(upload, "filename", None) or "file"
            fields["document"] = {**media, "file_name": name}
            fields["payload"] = getattr(upload, "payload", b"")
        if fields["payload"]:  # like Telegram, a file the bot sent can be fetched by getFile
            self.files[uid] = fields["payload"]
        if p.get("caption"):
            fields["caption"] = plain_text(str(p["caption"]), p.get("parse_mode"))
        markup = self._markup(p, chat)
        if markup:
            fields["reply_markup"] = markup
        message = self._store(chat, self.bot_user, **fields)
        self._keep_sent(message)
        return _public(message)

    async def api_senddocument(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(p, "document")

    async def api_sendphoto(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(p, "photo")

    def _bot_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p["chat_id"])
        message = self.messages[chat["id"]].get(int(p["message_id"]))
        if message is None or message["from"]["id"] != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def api_editmessagetext(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(p)
        self.edits += 1
        raw = str(p.get("text", ""))
        text = plain_text(raw, p.get("parse_mode"))
        if utf16_len(text) > API_TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(p)
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        self._rate(self._chat(p["chat_id"]))  # edits count against the same budget as sends
        message.update(text=text, html=raw)
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return _public(message)

    async def api_editmessagereplymarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(p)
        self.edits += 1
        markup = self._markup(p)
        if markup == message.get("reply_markup") or (not markup and "reply_markup" not in message):
            raise ApiError(400, "Bad Request: message is not modified")
        self._rate(self._chat(p["chat_id"]))
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return _public(message)

    async def api_answercallbackquery(self, p: dict[str, Any]) -> bool:
        pressed = self._pressed_at.pop(str(p.get("callback_query_id")), None)
        delay = time.monotonic() - pressed if pressed is not None else None
        if delay is None or delay > self.answer_within:
            self.late_answers += 1
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.answer_delays.append(delay)
        self.callback_answers.append(p)
        return True

    async def api_getfile(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "file_id": p["file_id"],
            "file_unique_id": p["file_id"],
            "file_size": len(self.files.get(p["file_id"], b"")) or 1,
            "file_path": f"documents/{p['file_id']}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        """A file a user uploaded, downloaded by the bot as from Telegram's file server."""
        content = self.files.get(request.match_info["file_id"])
        if request.match_info["token"] != self.token or content is None:
            # Telegram's file server answers in JSON like the Bot API (an empty body would
            # have the client log a parse error for every miss)
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=content)

    async def api_setchatmenubutton(self, p: dict[str, Any]) -> bool:
        button = p.get("menu_button") or {"type": "default"}
        if isinstance(button, str):
            button = json.loads(button)
        if button.get("type") not in ("commands", "web_app", "default"):
            raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
        url = str(button.get("web_app", {}).get("url", ""))
        if button["type"] == "web_app" and not url.startswith(
            ("https://", "http://127.0.0.1", "http://localhost")
        ):
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
        chat_id = p.get("chat_id")
        if chat_id is not None and self._chat(chat_id)["type"] != "private":
            raise ApiError(400, "Bad Request: chat is not private")
        self.menu_buttons[int(chat_id) if chat_id is not None else 0] = button
        return True

    async def api_getchatmenubutton(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"]) if p.get("chat_id") is not None else 0
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(0) or {"type": "commands"}

    async def api_getchat(self, p: dict[str, Any]) -> dict[str, Any]:
        return {**self._chat(p["chat_id"]), "accent_color_id": 0, "max_reaction_count": 11}

    async def api_close(self, p: dict[str, Any]) -> bool:
        return True


def _public(message: dict[str, Any], *, nested: bool = False) -> dict[str, Any]:
    """The message as the Bot API shows it (without what this server keeps for tests).

    Telegram nests one level only: a message's `reply_to_message` never has its own.
    """
    hidden = ("html", "payload", "delivered", "force_reply", "order")
    out = {k: v for k, v in message.items() if k not in hidden}
    if nested:
        out.pop("reply_to_message", None)
    elif "reply_to_message" in out:
        out["reply_to_message"] = _public(out["reply_to_message"], nested=True)
    return out


async def _params(request: web.Request) -> dict[str, Any]:
    """Bot API parameters: query string, JSON body, or form fields whose values are JSON."""
    out: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        out.update(await request.json())
        return out
    if request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                out[key] = _Upload(value.filename, value.file.read())
                continue
            if key in _RAW_KEYS:
                out[key] = value
                continue
            try:
                out[key] = json.loads(value)
            except (TypeError, ValueError):
                out[key] = value
    return out


@dataclass
class _Upload:
    filename: str
    payload: bytes
