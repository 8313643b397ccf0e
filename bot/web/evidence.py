"""Evidence uploaded from the phone: read within its limit, kept on Telegram like a file sent
in the chat (so a close-out request, `/item` and the export name it the same way).

The bot sends the file to the person's own private chat with a caption (the record of what
was uploaded) and keeps Telegram's file id, name, type and size, as for a file sent in reply to
a prompt. A person who never allowed the bot to write to them is asked to, first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from telegram import InputFile, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.telegram.turn import Turn
from bot.web.calls import BOT, TURNS, Answer, Call, Refused, refusal
from workflows import evidence
from workflows.inputs import FILE_LIMIT
from workflows.messages import msg

PHOTO_LIMIT = 10 * 1024 * 1024  # Telegram takes photos up to 10 MB; larger ones go as files
PHOTOS = ("image/jpeg", "image/png", "image/webp")
FIELD_LIMIT = 4000  # bytes of a text field sent beside the files (a close-out's result)


@dataclass(frozen=True)
class Upload:
    """A file the page sent, whole."""

    name: str
    mime: str
    content: bytes


@dataclass(frozen=True)
class Uploads:
    """A form sent with its files (a close-out request): its text fields and files."""

    fields: dict[str, str]
    files: list[Upload]


@dataclass(frozen=True)
class Stored:
    """A file kept on Telegram, as the drafts keep a file sent in the chat."""

    file: dict[str, Any]


async def read_form(request: web.Request, *, max_files: int = 20) -> Uploads:
    """A multipart form: its text fields and files, each within its limit; `Refused` else."""
    if not request.content_type.startswith("multipart/"):
        raise Refused(400, msg("app.refused.bad_request"))
    if request.content_length is not None and request.content_length > FILE_LIMIT * 2:
        raise Refused(413, msg("app.refused.too_large"))
    reader = await request.multipart()
    fields: dict[str, str] = {}
    files: list[Upload] = []
    total = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            raise Refused(400, msg("app.refused.bad_request"))
        limit = FILE_LIMIT if part.filename else FIELD_LIMIT
        chunks: list[bytes] = []
        size = 0
        while chunk := await part.read_chunk(64 * 1024):
            size += len(chunk)
            total += len(chunk)
            if size > limit or total > FILE_LIMIT * 2:
                raise Refused(413, msg("app.refused.too_large"))
            chunks.append(chunk)
        content = b"".join(chunks)
        if part.filename:
            if len(files) >= max_files:
                raise Refused(413, msg("app.refused.too_large"))
            mime = part.headers.get("Content-Type", "application/octet-stream")
            files.append(Upload(_name(part.filename), mime, content))
        else:
            fields[part.name] = content.decode("utf-8", errors="replace")
    return Uploads(fields, files)


def _name(raw: str) -> str:
    """A file's name as the person sees it: some clients percent-encode a non-ASCII name."""
    if raw.isascii() and "%" in raw:
        raw = unquote(raw)
    return raw.replace("/", "_").replace("\\", "_")[:128] or "file"


async def read_upload(request: web.Request) -> Upload:
    """The one file a form sends (field `file`)."""
    form = await read_form(request, max_files=1)
    if not form.files or not form.files[0].content:
        raise Refused(400, msg("app.refused.bad_request"))
    return form.files[0]


async def keep_on_telegram(
    request: web.Request, call: Call, upload: Upload, caption: str
) -> Stored | web.Response:
    """Send the file to the person's private chat; the file as the drafts keep it."""
    bot = request.app[BOT].bot
    user_id = call.caller.speaker.user_id
    photo = upload.mime in PHOTOS and len(upload.content) <= PHOTO_LIMIT
    data = InputFile(upload.content, filename=upload.name)
    try:
        sent: Message = await (
            bot.send_photo(user_id, data, caption=caption)
            if photo
            else bot.send_document(user_id, data, caption=caption)
        )
    except Forbidden:
        return refusal(request, 403, msg("app.refused.write_access"), call.caller.language)
    except BadRequest as err:
        return refusal(request, 400, msg("app.upload_failed", reason=err.message))
    except TelegramError as err:
        return refusal(request, 502, msg("app.upload_failed", reason=str(err)))
    if photo and sent.photo:
        file_id, unique_id = sent.photo[-1].file_id, sent.photo[-1].file_unique_id
    elif sent.document is not None:
        file_id, unique_id = sent.document.file_id, sent.document.file_unique_id
    else:
        return refusal(request, 502, msg("app.upload_failed", reason=""))
    media = "photo" if photo and sent.photo else "document"
    return Stored(
        {
            "file_id": file_id,
            "name": upload.name,
            "mime": upload.mime,
            "size": len(upload.content),
            "media": media,
            # the bytes passed through here: the hash of what the person sent, not of
            # Telegram's copy (a photo is recompressed); the EXIF time before it is stripped
            "sha256": evidence.digest(upload.content),
            "unique_id": unique_id,
            "sender": user_id,
            "taken_at": evidence.exif_time(upload.content),
        }
    )


async def store_file(
    request: web.Request, call: Call, upload: Upload, check: Callable[[Turn], Answer]
) -> Stored | web.Response:
    """One turn to check the file may be added (its answer gives the caption), then the file
    kept on Telegram; a refusal as the response."""
    turn, answer = await request.app[TURNS].run(call.source, check, send=False)
    if turn is None or answer is None:
        return refusal(request, 403, msg("app.refused.forged"), call.caller.language)
    if answer.status >= 400:
        return web.json_response({"ok": False, **answer.data}, status=answer.status)
    return await keep_on_telegram(request, call, upload, str(answer.data["caption"]))
