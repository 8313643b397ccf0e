"""Running the bot against Telegram with long polling."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.turn import Services
from locales import Translator
from storage.db import Database


def wall_clock() -> datetime:
    """The real time, in UTC; the only clock in production."""
    return datetime.now(UTC)


def run_polling(settings: Settings, db: Database) -> None:
    """Build the application and poll until interrupted."""
    services = Services(
        db,
        settings,
        Translator.load(settings.taizhang_locale),
        wall_clock,
        settings.taizhang_planner_interval,
        settings.taizhang_delivery_interval,
    )
    app = build_application(services)
    app.run_polling(allowed_updates=Update.ALL_TYPES)
