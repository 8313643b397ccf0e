"""Webhook mode: Telegram posts updates to us; several processes may share the traffic.

This is python-telegram-bot's custom-webhook setup (an Application without an Updater, fed by
our own asyncio web server), so that the same port also answers a load balancer's health
checks. An update is processed before Telegram gets its 200, so a process that dies half-way
leaves the update to Telegram's retry instead of losing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import logging
import re
import signal
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from telegram import Update
from telegram.error import NetworkError, RetryAfter

from bot.serve.db_outage import Gate
from bot.serve.pipeline import pipeline_in
from bot.telegram import workbook_pool
from bot.telegram.services import BotApp, Services
from bot.web import request_limits
from bot.web.server import mount
from workflows.messages import Msg, msg

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
HEALTH_WITHIN = 5.0  # seconds a worker thread may take to come free for the health check
ANSWER_WITHIN = 20.0  # seconds: a longer update (a large export) is answered while it goes on
SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


@dataclass(frozen=True)
class Endpoint:
    """Where this process listens, and the public URL Telegram posts to."""

    host: str
    port: int
    url: str

    @property
    def path(self) -> str:
        """The public URL's path: the reverse proxy passes it through unchanged."""
        return urlsplit(self.url).path or "/"


class EndpointError(ValueError):
    """`--listen` or `--url` cannot work; the message says which and why."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.id)
        self.message = message


def endpoint(listen: str, url: str) -> Endpoint:
    """Read `--listen HOST:PORT` and `--url https://…`."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise EndpointError(msg("webhook.bad_listen", listen=listen))
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise EndpointError(msg("webhook.not_https", url=url))
    if parts.path.rstrip("/") == HEALTH_PATH:
        raise EndpointError(msg("webhook.health_path", path=HEALTH_PATH))
    return Endpoint(host.strip("[]"), int(port), url)


class WebhookServer:
    """The HTTP side: the webhook path (secret checked), the health endpoint, and the Mini App
    when it is configured. In polling mode (no `url`) it serves the Mini App and health only."""

    def __init__(self, app: BotApp, services: Services, point: Endpoint, secret: str):
        self.app, self.services, self.point = app, services, point
        self._secret = secret.encode()
        self._running: set[asyncio.Task[None]] = set()
        self.web = web.Application(client_max_size=1024 * 1024)
        if point.url:
            self.web.router.add_post(point.path, self.on_update)
        self.web.router.add_get(HEALTH_PATH, self.on_health)
        mount(self.web, app, pipeline_in(app.bot_data), services.settings)
        self._runner: web.AppRunner | None = None

    async def on_update(self, request: web.Request) -> web.Response:
        """One update from Telegram; without the right secret, 403 and nothing else."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.warning("webhook: refused a request without the secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            data = await request_limits.within_body_time(request.json())
            update = Update.de_json(data, self.app.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):  # bad JSON
            update = None
        if update is None:
            return web.Response(status=400, text="not an update")
        # through the update processor: each chat's updates in order, chats side by side
        task = asyncio.create_task(
            self.app.update_processor.process_update(update, self.app.process_update(update))
        )
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        await asyncio.wait({task}, timeout=ANSWER_WITHIN)
        gate = self.app.bot_data.get("gate")
        if task.done() and isinstance(gate, Gate) and gate.refused(update):
            # the database is away: nothing was saved; Telegram posts the update again later
            return web.Response(status=503, text="database unavailable")
        # its replies are in the outbox with its turn: whichever process is alive sends them
        return web.Response(text="ok")

    async def on_health(self, request: web.Request) -> web.Response:
        """200 while the bot runs and its database answers; 503 otherwise, and 503 "busy"
        when the worker threads every update and page call needs are all taken (the database
        is asked from one of them, so a stalled pool is seen as the people see it)."""

        def database() -> None:
            with self.services.db.unit_of_work() as session:
                session.connection().execute(text("select 1"))

        try:
            await asyncio.wait_for(asyncio.to_thread(database), HEALTH_WITHIN)
        except TimeoutError:
            body = {"status": "busy", "database": "not asked: no worker thread free"}
            return web.json_response(body, status=503)
        except DBAPIError as err:
            body = {"status": "unavailable", "database": err.__class__.__name__}
            return web.json_response(body, status=503)
        lease = self.services.lease
        health: dict[str, object] = {
            "status": "ok" if self.app.running else "stopping",
            "database": "ok",
            "planner": lease is None or lease.holding,
            "updates_in_progress": len(self._running),
            "workbooks_in_reading": workbook_pool.in_reading(),
        }
        return web.json_response(health, status=200 if self.app.running else 503)

    async def start(self) -> None:
        """Listen on the endpoint."""
        # a connection whose request line and headers have not come in by HEADER_SECONDS is
        # closed (aiohttp's keep-alive timer runs from the connection's start): slowloris; the
        # rest of a body refused unread is drained for a second at most, not aiohttp's ten
        self._runner = web.AppRunner(
            self.web,
            access_log=None,
            keepalive_timeout=request_limits.HEADER_SECONDS,
            lingering_time=request_limits.LINGER_SECONDS,
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self.point.host, self.point.port).start()

    async def stop(self) -> None:
        """Stop listening, then let the updates in progress finish."""
        if self._runner is not None:
            await self._runner.cleanup()
        if self._running:
            await asyncio.wait(self._running, timeout=ANSWER_WITHIN)


async def register(app: BotApp, url: str, secret: str) -> None:
    """Register the webhook with Telegram, retrying while Telegram cannot be reached.

    Every process registers the same URL: harmless, and a newly deployed one may be first.
    """
    for attempt in itertools.count():
        try:
            await app.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
        except (NetworkError, RetryAfter) as err:  # time-outs, 5xx, 429: try again
            wait = min(2.0**attempt, 60.0)
            logger.warning("webhook: not registered yet (%s); again in %.0f s", err, wait)
            await asyncio.sleep(wait)
            continue
        logger.info("webhook registered")
        return


async def serve(app: BotApp, services: Services, point: Endpoint, secret: str) -> None:
    """Run until SIGINT or SIGTERM: register the webhook, serve it, shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = WebhookServer(app, services, point, secret)
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        await server.start()
        logger.info("webhook: %s, listening on %s:%d", point.url, point.host, point.port)
        registering = asyncio.create_task(register(app, point.url, secret))
        await stop.wait()
        registering.cancel()
        await server.stop()
        await app.stop()
        if app.post_stop is not None:  # the send log written: a restart keeps the budget
            await app.post_stop(app)
    with contextlib.suppress(NotImplementedError):
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def poll(app: BotApp, services: Services) -> None:
    """Long polling with the web server beside it (the Mini App, /healthz), until SIGINT or
    SIGTERM: for a bot whose Mini App is configured but that takes no webhook."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    host, port = services.settings.web_listen
    server = WebhookServer(app, services, Endpoint(host, port, ""), "")
    updater = app.updater
    if updater is None:
        raise ValueError("polling needs the application's updater")
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        await app.start()
        await server.start()
        logger.info("polling; the Mini App on %s:%d", host, port)
        await stop.wait()
        await server.stop()
        await updater.stop()
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
    with contextlib.suppress(NotImplementedError):
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
