"""The python-telegram-bot Application: each kind of update wired to the turn pipeline
(`pipeline.py`) and the dispatcher (`dispatch.py`), nothing more."""

from __future__ import annotations

import asyncio
import gc
import logging

from telegram import BotCommand, MenuButtonWebApp, Update
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ContextTypes,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.delivery.send_log import record_sends, restore_budget
from bot.handlers import start_and_roster
from bot.handlers.workbooks.ledger import SaveLedger
from bot.serve import dispatch
from bot.serve.db_outage import Gate
from bot.serve.features import REGISTRY
from bot.serve.jobs import schedule
from bot.serve.pipeline import Pipeline, pipeline_in
from bot.telegram.applinks import open_button
from bot.telegram.budget import ChatBudget, LimitArgs, Limits
from bot.telegram.hashes import with_fingerprint
from bot.telegram.json_request import JsonRequest
from bot.telegram.processor import ChatOrderedProcessor
from bot.telegram.services import BotApp, Ctx, Services, services_in, services_of
from bot.telegram.source import Source, message_answer, source_of
from bot.telegram.turn import Turn
from storage import chats
from workflows.clean import clean_text
from workflows.forms.inputs import FileAnswer
from workflows.messages import msg
from workflows.people.roles import COMMANDS

logger = logging.getLogger(__name__)


def pipeline_of(context: Ctx) -> Pipeline:
    """The application's turn pipeline."""
    return pipeline_in(context.application.bot_data)


def _source(update: Update, context: Ctx) -> Source | None:
    return source_of(update, context.bot.username or "")


async def on_command(update: Update, context: Ctx) -> None:
    """Every slash command goes through one dispatcher; `/cmd@otherbot` is not ours."""
    message = update.effective_message
    source = _source(update, context)
    if message is None or source is None or not (message.text or message.caption):
        return
    word, *args = clean_text(message.text or message.caption or "").split()
    name, _, addressee = word[1:].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return
    pipeline = pipeline_of(context)
    await pipeline.run(
        source, lambda turn: dispatch.command(turn, pipeline.registry, name.lower(), args)
    )


async def on_message(update: Update, context: Ctx) -> None:
    """A reply to a prompt (in groups), any message (in private), a file sent in."""
    message = update.effective_message
    given = message_answer(message) if message else None
    source = _source(update, context)
    if given is None or source is None:
        return
    if isinstance(given, FileAnswer):  # its SHA-256, if Telegram hands it over quickly
        given = await with_fingerprint(context.bot, source, given)
    pipeline = pipeline_of(context)
    await pipeline.run(source, lambda turn: dispatch.message(turn, pipeline.registry, given))


async def on_edited(update: Update, context: Ctx) -> None:
    """An edited message changes no answer: with a flow open, say to reply again instead."""
    source = _source(update, context)
    if source is None:
        return
    pipeline = pipeline_of(context)
    await pipeline.run(source, lambda turn: dispatch.edited(turn, pipeline.registry))


async def on_button(update: Update, context: Ctx) -> None:
    """A pressed inline button: answered at once, whatever the chat's budget."""
    query = update.callback_query
    source = _source(update, context)
    if query is None or source is None:
        return
    pipeline = pipeline_of(context)
    data = query.data or ""
    await pipeline.run(
        source, lambda turn: dispatch.press(turn, pipeline.registry, data), query=query
    )


async def on_added(update: Update, context: Ctx) -> None:
    """People joined a group: kept as who is in it. The bot itself: it says that it waits to
    be bound."""
    message = update.effective_message
    source = _source(update, context)
    if message is None or source is None:
        return
    joined = [m.id for m in message.new_chat_members if not m.is_bot]
    bot_added = any(m.id == context.bot.id for m in message.new_chat_members)
    if not joined and not bot_added:
        return

    def body(turn: Turn) -> None:
        start_and_roster.members_changed(turn, joined, [])
        if bot_added:
            dispatch.waiting(turn)

    await pipeline_of(context).run(source, body)


async def on_left(update: Update, context: Ctx) -> None:
    """Someone left a group, or was removed: no longer counted as in it."""
    message = update.effective_message
    source = _source(update, context)
    gone = message.left_chat_member if message is not None else None
    if source is None or gone is None or gone.is_bot:
        return
    await pipeline_of(context).run(
        source, lambda turn: start_and_roster.members_changed(turn, [], [gone.id])
    )


async def on_migrate(update: Update, context: Ctx) -> None:
    """A group became a supergroup and got a new id: carry its binding over."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    services = services_of(context)
    old_id, new_id = message.chat_id, message.migrate_to_chat_id

    def carry_over() -> None:
        with services.db.unit_of_work() as session:
            chats.migrate_chat(session, old_id, new_id)

    await asyncio.to_thread(carry_over)


async def on_error(update: object, context: Ctx) -> None:
    """Log the failure and tell the person, politely, that it did not work; an update that
    met a database that is away is refused or held instead (`db_outage.py`), nothing said."""
    gate = context.application.bot_data.get("gate")
    if isinstance(gate, Gate) and gate.failed(update, context.error):
        return
    logger.exception("update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        services = services_of(context)
        text = services.translator.text(msg("error.internal"), services.settings.taizhang_locale)
        try:
            await context.bot.send_message(update.effective_chat.id, text)
        except Exception:  # the error path must not raise again
            logger.exception("could not report the failure")


async def publish_commands(app: BotApp) -> None:
    """Show the commands in Telegram's menu, in both languages."""
    services = services_in(app.bot_data)
    tr = services.translator
    for lang in tr.catalogs:
        listing = [BotCommand(c.name, tr.text(msg(f"help.cmd.{c.name}"), lang)) for c in COMMANDS]
        await app.bot.set_my_commands(
            listing, language_code=None if lang == tr.default else lang.split("_")[0]
        )


def telegram_limits(rate: float = 28.0) -> ChatBudget:
    """Telegram's flood limits: 20 sends and edits a minute per group, about one a second
    per private chat, `rate` a second overall (the bot's limit, shared by its processes)."""
    return ChatBudget(Limits(overall=(max(int(rate), 1), 1.0)))


async def publish_menu_button(app: BotApp) -> None:
    """With the Mini App configured, the private chats' menu button opens it."""
    services = services_in(app.bot_data)
    page = open_button(services.settings)
    if page is not None:
        label = services.translator.text(msg("app.menu"), services.settings.taizhang_locale)
        await app.bot.set_chat_menu_button(menu_button=MenuButtonWebApp(label, page))


async def post_init(app: BotApp) -> None:
    """Publish the commands (and the Mini App's menu button), and read back what each chat was
    sent in the last minute."""
    services_in(app.bot_data).bot_username = app.bot.username or ""
    await publish_commands(app)
    await publish_menu_button(app)
    await restore_budget(app)
    # What the process holds once started (the catalogs, the registry, the ORM's mappers,
    # python-telegram-bot) lives as long as it does: set apart, so that the collector's full
    # passes, which the turns' garbage sets off every few hundred updates, no longer walk
    # these objects each time (a pass took about 150 ms, 0.5 ms an update spread over them).
    gc.freeze()


STOP_DRAIN = 10.0  # seconds a stopping bot waits for the replies still queued


async def post_stop(app: BotApp) -> None:
    """Send the replies still queued, then write down what was sent since the last delivery
    tick: a restart keeps each chat's budget, and a reply to a prompt finds its draft."""
    pipeline = app.bot_data.get("pipeline")
    if isinstance(pipeline, Pipeline):
        pipeline.replies.stop()
    dropped = await pipeline.sender.drain(STOP_DRAIN) if isinstance(pipeline, Pipeline) else 0
    if dropped:  # kept in the outbox: sent by the next process once their claims run out
        logger.warning("stopped with %d replies still to send", dropped)
    try:
        await record_sends(app.bot, services_in(app.bot_data))
    finally:
        gc.unfreeze()  # what this bot held may be collected again (tests start many bots)


def build_application(
    services: Services,
    *,
    rate_limiter: BaseRateLimiter[LimitArgs] | None = None,
    polling: bool = True,
) -> BotApp:
    """The bot, wired to its handlers; the rate limiter keeps Telegram's flood limits.

    Without `polling` there is no Updater: the webhook server hands updates over itself.
    """
    settings = services.settings
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_url)
        .request(JsonRequest(connection_pool_size=256))
        .rate_limiter(rate_limiter or telegram_limits(settings.taizhang_send_rate))
        .concurrent_updates(ChatOrderedProcessor())
        .context_types(ContextTypes(context=Ctx))
        .job_queue(JobQueue[Ctx]())
        .post_init(post_init)
        .post_stop(post_stop)
    )
    app = (builder if polling else builder.updater(None)).build()
    app.bot_data["services"] = services
    app.bot_data["pipeline"] = Pipeline(app, REGISTRY)
    gate = app.bot_data["gate"] = Gate(app, services.db)
    app.add_handler(TypeHandler(Update, gate.check), group=-1)  # before all: the database away
    # edits first: no other handler (commands, answers, files) takes an edited message
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited))
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, on_added))
    app.add_handler(MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, on_left))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_handler(MessageHandler(filters.COMMAND, on_command))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT | filters.Document.ALL | filters.PHOTO, on_message))
    app.add_error_handler(on_error)
    schedule(app, services, SaveLedger)
    return app
