"""The real bot on a local Bot API and a movable clock: the offline demo and the tests use it."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobExecutionEvent,
)
from sqlmodel import and_, col, or_, select
from telegram import Update

from bot.config import Settings
from bot.sandbox.api import LocalBotApi
from bot.serve.app import build_application
from bot.serve.campaign_file import read_campaign_file
from bot.serve.clock import is_loopback
from bot.serve.pipeline import Pipeline
from bot.serve.webhook import Endpoint, WebhookServer
from bot.telegram.applinks import page_url
from bot.telegram.budget import ChatBudget, Limits
from bot.telegram.processor import ChatOrderedProcessor
from bot.telegram.services import BotApp, Services, services_in
from bot.web.init_data import signed
from locales import Translator
from storage import campaigns, people
from storage.audit import Stamp
from storage.db import Database, make_engine
from storage.models import OutboxMessage, saved_id
from workflows.forms.deeplink import AppLink
from workflows.guards import required
from workflows.messages import Msg, msg
from workflows.people.roles import Role

ADMIN_ID = 900001
logging.getLogger("httpx").setLevel(logging.WARNING)
# Wednesday 10 January 2024, 10:00 in Beijing: before the seed-000 campaign's first reminder,
# so conversations are not interleaved with notifications unless the clock is moved.
QUIET_START = datetime(2024, 1, 10, 2, 0, tzinfo=UTC)
ZONE = "Asia/Shanghai"  # the clock above is Beijing's: a campaign file without a zone gets it


def free_port() -> int:
    """A port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def signed_init_data(
    settings: Settings, user: dict[str, Any], at: datetime, start_param: str = ""
) -> str:
    """initData for a simulated person, signed with the bot's token as Telegram signs it."""
    person = {"id": user["id"], "first_name": user["first_name"], "language_code": "zh-hans"}
    if user.get("username"):
        person["username"] = user["username"]
    fields = {
        "auth_date": str(int(at.timestamp())),
        "user": json.dumps(person, ensure_ascii=False, separators=(",", ":")),
    }
    if start_param:
        fields["start_param"] = start_param
    return signed(settings.telegram_bot_token or "", fields)


def demo_link(
    settings: Settings, user: dict[str, Any], at: datetime, link: AppLink | None = None
) -> str | Msg:
    """A Mini App page as Telegram opens it from a private chat's button for a simulated
    person (the link's payload in the query, the launch parameters in the fragment), for any
    browser; refused unless the Bot API is local, as the fast clock is: a signed link never
    stands for a real person."""
    if not is_loopback(settings.telegram_api_base_url):
        return msg("demo.app_link_refused", url=settings.telegram_api_base_url)
    page = required(page_url(settings, link), "the Mini App's URL")
    data = quote(signed_init_data(settings, user, at), safe="")
    return f"{page}#tgWebAppData={data}&tgWebAppVersion=8.0&tgWebAppPlatform=unknown"


# A sandbox is one process, which never dies: no claimed send need be taken over from a dead
# one. Its clock is moved by the script (hours at a time in the tests, up to a million times
# the wall's in the demo), so a minute's claim ran out while a reply was still being sent and
# the delivery job sent that reply again (a test read a /bind answer twice).
SANDBOX_CLAIM = timedelta(days=400)


# the jobs `Sandbox.drained` waits for a pass of: the planner's, and the chat files' hashes'
PASSING = ("planner", "hashes")


@dataclass
class Passes:
    """One job's passes, numbered as they start in every bot process of a sandbox."""

    started: int = 0
    finished: int = 0  # the number of the last one finished
    running: int = 0  # the one under way in the running process (max_instances=1), or 0


class Clock:
    """The time the bot sees; tests move it explicitly."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        """Move time forward."""
        self.at += timedelta(**kw)


class Sandbox:
    """The local Bot API, the database, the clock, and the bot process (restartable)."""

    def __init__(
        self,
        db_url: str,
        *,
        template: str = "bazhou-2024",
        overall_rate: int = 30,
        planner_interval: float = 0.2,
        delivery_interval: float = 0.1,
        start: datetime | None = None,
        locale: str = "zh_CN",
        limits: Limits | None = None,
        mini_app: bool = False,
        claim_timeout: float = SANDBOX_CLAIM.total_seconds(),
    ) -> None:
        self.db_url = db_url
        self.claim_timeout = claim_timeout  # in seconds of the sandbox clock
        self.template = template  # a shipped template's name, or a path to a campaign file
        self.overall_rate = overall_rate
        # Telegram's per-chat limits are kept in production; these scripts send more than 20
        # messages a minute to one group, so unless told otherwise the windows are wider.
        self.limits = limits or Limits(
            group=(1000, 60.0), private=(1000, 1.0), overall=(overall_rate, 1.0)
        )
        self.locale = locale
        self.api = LocalBotApi()
        self.clock = Clock(start or QUIET_START)
        self.planner_interval = planner_interval
        self.delivery_interval = delivery_interval
        self.app: BotApp | None = None
        self.db: Database | None = None
        self.planner_passes = 0  # finished, in every bot process this sandbox started
        self._passes = {name: Passes() for name in PASSING}
        self.admin = self.api.user(ADMIN_ID, "王管理", "wang_admin")
        self.mini_app = mini_app  # serve the Mini App on 127.0.0.1 beside the bot
        self.web: WebhookServer | None = None
        self.web_url = ""  # the Mini App's URL, once started

    async def start(self) -> None:
        """Start the local API, load the campaign, and start the bot."""
        self.base_url = await self.api.start()
        port = free_port() if self.mini_app else 8080
        self.web_url = f"http://127.0.0.1:{port}/app/" if self.mini_app else ""
        self.settings = Settings(
            telegram_bot_token=self.api.token,
            telegram_api_base_url=self.base_url,
            database_url=self.db_url,
            taizhang_admin_ids=str(ADMIN_ID),
            taizhang_locale=self.locale,
            taizhang_timezone=ZONE,
            taizhang_webapp_url=self.web_url,
            taizhang_webapp_name="form" if self.mini_app else "",
            taizhang_web_listen=f"127.0.0.1:{port}",
            taizhang_claim_timeout=self.claim_timeout,
            _env_file=None,
        )
        self.db = Database.open(self.db_url)
        spec = read_campaign_file(self.template, self.settings)
        with self.db.unit_of_work() as session:
            campaigns.save_campaign(session, spec, Stamp(self.clock()))
        await self.start_bot()

    def database(self) -> Database:
        """The sandbox's database, once `start` opened it."""
        return required(self.db, "the sandbox's database (start() first)")

    async def start_bot(self) -> None:
        """Start a bot process on the same database (as after a restart)."""
        self.database()
        services = Services(
            # its own engine, as a process has; `start` brought the database to head already
            # (alembic's check read every migration again at each start: 0.04 s)
            Database(make_engine(self.db_url)),
            self.settings,
            Translator.load(self.locale, strict=True),
            self.clock,
            self.planner_interval,
            self.delivery_interval,
        )
        self.app = build_application(services, rate_limiter=ChatBudget(self.limits))
        scheduler = required(self.app.job_queue, "PTB's job queue").scheduler

        for passes in self._passes.values():
            passes.running = 0  # a pass the last process left unfinished never will be

        def count_pass(event: JobEvent) -> None:
            job = scheduler.get_job(event.job_id)
            if job is None or job.name not in self._passes:
                return
            passes = self._passes[job.name]
            if event.code == EVENT_JOB_SUBMITTED:  # its task made, not begun: no clock read yet
                passes.started += 1
                passes.running = passes.started
            elif isinstance(event, JobExecutionEvent):
                passes.finished, passes.running = passes.running, 0
                if job.name == "planner":
                    self.planner_passes += 1

        scheduler.add_listener(
            count_pass, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )
        await self.app.initialize()
        if self.app.post_init is not None:  # as run_polling does: commands, the send log
            await self.app.post_init(self.app)
        await self.app.start()
        await required(self.app.updater, "the application's updater").start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        if self.mini_app:  # as `taizhang run` serves it beside the polling
            host, port = self.settings.web_listen
            self.web = WebhookServer(self.app, services, Endpoint(host, port, ""), "")
            await self.web.start()

    async def stop_bot(self) -> None:
        """Stop the bot process (the database and the local API stay)."""
        if self.app is None:
            return
        if self.web is not None:
            await self.web.stop()
            self.web = None
        await required(self.app.updater, "the application's updater").stop()
        await self.app.stop()
        if self.app.post_stop is not None:  # as run_polling does: the send log written
            await self.app.post_stop(self.app)
        await self.app.shutdown()
        services_in(self.app.bot_data).db.engine.dispose()
        self.app = None

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database."""
        await self.stop_bot()
        await self.start_bot()

    async def stop(self) -> None:
        """Stop everything."""
        await self.stop_bot()
        await self.api.stop()
        if self.db is not None:
            self.db.engine.dispose()

    async def command(
        self, chat: dict[str, Any], user: dict[str, Any], text: str
    ) -> dict[str, Any]:
        """A user sends a command; returns the bot's first answer in that chat."""
        await self.api.send(chat, user, text)
        return await self.api.next_message(chat)

    async def answer(
        self, prompt: dict[str, Any], user: dict[str, Any], text: str
    ) -> dict[str, Any]:
        """A user replies to a prompt; returns the bot's next message in that chat."""
        await self.api.reply(prompt, user, text)
        return await self.api.next_message(prompt["chat"])

    async def press(
        self, message: dict[str, Any], user: dict[str, Any], label: str
    ) -> dict[str, Any]:
        """A user presses a button; returns the bot's next message in that chat."""
        await self.api.press(message, user, label)
        return await self.api.next_message(message["chat"])

    async def tap(self, message: dict[str, Any], user: dict[str, Any], label: str) -> str:
        """A user presses a button that is answered by a toast alone; returns its text."""
        qid = await self.api.press(message, user, label)
        answered = self.api.callback_answers

        def found() -> bool:
            return any(a["callback_query_id"] == qid for a in answered)

        await self.api.until(found)
        return str(next(a for a in answered if a["callback_query_id"] == qid).get("text", ""))

    def services(self) -> Services:
        """The running bot's services."""
        return services_in(required(self.app, "the running bot").bot_data)

    def grant(self, user: dict[str, Any], role: Role, unit: str | None = None) -> None:
        """Give someone a role directly in the database (as an earlier /role would have)."""
        with self.database().unit_of_work() as s:
            camp = required(campaigns.active_campaign(s), "the active campaign")
            unit_id = (
                saved_id(required(campaigns.unit_named(s, saved_id(camp), unit), unit))
                if unit
                else None
            )
            stamp = Stamp(self.clock(), ADMIN_ID)
            person = people.touch_person(
                s,
                user_id=user["id"],
                username=user.get("username"),
                display_name=user["first_name"],
                stamp=stamp,
            )
            people.set_role(s, person, role, unit_id, stamp)

    async def drained(self, timeout: float = 10) -> None:
        """Wait until the bot has fetched every update, a pass of the planner and of the chat
        files' hashes has run from start to end since this call (on the clock as it is now),
        and the outbox holds nothing due."""
        db = self.database()
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        # The passes awaited are ones that start once the bot is seen idle twice, a check
        # apart: what the updates sent before this call changed is then committed (an update
        # taken from the queue is in a turn by the next check). Each is started at once (once
        # the pass under way, which may have read the clock before, is done) rather than at
        # its job's next tick.
        wanted: dict[str, int] | None = None
        was_idle = False
        while True:
            ran = {name: p.finished for name, p in self._passes.items()}  # read first: what
            with db.unit_of_work() as s:  # those passes planned is seen below
                # a message being sent is due whatever its not_before, which then holds the
                # sender's claim (a stopped clock would otherwise hide it)
                due = s.exec(
                    select(OutboxMessage).where(
                        or_(
                            col(OutboxMessage.status) == "sending",
                            and_(
                                col(OutboxMessage.status) == "pending",
                                col(OutboxMessage.not_before) <= self.clock(),
                            ),
                        )
                    )
                ).all()
            idle = self._idle()
            if wanted is None and idle and was_idle:
                wanted = {name: p.started + 1 for name, p in self._passes.items()}
            for name, p in self._passes.items():
                if wanted is not None and p.started < wanted[name] and not p.running:
                    self._run_now(name)  # (a pass under way would have the start skipped)
            was_idle = idle
            passed = wanted is not None and all(ran[n] >= wanted[n] for n in wanted)
            if not due and idle and passed:
                return
            if loop.time() > end:
                raise TimeoutError(
                    f"{len(due)} message(s) still due; bot idle: {idle}; "
                    f"passes awaited: {wanted}, last finished: {ran}"
                )
            await asyncio.sleep(0.05)

    def _run_now(self, name: str) -> None:
        """Have a job's next pass start now (when none is under way: one at a time)."""
        if self.app is None or self.app.job_queue is None:
            return
        for job in self.app.job_queue.get_jobs_by_name(name):
            job.job.modify(next_run_time=datetime.now(UTC))

    def _idle(self) -> bool:
        """No update left to fetch, queued, or in a turn (its outbox rows may be unwritten)."""
        if self.app is None:
            return not self.api.unfetched
        processor = self.app.update_processor
        busy = isinstance(processor, ChatOrderedProcessor) and processor.pending_chats() > 0
        pipeline = self.app.bot_data.get("pipeline")
        sending = isinstance(pipeline, Pipeline) and not pipeline.sender.idle()
        return not self.api.unfetched and self.app.update_queue.empty() and not (busy or sending)

    async def settle(self, *chats: dict[str, Any]) -> None:
        """Let what is due now go out, and treat it as read in these chats (catch-up noise,
        such as last week's missing list reaching a newly appointed supervisor)."""
        await self.drained()
        for chat in chats:
            self.api.mark_read(chat)

    async def bind(self, chat: dict[str, Any], unit: str) -> None:
        """The admin binds a group to a unit."""
        done = await self.command(chat, self.admin, f"/bind {unit}")
        if unit not in done["text"]:
            raise AssertionError(f"not bound to {unit}: {done['text']}")
