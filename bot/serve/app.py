"""The python-telegram-bot Application: handlers wired to turns, nothing more."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import BotCommand, Message, Update
from telegram.ext import (
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.delivery.outbox import restore_budget
from bot.handlers import cases, workbooks
from bot.handlers.backbone import ACTIONS, HANDLERS
from bot.serve.jobs import schedule
from bot.telegram import flows, gate
from bot.telegram.budget import ChatBudget, Limits
from bot.telegram.processor import ChatOrderedProcessor
from bot.telegram.render import deliver
from bot.telegram.turn import BotApp, Services, Turn, answer_of, open_turn, services_of
from storage import chats
from workflows import buttons
from workflows.buttons import Action, FormPress
from workflows.inputs import TextAnswer
from workflows.messages import msg
from workflows.roles import BY_NAME, COMMANDS, may

logger = logging.getLogger(__name__)
Ctx = ContextTypes.DEFAULT_TYPE


def _unit_of_work(
    services: Services, update: Update, body: Callable[[Turn], object]
) -> Turn | None:
    with services.db.unit_of_work() as session:
        turn = open_turn(session, services, update)
        if turn is None:
            return None
        body(turn)
    return turn


async def run_turn(update: Update, context: Ctx, body: Callable[[Turn], object]) -> None:
    """Open one unit of work, run the body (what it returns is not used), commit, then send
    what it said.

    The unit of work runs in a worker thread, so that other chats' updates go on meanwhile.
    """
    services = services_of(context)
    turn = await asyncio.to_thread(_unit_of_work, services, update, body)
    if turn is None:
        return
    query = update.callback_query
    if query is None:
        await deliver(turn)
        return
    # The answer to the press costs nothing and goes at once; the next message may wait for
    # the chat's budget.
    pressed = query.message if isinstance(query.message, Message) else None
    await asyncio.gather(
        query.answer(turn.notice or None, url=turn.notice_url), deliver(turn, pressed)
    )


def _waiting(turn: Turn) -> bool:
    """In a group not yet bound, say once that it waits for an admin's /bind."""
    if not turn.is_group or turn.chat.unit_id is not None or turn.chat.supervisors:
        return False
    if not turn.chat.waiting_notice_sent:
        turn.say(msg("bind.waiting"))
        chats.mark_waiting_notice(turn.session, turn.chat)
    return True


def command_turn(turn: Turn, name: str, args: list[str]) -> None:
    """Check where and by whom a command may be used, then run it."""
    if name != "bind" and _waiting(turn):
        return
    spec = BY_NAME.get(name)
    if spec is None or name not in HANDLERS:
        turn.say(msg("command.unknown", command=name))
    elif not may(turn.actor, name):
        turn.say(msg("command.denied", command=name))
    elif spec.where == "group" and not turn.is_group:
        turn.say(msg("command.group_only", command=name))
    elif spec.where == "private" and turn.is_group:
        turn.say(msg("command.private_only", command=name))
    else:
        HANDLERS[name](turn, args)


async def on_command(update: Update, context: Ctx) -> None:
    """Every slash command goes through one dispatcher; `/cmd@otherbot` is not ours."""
    message = update.effective_message
    if message is None or not (message.text or message.caption):
        return
    word, *args = (message.text or message.caption or "").split()
    name, _, addressee = word[1:].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return
    await run_turn(update, context, lambda turn: command_turn(turn, name.lower(), args))


async def on_message(update: Update, context: Ctx) -> None:
    """A reply to a prompt (in groups) or any message (in private) answers the open flow."""
    message = update.effective_message
    given = answer_of(message) if message else None
    if given is None:
        return

    def body(turn: Turn) -> None:
        if _waiting(turn):
            return
        # a reply to another bot message (a case post, a card, an old prompt) is not an
        # answer to the open flow's current step
        elsewhere = flows.replied_elsewhere(turn)
        if elsewhere is not None:
            turn.say(msg("form.replied_elsewhere", title=elsewhere))
            return
        if flows.answer(turn, given):
            return
        if isinstance(given, TextAnswer) and cases.answer_by_reply(turn, given.text):
            return
        turn.say(msg("form.nothing_open"))

    await run_turn(update, context, body)


async def on_edited(update: Update, context: Ctx) -> None:
    """An edited message changes no answer: with a flow open, say to reply again instead."""

    def body(turn: Turn) -> None:
        if flows.has_open(turn):
            turn.say(msg("form.edited"))

    await run_turn(update, context, body)


def button_turn(turn: Turn, data: str) -> None:
    """Form buttons (`f:…`) feed the open flow; action buttons (`a:verb:ref`) start one, if
    the presser's roles allow it; forged or unknown data is a stale button."""
    pressed = buttons.parse(data)
    if isinstance(pressed, Action) and pressed.verb in ACTIONS:
        turn.notice = ""
        if gate.admit(turn, pressed):
            ACTIONS[pressed.verb](turn, pressed)
        return
    flows.press(turn, pressed if isinstance(pressed, FormPress) else None)


async def on_button(update: Update, context: Ctx) -> None:
    """A pressed inline button."""
    data = update.callback_query.data if update.callback_query else None
    await run_turn(update, context, lambda turn: button_turn(turn, data or ""))


async def on_added(update: Update, context: Ctx) -> None:
    """The bot was added to a group: say that it waits to be bound."""
    message = update.effective_message
    if message is None or not any(m.id == context.bot.id for m in message.new_chat_members):
        return
    await run_turn(update, context, _waiting)


async def on_migrate(update: Update, context: Ctx) -> None:
    """A group became a supergroup and got a new id: carry its binding over."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    services = services_of(context)
    old_id, new_id = message.chat_id, message.migrate_to_chat_id

    def carry_over() -> None:
        with services.db.unit_of_work() as session:
            chats.migrate(session, old_id, new_id)

    await asyncio.to_thread(carry_over)


async def on_error(update: object, context: Ctx) -> None:
    """Log the failure and tell the person, politely, that it did not work."""
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
    services: Services = app.bot_data["services"]
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


async def post_init(app: BotApp) -> None:
    """Publish the commands and read back what each chat was sent in the last minute."""
    await publish_commands(app)
    await restore_budget(app)


def build_application(
    services: Services, *, rate_limiter: BaseRateLimiter[Any] | None = None, polling: bool = True
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
        .rate_limiter(rate_limiter or telegram_limits(settings.taizhang_send_rate))
        .concurrent_updates(ChatOrderedProcessor())
        .post_init(post_init)
    )
    app = (builder if polling else builder.updater(None)).build()
    app.bot_data["services"] = services
    # edits first: no other handler (commands, answers, workbooks) takes an edited message
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited))
    workbooks.install(app)  # workbooks and their buttons, before the handlers below
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, on_added))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_handler(MessageHandler(filters.COMMAND, on_command))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT | filters.Document.ALL | filters.PHOTO, on_message))
    app.add_error_handler(on_error)
    schedule(app, services)
    return app
