"""Webhook mode of the real process: registered with its secret, refusing posts without it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.sandbox.api import LocalBotApi
from storage.db import Database
from storage.models import OutboxMessage, Person
from tests.processes import PUBLIC_URL, SECRET, BotProcess, bot_env, wait_until


@pytest.fixture
async def served(
    tmp_path: Path, db_url: str
) -> AsyncIterator[tuple[LocalBotApi, Database, BotProcess]]:
    """One bot process in webhook mode, Telegram posting to it."""
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(db_url)
    proc = BotProcess.webhook(bot_env(api, base, db_url), tmp_path / "bot.log")
    api.hook.backends = [proc.backend]
    api.fail_next("setWebhook", 502, count=2)  # Telegram unreachable at first: it retries
    proc.start()
    try:
        yield api, db, proc
    finally:
        proc.kill()
        await api.stop()
        db.engine.dispose()


def update_from(user_id: int, text: str, update_id: int = 900001) -> dict:
    """A private-chat message as Telegram would post it."""
    user = {"id": user_id, "is_bot": False, "first_name": "冒充"}
    message = {
        "message_id": 1,
        "date": 1700000000,
        "chat": {"id": user_id, "type": "private", "first_name": "冒充"},
        "from": user,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return {"update_id": update_id, "message": message}


async def test_webhook_is_registered_with_the_secret_and_serves_a_conversation(served) -> None:
    api, _, proc = served
    await proc.ready()

    async def planning() -> bool:  # on PostgreSQL, once the first planner tick took the lease
        return bool((await proc.health() or {}).get("planner"))

    await wait_until(planning)
    assert await proc.health() == {
        "http_status": 200,
        "status": "ok",
        "database": "ok",
        "planner": True,
        "updates_in_progress": 0,
        "workbooks_in_reading": 0,
    }
    await wait_until(lambda: api.hook.webhook is not None, timeout=30)
    assert api.requests["setWebhook"] == 3
    assert api.hook.webhook is not None
    assert (api.hook.webhook.url, api.hook.webhook.secret_token) == (PUBLIC_URL, SECRET)
    user = api.user(501, "王芳")
    chat = api.private(user)
    await api.send(chat, user, "/help")
    answer = await api.next_message(chat, timeout=20)
    assert answer["text"].startswith("可用命令") and "/lang" in answer["text"]
    await wait_until(lambda: api.hook.posts[proc.backend] == 1)  # answered after processing
    assert api.requests["getUpdates"] == 0


async def test_a_post_without_the_secret_is_refused_and_nothing_is_processed(served) -> None:
    api, db, proc = served
    await proc.ready()
    url = proc.backend
    for user_id in (777, 778):
        api.private(api.user(user_id, "冒充"))
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=update_from(777, "/register"), headers=headers) as r:
                assert r.status == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for body in (b"{not json", b"null", b"[1, 2]", b"[" * 30_000 + b"]" * 30_000):
            async with http.post(url, data=body, headers=right) as r:
                assert r.status == 400
        # the same update with the secret is processed before the answer comes back: its turn
        # saved, its reply kept in the outbox (and sent at once, by whichever process is alive)
        async with http.post(url, json=update_from(778, "/start", 900002), headers=right) as r:
            assert r.status == 200
            with db.unit_of_work() as s:
                assert [p.user_id for p in s.exec(select(Person))] == [778]
                assert [m.chat_id for m in s.exec(select(OutboxMessage))] == [778]
    await wait_until(lambda: bool(api.sent))
    assert {m["chat"]["id"] for m in api.sent} == {778}
    assert "refused a request without the secret" in proc.output()


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({"TELEGRAM_WEBHOOK_SECRET": ""}, [], "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has spaces"}, [], "TELEGRAM_WEBHOOK_SECRET"),
        ({}, ["--url", "http://bot.example.gov.cn/hook"], "https://"),
        ({}, ["--listen", "8443"], "HOST:PORT"),
    ],
)
async def test_webhook_settings_that_cannot_work_are_refused_at_start(
    tmp_path: Path, db_url: str, env: dict[str, str], args: list[str], expected: str
) -> None:
    api = LocalBotApi()
    base = await api.start()
    try:
        full = ["--webhook", "--listen", "127.0.0.1:1", "--url", PUBLIC_URL, *args]
        proc = BotProcess(bot_env(api, base, db_url, **env), tmp_path / "bot.log", *full)
        assert proc.start().proc is not None
        assert proc.proc.wait(timeout=60) == 2
        assert expected in proc.output() and "Traceback" not in proc.output()
        assert api.requests["setWebhook"] == 0
    finally:
        await api.stop()
