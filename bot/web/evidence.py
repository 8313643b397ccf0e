"""Evidence uploaded from the phone: read within its limit, kept on Telegram like a file sent
in the chat (so a close-out request, `/item` and the export name it the same way).

The bot sends the file to the person's own private chat with a caption (the record of what
was uploaded) and keeps Telegram's file id, name, type and size, as for a file sent in reply to
a prompt. A person who never allowed the bot to write to them is asked to, first.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import IO
from urllib.parse import unquote

from aiohttp import BodyPartReader, ClientPayloadError, web
from telegram import InputFile, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.telegram.turn import Turn
from bot.web import request_limits
from bot.web.calls import (
    BOT,
    CALL,
    TURNS,
    Call,
    PageAnswer,
    PageRefused,
    RefusedAnswer,
    refusal_response,
    unit_of,
)
from workflows.clean import clean_name, clean_text
from workflows.forms.inputs import FILE_LIMIT
from workflows.json_read import json_object_of
from workflows.json_types import JSONObject
from workflows.messages import msg
from workflows.problems import evidence

logger = logging.getLogger(__name__)
PHOTO_LIMIT = 10 * 1024 * 1024  # Telegram takes photos up to 10 MB; larger ones go as files
PHOTOS = ("image/jpeg", "image/png", "image/webp")
SPOOL = 256 * 1024  # bytes of an upload held in memory; the rest goes to a temporary file
FIELD_LIMIT = 4000  # bytes of a text field sent beside the files (a close-out's result)


@dataclass(frozen=True)
class PageUpload:
    """A file the page sent, whole, kept on disk while the request lasts (the memory holds
    a quarter of a megabyte of it at most until it is sent on)."""

    name: str
    mime: str
    spool: IO[bytes]
    size: int
    sha256: str = ""  # of the bytes as they came in, hashed while streamed
    where: dict[str, float] | None = None  # the phone's location sent with it, if allowed

    @property
    def content(self) -> bytes:
        """The file's bytes."""
        self.spool.seek(0)
        return self.spool.read()

    def head(self, size: int) -> bytes:
        """The file's first `size` bytes (where a JPEG keeps its EXIF)."""
        self.spool.seek(0)
        return self.spool.read(size)


@dataclass(frozen=True)
class Uploads:
    """A form sent with its files (a close-out request): its text fields and files."""

    fields: dict[str, str]
    files: list[PageUpload]


@dataclass(frozen=True)
class StoredFile:
    """A file kept on Telegram, as the drafts keep a file sent in the chat."""

    file: JSONObject


async def read_form(request: web.Request, *, max_files: int = 20) -> Uploads:
    """A multipart form: its text fields and files, each within its limit, the files streamed
    to disk; `Refused` else. The caller's right to send one is checked before any of the body
    is read."""
    if not request.content_type.startswith("multipart/"):
        raise PageRefused(400, msg("app.refused.bad_request"))
    if request.content_length is not None and request.content_length > FILE_LIMIT * 2:
        raise PageRefused(413, msg("app.refused.too_large"))
    await may_send(request)
    try:
        return await request_limits.within_body_time(_read_parts(request, max_files))
    except (ValueError, AssertionError, ClientPayloadError, EOFError) as err:
        # a body cut short or malformed (aiohttp's reader asserts on some)
        raise PageRefused(400, msg("app.refused.bad_request")) from err


async def _read_parts(request: web.Request, max_files: int) -> Uploads:
    reader = await request.multipart()
    fields: dict[str, str] = {}
    files: list[PageUpload] = []
    total = 0
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            raise PageRefused(400, msg("app.refused.bad_request"))
        if part.filename and len(files) >= max_files:
            raise PageRefused(413, msg("app.refused.too_large"))
        limit = FILE_LIMIT if part.filename else FIELD_LIMIT
        # kept open in the Upload until the file is sent on: no `with` here
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115
        size = 0
        hashed = hashlib.sha256()  # the evidence's identity, taken as the bytes pass
        while chunk := await part.read_chunk(64 * 1024):
            size += len(chunk)
            total += len(chunk)
            if size > limit or total > FILE_LIMIT * 2:
                spool.close()
                raise PageRefused(413, msg("app.refused.too_large"))
            spool.write(chunk)
            hashed.update(chunk)
        if part.filename:
            mime = part.headers.get("Content-Type", "application/octet-stream")
            files.append(PageUpload(_name(part.filename), mime, spool, size, hashed.hexdigest()))
        else:
            spool.seek(0)
            fields[part.name] = clean_text(spool.read().decode("utf-8", errors="replace"))
            spool.close()
    where = where_of(fields)
    return Uploads(fields, [replace(f, where=where) for f in files] if where else files)


def where_of(fields: Mapping[str, str]) -> dict[str, float] | None:
    """The location the page sent beside the files (Telegram's LocationManager, when the
    person allowed it): latitude, longitude and accuracy in metres; None if absent or absurd."""
    try:
        lat, lon = float(fields["latitude"]), float(fields["longitude"])
        accuracy = float(fields.get("accuracy") or 0)
    except (KeyError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= accuracy < 1e7):
        return None  # also NaN, which compares false
    return {"latitude": lat, "longitude": lon, "accuracy": accuracy}


async def may_send(request: web.Request) -> None:
    """`Refused` unless the caller may send files for the call's unit (its liaisons, an
    admin): checked in a turn of its own, before the body is read."""
    call = request.get(CALL)
    if call is None:
        return

    def may(turn: Turn) -> PageAnswer | None:
        unit = unit_of(turn, call)
        return unit if isinstance(unit, PageAnswer) else None

    turn, refused = await request.app[TURNS].run(call.source, may, send=False)
    if turn is None:
        raise PageRefused(403, msg("app.refused.forged"))
    if refused is not None:
        raise RefusedAnswer(refused)


def _name(raw: str) -> str:
    """A file's name as the person sees it: some clients percent-encode a non-ASCII name."""
    if raw.isascii() and "%" in raw:
        raw = unquote(raw)
    return clean_name(raw).replace("/", "_").replace("\\", "_")[:128] or "file"


async def read_upload(request: web.Request) -> PageUpload:
    """The one file a form sends (field `file`)."""
    form = await read_form(request, max_files=1)
    if not form.files or not form.files[0].size:
        raise PageRefused(400, msg("app.refused.bad_request"))
    return form.files[0]


async def keep_on_telegram(
    request: web.Request, call: Call, upload: PageUpload, caption: str
) -> StoredFile | web.Response:
    """Send the file to the person's private chat; the file as the drafts keep it."""
    bot = request.app[BOT].bot
    user_id = call.caller.speaker.user_id
    photo = upload.mime in PHOTOS and upload.size <= PHOTO_LIMIT
    data = InputFile(upload.content, filename=upload.name)
    try:
        sent: Message = await (
            bot.send_photo(user_id, data, caption=caption)
            if photo
            else bot.send_document(user_id, data, caption=caption)
        )
    except Forbidden:
        return refusal_response(request, 403, msg("app.refused.write_access"), call.caller.language)
    except BadRequest as err:  # Telegram's reason is for the log, not the person
        logger.warning("upload refused by Telegram: %s", err.message)
        return refusal_response(request, 400, msg("limits.app.upload_failed"), call.caller.language)
    except (TelegramError, OSError) as err:
        logger.warning("upload failed: %r", err)
        return refusal_response(request, 502, msg("limits.app.upload_failed"), call.caller.language)
    if photo and sent.photo:
        file_id, unique_id = sent.photo[-1].file_id, sent.photo[-1].file_unique_id
    elif sent.document is not None:
        file_id, unique_id = sent.document.file_id, sent.document.file_unique_id
    else:
        return refusal_response(request, 502, msg("limits.app.upload_failed"), call.caller.language)
    media = "photo" if photo and sent.photo else "document"
    return StoredFile(
        {
            "file_id": file_id,
            "name": upload.name,
            "mime": upload.mime,
            "media": media,
            # the bytes passed through here: the hash of what the person sent, not of
            # Telegram's copy (a photo is recompressed); the EXIF time before it is stripped
            **evidence.fingerprint(upload.head(evidence.EXIF_HEAD), upload.sha256, upload.size),
            "unique_id": unique_id,
            "sender": user_id,
            **({"where": json_object_of(upload.where)} if upload.where else {}),
        }
    )


async def store_file(
    request: web.Request, call: Call, upload: PageUpload, check: Callable[[Turn], PageAnswer]
) -> StoredFile | web.Response:
    """One turn to check the file may be added (its answer gives the caption), then the file
    kept on Telegram; a refusal as the response."""
    turn, answer = await request.app[TURNS].run(call.source, check, send=False)
    if turn is None or answer is None:
        return refusal_response(request, 403, msg("app.refused.forged"), call.caller.language)
    if answer.status >= 400:
        return web.json_response({"ok": False, **answer.data}, status=answer.status)
    return await keep_on_telegram(request, call, upload, str(answer.data["caption"]))
