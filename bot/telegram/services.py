"""The services every handler needs (database, settings, translator, clock) and PTB's types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.config import Settings
from bot.telegram.budget import LimitArgs
from bot.telegram.prompts import PromptLog
from locales import Translator
from storage.db import Database
from storage.lease import Lease

Data = dict[object, object]  # PTB's user, chat and bot data: read back through a narrowing


class Ctx(CallbackContext[ExtBot[LimitArgs], Data, Data, Data]):
    """PTB's default context, typed with the bot as it is built: with our rate limiter
    (`build_application` makes PTB use this class)."""


# the bot's Application as PTB types it: our context and bot, PTB's dicts for the data
BotApp = Application[ExtBot[LimitArgs], Ctx, Data, Data, Data, JobQueue[Ctx]]


@dataclass
class Services:
    """What every handler needs, kept in `application.bot_data`."""

    db: Database
    settings: Settings
    translator: Translator
    clock: Callable[[], datetime]
    planner_interval: float = 5.0
    delivery_interval: float = 1.0
    lease: Lease | None = None  # the planner's, when several processes may run; None: always
    prompts: PromptLog = field(default_factory=PromptLog)  # sent, not yet written to drafts
    bot_username: str = ""  # known once the bot has met Telegram (the Mini App's links)


def services_of(context: Ctx) -> Services:
    """The services stored on the application."""
    return services_in(context.application.bot_data)


def services_in(bot_data: Mapping[object, object]) -> Services:
    """The services `build_application` stored in an application's bot_data."""
    services = bot_data["services"]
    if not isinstance(services, Services):
        raise TypeError("the application holds no taizhang services")
    return services
