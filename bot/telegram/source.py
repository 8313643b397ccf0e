"""Where a turn comes from (`Source`: chat, speaker, message replied to), read from an update."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message, Update, User
from telegram.constants import MessageEntityType

from workflows.clean import clean_name, clean_text
from workflows.forms.inputs import Answer, FileAnswer, TextAnswer


@dataclass(frozen=True)
class Speaker:
    """The person behind a turn, as Telegram names them."""

    user_id: int
    username: str | None
    full_name: str
    is_bot: bool = False


@dataclass(frozen=True)
class Replied:
    """The message a person's message replies to."""

    message_id: int
    sender: Speaker | None
    text: str  # its text or caption
    answer: Answer | None = None  # what it holds (its file, for /forward by reply)
    mentions: frozenset[int] = frozenset()  # the people it addresses (a prompt in a group)

    @property
    def from_bot(self) -> bool:
        """Whether a bot wrote it (in a group, privacy mode shows us replies to our own only)."""
        return self.sender is not None and self.sender.is_bot


@dataclass(frozen=True)
class Source:
    """Where a turn comes from: a chat update, or a Mini App call acting in a chat."""

    chat_id: int
    chat_kind: str
    chat_title: str
    speaker: Speaker
    message_id: int | None = None  # the person's message, or the bot message pressed
    pressed: bool = False
    replied: Replied | None = None
    caption: str = ""
    bot_username: str = ""
    update_id: int | None = (
        None  # Telegram's, on an update's first turn (storage/handled_updates.py)
    )

    @property
    def from_person(self) -> bool:
        """Whether `message_id` is the person's own message (a reply in a group quotes it)."""
        return self.message_id is not None and not self.pressed


def speaker_of(user: User) -> Speaker:
    """A Telegram user as a turn's speaker."""
    return Speaker(user.id, user.username, clean_name(user.full_name), user.is_bot)


def source_of(update: Update, bot_username: str) -> Source | None:
    """Where a chat update comes from; None for updates with no chat or no speaker."""
    tg_chat, user = update.effective_chat, update.effective_user
    if tg_chat is None or user is None:
        return None
    query = update.callback_query
    message = update.effective_message
    replied = message.reply_to_message if message is not None and query is None else None
    return Source(
        chat_id=tg_chat.id,
        chat_kind=tg_chat.type,
        chat_title=clean_name(tg_chat.title or tg_chat.full_name or ""),
        speaker=speaker_of(user),
        message_id=message.message_id if message is not None else None,
        pressed=query is not None,
        replied=_replied(replied) if replied is not None else None,
        caption=clean_text(message.caption or "") if message is not None and query is None else "",
        bot_username=bot_username,
        update_id=update.update_id,
    )


def _replied(message: Message) -> Replied:
    mentions = frozenset(
        e.user.id
        for e in (*message.entities, *message.caption_entities)
        if e.type == MessageEntityType.TEXT_MENTION and e.user is not None
    )
    sender = speaker_of(message.from_user) if message.from_user is not None else None
    return Replied(
        message.message_id,
        sender,
        clean_text(message.text or message.caption or ""),
        message_answer(message),
        mentions,
    )


def message_answer(message: Message) -> Answer | None:
    """What a message answers: its text, a document, or the largest size of a photo."""
    # its file_unique_id tells the same file sent again (by anyone, in any chat); its SHA-256
    # is added once its bytes are fetched (`bot/telegram/hashes.py`)
    sender = {"sender": message.from_user.id} if message.from_user is not None else {}
    if message.document is not None:
        d = message.document
        name = clean_name(d.file_name or "") or "file"
        proof = {"unique_id": d.file_unique_id, **sender}
        return FileAnswer(d.file_id, name, d.mime_type or "", d.file_size or 0, "document", proof)
    if message.photo:
        p = message.photo[-1]
        proof = {"unique_id": p.file_unique_id, **sender}
        return FileAnswer(
            p.file_id,
            f"photo_{p.file_unique_id}.jpg",
            "image/jpeg",
            p.file_size or 0,
            "photo",
            proof,
        )
    if message.text is not None:
        return TextAnswer(clean_text(message.text))
    return None
