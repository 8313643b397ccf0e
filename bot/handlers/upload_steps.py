"""The steps of reading a workbook sent to the bot: a unit of work each, the download, the
upload kept between the preview and the confirm.

A workbook is downloaded and read off the event loop, in a task of its own, so the bot goes on
serving everyone else; the database is touched only briefly before and after the reading.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Update
from telegram.error import TelegramError

from bot.telegram.render import deliver
from bot.telegram.turn import Ctx, Turn, open_turn, services_of
from storage import uploads
from storage.models import WorkbookUpload
from workflows.inputs import FileAnswer
from workflows.messages import msg

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Upload:
    """A file sent to the bot, and whether `/import` was its caption."""

    file: FileAnswer
    forced: bool = False  # `/import` as the caption: read as a ledger whatever else waits
    unit: str = ""  # `/import 轮台县`: the unit an admin names


async def turn_in(
    update: Update, context: Ctx, body: Callable[[Turn], T], *, thread: bool = False
) -> tuple[Turn | None, T | None]:
    """One unit of work for this update (in a worker thread if asked); replies after commit."""
    services = services_of(context)

    def work() -> tuple[Turn | None, T | None]:
        with services.db.unit_of_work() as session:
            turn = open_turn(session, services, update)
            return turn, (body(turn) if turn is not None else None)

    turn, result = await asyncio.to_thread(work) if thread else work()
    if turn is not None and turn.replies:
        await deliver(turn)
    return turn, result


async def download(update: Update, context: Ctx, file_id: str, name: str) -> bytes | None:
    """The file's content from Telegram, or None with the failure said."""
    try:
        file = await context.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError as err:
        logger.warning("could not download %s: %s", name, err)
        await turn_in(update, context, lambda t: t.say(msg("workbook.download_failed", name=name)))
        return None


def digest(data: bytes) -> str:
    """The file's fingerprint: the save reads the same file the preview did, or none."""
    return hashlib.sha256(data).hexdigest()


def keep_upload(
    turn: Turn, kind: str, unit_id: int | None, file: dict[str, Any], state: dict[str, Any]
) -> WorkbookUpload:
    """Keep a read workbook (its file, its unit, what the preview said) until it is confirmed."""
    return uploads.save_upload(
        turn.session,
        kind=kind,
        chat_id=turn.chat.chat_id,
        user_id=turn.person.user_id,
        unit_id=unit_id,
        file=file,
        state=state,
        at=turn.stamp.at,
    )


def owned_upload(
    turn: Turn, upload_id: int, kind: str, status: str = uploads.PENDING
) -> WorkbookUpload | None:
    """The kept upload a button names, if it is still of this kind and state (else stale)."""
    row = uploads.upload_by_id(turn.session, upload_id)
    if row is None or row.kind != kind or row.status != status or row.unit_id is None:
        turn.say(msg("form.stale_button"))
        return None
    return row
