"""Turning replies into Telegram messages: escaped, within 4096 characters, prompts selective."""

from __future__ import annotations

import html
import logging

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    WebAppInfo,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden

from bot.telegram.turn import Button, Reply, Turn
from storage.drafts import SentPrompt
from workflows.buttons import FormPress
from workflows.forms import Ask
from workflows.messages import msg
from workflows.pieces import split_text

logger = logging.getLogger(__name__)

LIMIT = MessageLimit.MAX_TEXT_LENGTH


def ask_reply(turn: Turn, ask: Ask, draft_id: int, rev: int) -> Reply:
    """The prompt of a step: buttons for choices, a selective ForceReply for typed answers."""
    buttons = [
        Button(opt.label, FormPress(draft_id, rev, i).data) for i, opt in enumerate(ask.options)
    ]
    rows = _rows(turn, buttons)
    typed = ask.kind not in ("choice", "confirm", "card")
    return Reply(
        ask.prompt,
        buttons=rows,
        force_reply=typed,
        mention=turn.is_group,
        error=ask.error,
        ask=ask,
        draft_id=draft_id,
        rev=rev,
    )


def _rows(turn: Turn, buttons: list[Button]) -> list[list[Button]]:
    """Two buttons a row when their labels are short, else one."""
    if all(len(turn.text(b.label)) <= 8 for b in buttons):
        return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [[b] for b in buttons]


def compose(turn: Turn, reply: Reply, *, mention: bool | None = None) -> str:
    """The reply's HTML text: the error first, the prompt, then how to go back or stop."""
    tr = turn.services.translator
    body = tr.text(reply.text, turn.lang, tz=turn.zone, escape=True, year=turn.year)
    lines = []
    if reply.mention if mention is None else mention:
        name = html.escape(turn.person.name or turn.person.display_name or str(turn.person.user_id))
        lines.append(f'<a href="tg://user?id={turn.person.user_id}">{name}</a>')
    if reply.error is not None:
        lines.append(
            "⚠️ " + tr.text(reply.error, turn.lang, tz=turn.zone, escape=True, year=turn.year)
        )
    lines.append(body)
    if reply.ask is not None:
        hint = "form.hint_optional" if reply.ask.optional else "form.hint"
        if reply.ask.kind in ("choice", "confirm"):
            hint = "form.hint_buttons"
        elif reply.ask.kind == "card":
            hint = "form.hint_card"
        lines.append(tr.text(msg(hint), turn.lang))
    return "\n".join(lines)


def inline_button(label: str, button: Button) -> InlineKeyboardButton:
    """A button as Telegram takes it: a link, a Mini App page (private chats), or a press."""
    if button.url:
        return InlineKeyboardButton(label, url=button.url)
    if button.web_app:
        return InlineKeyboardButton(label, web_app=WebAppInfo(button.web_app))
    return InlineKeyboardButton(label, callback_data=button.data)


def _plain(reply: Reply) -> bool:
    """Text and nothing else: it can be folded into the message that follows it."""
    return not (
        reply.buttons
        or reply.force_reply
        or reply.files
        or reply.photo is not None
        or reply.document is not None
        or reply.edit
    )


def folded(turn: Turn) -> list[tuple[Reply, str]]:
    """The turn's replies as messages: a plain reply joins the next one to the same chat.

    In a group every message spends the group's budget, so "saved" and the next prompt are
    one message, not two.
    """
    out: list[tuple[Reply, str]] = []
    waiting: list[Reply] = []

    def flush() -> None:
        if not waiting:
            return
        mention = any(r.mention for r in waiting)
        texts = [compose(turn, r, mention=mention and i == 0) for i, r in enumerate(waiting)]
        out.append((waiting[-1], "\n\n".join(texts)))
        waiting.clear()

    for reply in turn.replies:
        if waiting and reply.chat_id != waiting[0].chat_id:
            flush()
        if reply.photo is not None or reply.document is not None or reply.edit:
            flush()
            out.append((reply, compose(turn, reply)))
            continue
        waiting.append(reply)
        if not _plain(reply):
            flush()
    flush()
    return out


async def deliver(bot: Bot, turn: Turn, query_message: Message | None = None) -> None:
    """Send the turn's replies, in order, after its unit of work committed."""
    source = turn.source
    for reply, text in folded(turn):
        markup: InlineKeyboardMarkup | ForceReply | None = None
        if reply.buttons:
            markup = InlineKeyboardMarkup(
                [[inline_button(turn.text(b.label), b) for b in row] for row in reply.buttons]
            )
        elif reply.force_reply:
            markup = ForceReply(selective=True, input_field_placeholder=None)
        chat_id = reply.chat_id or turn.chat.chat_id
        if reply.photo is not None or reply.document is not None:
            await _send_generated(bot, chat_id, reply, text)
            continue
        if reply.edit and query_message is not None and len(text) <= LIMIT:
            try:
                await query_message.edit_text(
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                )
                continue
            except BadRequest as err:  # "not modified", or too old to edit: send instead
                logger.info("could not edit: %s", err)
        reply_to = None
        if chat_id == turn.chat.chat_id and source.from_person and turn.is_group:
            reply_to = source.message_id
        pieces = split_text(text)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            try:
                sent = await bot.send_message(
                    chat_id,
                    piece,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    reply_parameters=(
                        ReplyParameters(reply_to, allow_sending_without_reply=True)
                        if reply_to is not None and i == 0
                        else None
                    ),
                )
            except Forbidden as err:
                logger.warning("chat %s refused a message: %s", chat_id, err)
                break
            if last and reply.draft_id:
                turn.services.prompts.note(
                    SentPrompt(
                        reply.draft_id, reply.rev, chat_id, turn.person.user_id, sent.message_id
                    )
                )
        for stored in reply.files:
            send = bot.send_photo if stored.get("media") == "photo" else bot.send_document
            try:
                await send(chat_id, stored["file_id"])
            except (BadRequest, Forbidden) as err:
                logger.warning("could not send %s: %s", stored.get("name"), err)


async def _send_generated(bot: Bot, chat_id: int, reply: Reply, caption: str) -> None:
    """A picture or a file made by the bot, with its caption."""
    try:
        if reply.photo is not None:
            await bot.send_photo(chat_id, reply.photo, caption=caption, parse_mode=ParseMode.HTML)
        elif reply.document is not None:
            name, content = reply.document
            await bot.send_document(
                chat_id, content, filename=name, caption=caption, parse_mode=ParseMode.HTML
            )
    except (BadRequest, Forbidden) as err:
        logger.warning("could not send to %s: %s", chat_id, err)
