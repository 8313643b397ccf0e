"""Running the bot against Telegram: long polling, or webhook mode behind a reverse proxy."""

from __future__ import annotations

import asyncio
import fcntl
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url
from telegram import Update

from bot.config import Settings
from bot.serve.app import build_application
from bot.serve.clock import RunningClock, clock_of
from bot.serve.webhook import SECRET_FORM, EndpointError, endpoint, poll, serve
from bot.telegram.services import Services
from locales import Translator
from storage.db import Database
from storage.lease import POLLER_KEY, Lease
from workflows.messages import Msg, msg


def sqlite_lock(database_url: str) -> IO[str] | None:
    """On SQLite, hold a lock beside the file so that a second bot process cannot start.

    The kernel drops the lock when the process ends, however it ends (SIGKILL included).
    Returns the open lock file, or None when another process holds it.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return open("/dev/null")
    handle = Path(url.database + ".lock").open("w")  # noqa: SIM115
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _refuse(translator: Translator, message: Msg) -> int:
    print(translator.text(message), file=sys.stderr)
    return 2


def _services(
    settings: Settings, db: Database, translator: Translator, clock: Callable[[], datetime]
) -> Services:
    return Services(
        db,
        settings,
        translator,
        clock,
        settings.taizhang_planner_interval,
        settings.taizhang_delivery_interval,
        Lease(db.engine),
    )


def run(
    settings: Settings, db: Database, *, listen: str | None = None, url: str | None = None
) -> int:
    """Poll, or serve the webhook when `url` is given; 2 when it cannot start."""
    translator = Translator.load(settings.taizhang_locale)
    clock = clock_of(settings)
    if isinstance(clock, Msg):
        return _refuse(translator, clock)
    if isinstance(clock, RunningClock):
        start, speed = clock().isoformat(timespec="seconds"), f"{clock.speed:g}"
        print(translator.text(msg("soak.clock_running", start=start, speed=speed)), file=sys.stderr)
    point, secret = None, settings.telegram_webhook_secret or ""
    if url is not None or listen is not None:
        if not SECRET_FORM.fullmatch(secret):
            return _refuse(translator, msg("cli.no_webhook_secret"))
        try:
            point = endpoint(listen or settings.taizhang_web_listen, url or "")
        except EndpointError as err:
            return _refuse(translator, err.message)
    lock = sqlite_lock(settings.database_url)
    if lock is None:
        return _refuse(translator, msg("cli.sqlite_busy", url=settings.shown_database_url))
    # Telegram gives getUpdates to one caller at a time: several processes need webhooks
    poller = Lease(db.engine, POLLER_KEY, name="polling")
    if point is None and not poller.held():
        lock.close()
        return _refuse(translator, msg("cli.polling_busy"))
    services = _services(settings, db, translator, clock)
    app = build_application(services, polling=point is None)
    try:
        if point is None and settings.mini_app:  # the Mini App's server beside the polling
            asyncio.run(poll(app, services))
        elif point is None:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
        else:
            asyncio.run(serve(app, services, point, secret))
    finally:
        if services.lease is not None:
            services.lease.release()
        poller.release()
        lock.close()
    return 0
