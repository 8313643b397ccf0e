"""Answering a press: at once, and once more when the answer did not get through.

Telegram stops the client's spinner when the press is answered, and takes no answer after
about 10 seconds. An answer lost to a dropped connection or a 5xx is tried again at once; one
refused as too old or unknown is not (nothing else depends on it).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import CallbackQuery
from telegram.error import NetworkError, RetryAfter, TelegramError

logger = logging.getLogger(__name__)

ANSWER_ATTEMPTS = 3
LONGEST_WAIT = 1.0  # seconds: a later answer is of no use to the person waiting


async def answer_press(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False, url: str | None = None
) -> bool:
    """Answer the press (its toast, or the link it opens); whether Telegram took the answer."""
    for attempt in range(1, ANSWER_ATTEMPTS + 1):
        try:
            await query.answer(text, show_alert=alert, url=url)
            return True
        except RetryAfter as err:
            wait = err.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            if attempt == ANSWER_ATTEMPTS or seconds > LONGEST_WAIT:
                logger.warning("could not answer a press: %s", err)
                return False
            await asyncio.sleep(seconds)
        except NetworkError as err:  # 5xx, a time-out, a dropped connection: not answered
            if attempt == ANSWER_ATTEMPTS:
                logger.warning("could not answer a press: %s", err)
                return False
        except TelegramError as err:  # too late, or the query is unknown: the turn stands
            logger.warning("could not answer a press: %s", err)
            return False
    return False
