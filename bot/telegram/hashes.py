"""A file sent in the chat, fetched from Telegram (getFile) to be kept with its SHA-256, size
and EXIF time, as a Mini App upload is.

The person's reply waits for it a short while only (`ANSWER_WAIT`): a file not fetched by then
(Telegram slow, refusing, away) is kept with Telegram's id alone, and the planner's pass
(`fill_pass`) fetches it later and fills its hash in, the same file once, across restarts. A
file over 20 MB Telegram never hands to a bot: it keeps its id and says it has no hash.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from telegram import Bot
from telegram.error import TelegramError

from bot.telegram.services import Services
from bot.telegram.source import Source
from storage import evidence as kept
from workflows.forms.inputs import FileAnswer
from workflows.json_types import JSONObject, json_int
from workflows.problems import evidence

logger = logging.getLogger(__name__)
ANSWER_WAIT = 2.0  # seconds a person's reply waits for their file's bytes; the pass does the rest
PASS_WAIT = 30.0  # seconds one planner pass gives its fetches, all together
PASS_BATCH = 8  # files one pass fetches at most


async def fetched_fingerprint(bot: Bot, file_id: str, wait: float) -> JSONObject | None:
    """The file's SHA-256, size and EXIF time, from its bytes fetched from Telegram within
    `wait` seconds; None when Telegram would not hand them over in time."""
    try:
        async with asyncio.timeout(wait):
            got = await bot.get_file(file_id)
            content = bytes(await got.download_as_bytearray())
    except (TelegramError, OSError, TimeoutError) as err:  # the pass tries again later
        logger.info("could not fetch evidence file %s: %r", file_id, err)
        return None
    return evidence.fingerprint_of(content)


def worth_fetching(source: Source) -> bool:
    """Whether a file is likely an answer (so evidence): in a private chat, or replying to the
    bot. In a group people send each other photos the bot should not download; one that does
    become evidence is fetched by the pass."""
    replied = source.replied
    return source.chat_kind == "private" or (replied is not None and replied.from_bot)


async def with_fingerprint(bot: Bot, source: Source, given: FileAnswer) -> FileAnswer:
    """The file as given, with its fingerprint when fetched within `ANSWER_WAIT`."""
    if not evidence.fetchable({"size": given.size}) or not worth_fetching(source):
        return given
    found = await fetched_fingerprint(bot, given.file_id, ANSWER_WAIT)
    if found is None:
        return given
    size = json_int(found.pop("size")) or 0
    return replace(given, size=given.size or size, proof={**given.proof, **found})


async def fill_pass(bot: Bot, services: Services) -> int:
    """Fetch the chat files kept without a hash (a batch, all at once) and fill their hash in;
    a failed fetch is tried again later. How many rows were filled."""

    def due() -> list[tuple[str, str]]:
        with services.db.unit_of_work() as session:
            rows = kept.unhashed(session, services.clock(), PASS_BATCH)
            return [(ev.file_id, ev.unique_id) for ev in rows]

    files = await asyncio.to_thread(due)
    if not files:
        return 0
    found = await asyncio.gather(*(fetched_fingerprint(bot, f, PASS_WAIT) for f, _ in files))

    def save() -> int:
        filled = 0
        with services.db.unit_of_work() as session:
            for (file_id, unique_id), proof in zip(files, found, strict=True):
                if proof is None:
                    kept.hash_failed(session, file_id, unique_id, services.clock())
                else:
                    filled += kept.fill_hash(session, file_id, unique_id, proof)
        return filled

    return await asyncio.to_thread(save)
