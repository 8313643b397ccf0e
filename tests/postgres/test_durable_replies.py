"""A reply waiting for its group's budget waits in the database: the process that answered
can die meanwhile, and the reply still arrives, once (`bot/delivery/replies.py`).

Before replies were kept in the outbox, such a reply waited in the process's memory, the
webhook had answered Telegram, and a SIGKILL lost it: nothing posted the update again.
"""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import select

from bot.sandbox.api import LocalBotApi
from storage import sendlog
from storage.db import Database
from storage.models import OutboxMessage, SendLog
from tests.processes import BotProcess, bot_env, campaign_with_groups, wait_until

WINDOW = 60.0  # seconds: a group's budget is 20 messages in any 60 s
SPENT_AGO = 30.0  # the group's 20 sends, this long before the processes start


def _replies(db: Database) -> list[OutboxMessage]:
    with db.unit_of_work() as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply")))


def _answers(api: LocalBotApi, group: dict, asked: dict) -> list[dict]:
    return [
        m
        for m in api.bot_messages(group)
        if (m.get("reply_to_message") or {}).get("message_id") == asked["message_id"]
    ]


async def test_a_process_killed_while_its_reply_waits_for_the_groups_budget_loses_nothing(
    tmp_path: Path, pg_url: str
) -> None:
    api = LocalBotApi()
    base = await api.start()
    db = Database.open(pg_url)
    _, (group,) = campaign_with_groups(api, db, tmp_path, ["甲县"], "3d")
    env = bot_env(api, base, pg_url, TAIZHANG_CLAIM_TIMEOUT="5")
    procs: dict[str, BotProcess] = {}
    first = second = BotProcess.webhook(env, tmp_path / "none.log")
    try:
        for _ in range(3):  # a machine too busy to start both in time: again, spent afresh
            # the group spent its 20 messages a little while ago: both processes read that back
            # when they start (the send log), and hold its next message until the oldest
            # leaves the window
            spent = time.time() - SPENT_AGO
            with db.unit_of_work() as s:
                s.execute(delete(SendLog))
                sendlog.log_sends(s, [(group["id"], spent + i * 0.01) for i in range(20)])
            first = BotProcess.webhook(env, tmp_path / "first.log").start()
            second = BotProcess.webhook(env, tmp_path / "second.log").start()
            await asyncio.gather(first.ready(), second.ready())
            if time.time() < spent + WINDOW - 15:
                break
            first.kill()
            second.kill()
        for proc in (first, second):
            assert proc.proc is not None
            procs[f"{socket.gethostname()}:{proc.proc.pid}"] = proc
        api.hook.backends = [first.backend, second.backend]
        person = api.user(601, "李明")
        asked = await api.send(group, person, "/help")
        await wait_until(lambda: any(r.status == "pending" for r in _replies(db)), timeout=20)
        assert time.time() < spent + WINDOW  # the group's budget is still spent
        (waiting,) = _replies(db)
        answered_by = procs[waiting.claimed_by]  # the process that ran the turn and tried it
        answered_by.kill()
        assert _answers(api, group, asked) == []  # nothing went out before the kill

        await wait_until(lambda: _answers(api, group, asked), timeout=WINDOW)
        arrived = time.time()
        await asyncio.sleep(2.0)  # proving an absence: no second copy comes
        (answer,) = _answers(api, group, asked)
        assert arrived >= spent + WINDOW - 1.0  # within the group's budget
        (sent,) = _replies(db)
        assert sent.status == "sent" and sent.telegram_message_id == answer["message_id"]
        assert procs[sent.claimed_by] is not answered_by  # the one alive sent it
    finally:
        first.kill()
        second.kill()
        await api.stop()
        db.engine.dispose()
