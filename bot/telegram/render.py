"""Turning replies into Telegram messages: escaped, within 4096 characters, prompts selective."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ExtBot

from bot.telegram.budget import LimitArgs
from bot.telegram.reply import Button, Reply
from bot.telegram.turn import Turn
from storage.drafts import SentPrompt
from workflows.forms.buttons import FormPress
from workflows.forms.engine import Ask
from workflows.json_types import JSONObject, JSONValue, json_int, json_ints, json_str
from workflows.message_pieces import split_text
from workflows.messages import msg

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH


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


def inline_button(label: str, button: Button) -> JSONObject:
    """A button as Telegram takes it (its JSON, as the outbox keeps it): a link, a Mini App
    page (private chats), or a press."""
    # plain JSON, not python-telegram-bot's objects and their to_dict: this runs for every
    # button of every reply (a weekly card's: 50 us a card the other way)
    if button.url:
        return {"text": label, "url": button.url}
    if button.web_app:
        return {"text": label, "web_app": {"url": button.web_app}}
    return {"text": label, "callback_data": button.data}


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


@dataclass(frozen=True)
class Outgoing:
    """One message of a turn's replies, rendered: what the outbox keeps of it."""

    chat_id: int
    text: str
    markup: JSONObject | None = None  # an inline keyboard or a ForceReply, as Telegram's JSON
    reply_to: int | None = None  # the person's message it answers (in a group)
    edit: int | None = None  # the pressed message it replaces (sent anew when it cannot be)
    prompt: tuple[int, int] | None = None  # the draft and revision whose prompt it is
    user_id: int | None = None  # the person addressed (a prompt's draft is theirs)
    file: JSONObject | None = None  # a stored file sent back by its id; no text

    def particulars(self) -> JSONObject:
        """What the outbox keeps besides the text and the buttons."""
        kept: JSONObject = {
            "reply_to": self.reply_to,
            "edit": self.edit,
            "prompt": [self.prompt[0], self.prompt[1]] if self.prompt else None,
            "user_id": self.user_id,
            "file": self.file,
        }
        return {k: v for k, v in kept.items() if v is not None}

    @classmethod
    def kept(cls, chat_id: int, text: str, markup: JSONObject | None, kept: JSONObject) -> Outgoing:
        """A message read back from the outbox."""
        prompt = json_ints(kept.get("prompt"))
        file = kept.get("file")
        return cls(
            chat_id,
            text,
            markup,
            json_int(kept.get("reply_to")),
            json_int(kept.get("edit")),
            (prompt[0], prompt[1]) if prompt else None,
            json_int(kept.get("user_id")),
            file if isinstance(file, dict) else None,
        )

    def sent_prompt(self, message_id: int) -> SentPrompt | None:
        """The prompt to remember once it is sent, if it is one."""
        if self.prompt is None or self.user_id is None:
            return None
        return SentPrompt(self.prompt[0], self.prompt[1], self.chat_id, self.user_id, message_id)


def outgoing(turn: Turn, pressed: int | None = None) -> tuple[list[Outgoing], list[MadeFile]]:
    """The turn's replies as the messages to send, in order; and apart, the pictures and
    files the bot made (a chart, an export), which are sent from memory. `pressed`: the
    message whose button was pressed, which a reply may replace."""
    source = turn.source
    out: list[Outgoing] = []
    made: list[MadeFile] = []
    for reply, text in folded(turn):
        chat_id = reply.chat_id or turn.chat.chat_id
        if reply.photo is not None or reply.document is not None:
            made.append(MadeFile(chat_id, reply, text))
            continue
        markup: JSONObject | None = None
        if reply.buttons:
            markup = _keyboard(turn, reply.buttons)
        elif reply.force_reply:
            markup = {"force_reply": True, "selective": True}
        if reply.edit and pressed is not None and len(text) <= MESSAGE_LIMIT:
            inline = markup if reply.buttons else None
            out.append(Outgoing(chat_id, text, inline, edit=pressed))
        else:
            reply_to = None
            if chat_id == turn.chat.chat_id and source.from_person and turn.is_group:
                reply_to = source.message_id
            pieces = split_text(text)
            for i, piece in enumerate(pieces):
                last = i == len(pieces) - 1
                prompt = (reply.draft_id, reply.rev) if last and reply.draft_id else None
                out.append(
                    Outgoing(
                        chat_id,
                        piece,
                        markup if last else None,
                        reply_to if i == 0 else None,
                        prompt=prompt,
                        user_id=turn.person.user_id if prompt else None,
                    )
                )
        out += [Outgoing(chat_id, "", file=dict(stored)) for stored in reply.files]
    return out, made


def _keyboard(turn: Turn, rows: list[list[Button]]) -> JSONObject:
    """An inline keyboard's JSON, its labels in the turn's language."""
    keyboard: list[JSONValue] = []
    for row in rows:
        buttons: list[JSONValue] = [inline_button(turn.text(b.label), b) for b in row]
        keyboard.append(buttons)
    return {"inline_keyboard": keyboard}


@dataclass(frozen=True)
class MadeFile:
    """A picture or a file the bot made for a reply, with its caption."""

    chat_id: int
    reply: Reply
    caption: str


async def send_outgoing(
    bot: ExtBot[LimitArgs], message: Outgoing, limit: LimitArgs | None = None
) -> Message | None:
    """Send one rendered message (`limit`: the rate limiter's arguments); what Telegram made
    of it, or None for an edit that left no message to speak of (or found it made already)."""
    chat_id = message.chat_id
    if message.file is not None:
        send = bot.send_photo if message.file.get("media") == "photo" else bot.send_document
        return await send(chat_id, json_str(message.file["file_id"]), rate_limit_args=limit)
    markup: InlineKeyboardMarkup | ForceReply | None = None
    if message.markup and "inline_keyboard" in message.markup:
        markup = InlineKeyboardMarkup.de_json(message.markup, bot)
    elif message.markup:
        markup = ForceReply.de_json(message.markup, bot)
    if message.edit is not None:
        try:
            edited = await bot.edit_message_text(
                message.text,
                chat_id=chat_id,
                message_id=message.edit,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
                rate_limit_args=limit,
            )
            return edited if isinstance(edited, Message) else None
        except BadRequest as err:
            if "not modified" in err.message:  # it shows this already: sent before a kill
                return None
            logger.info("could not edit: %s", err)  # too old to edit, or gone: send instead
    return await bot.send_message(
        chat_id,
        message.text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        reply_parameters=(
            ReplyParameters(message.reply_to, allow_sending_without_reply=True)
            if message.reply_to is not None
            else None
        ),
        rate_limit_args=limit,
    )


async def deliver(bot: ExtBot[LimitArgs], turn: Turn, pressed: int | None = None) -> None:
    """Send the turn's replies from memory, in order, after its unit of work committed (the
    way before replies were kept in the outbox; the made ones are still sent so)."""
    messages, made = outgoing(turn, pressed)
    for message in messages:
        try:
            sent = await send_outgoing(bot, message)
        except (BadRequest, Forbidden) as err:
            logger.warning("chat %s refused a message: %s", message.chat_id, err)
            continue
        prompt = message.sent_prompt(sent.message_id) if sent is not None else None
        if prompt is not None:
            turn.services.prompts.note(prompt)
    await send_made(bot, made)


async def send_made(bot: Bot, made: list[MadeFile]) -> None:
    """The pictures and files the bot made, each with its caption."""
    for each in made:
        await _send_generated(bot, each.chat_id, each.reply, each.caption)


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
