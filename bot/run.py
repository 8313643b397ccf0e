"""Running the bot against Telegram with long polling."""

from __future__ import annotations

import fcntl
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url
from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.turn import Services
from locales import Translator
from storage.db import Database
from workflows.messages import msg


def wall_clock() -> datetime:
    """The real time, in UTC; the only clock in production."""
    return datetime.now(UTC)


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


def run_polling(settings: Settings, db: Database) -> int:
    """Build the application and poll until interrupted; 2 if another process runs."""
    translator = Translator.load(settings.taizhang_locale)
    lock = sqlite_lock(settings.database_url)
    if lock is None:
        print(translator.text(msg("cli.sqlite_busy", url=settings.database_url)), file=sys.stderr)
        return 2
    services = Services(
        db,
        settings,
        translator,
        wall_clock,
        settings.taizhang_planner_interval,
        settings.taizhang_delivery_interval,
    )
    app = build_application(services)
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    lock.close()
    return 0
