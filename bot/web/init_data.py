"""Who is asking: Telegram's signed `initData`, checked on every call of the Mini App.

Telegram's documented algorithm: the data-check-string is every field but `hash`, as
`key=value`, sorted by key and joined by line feeds; the secret key is HMAC-SHA256 of the bot
token under the key `WebAppData`; the hash is the hex HMAC-SHA256 of the data-check-string
under the secret key. It is compared in constant time, and `auth_date` must be no older than
a day. Nothing is kept between calls: no cookie, no session.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from bot.telegram.source import Speaker
from workflows.clean import clean_name

FRESH_FOR = timedelta(days=1)
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run this far ahead of ours
MAX_LENGTH = 4096  # characters of initData we read at all (Telegram's are well under)


@dataclass(frozen=True)
class Caller:
    """The person Telegram vouches for, and what else the signed data says."""

    speaker: Speaker
    language: str  # the person's Telegram language code ("zh-hans", "en"), or ""
    start_param: str  # the direct link's payload ("" when opened otherwise)
    auth_date: datetime


class InitDataError(Exception):
    """initData that is missing, not Telegram's, or too old; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "missing", "forged" or "stale"


def secret_key(bot_token: str) -> bytes:
    """HMAC-SHA256 of the bot token under the key `WebAppData`."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _check_string(fields: list[tuple[str, str]]) -> str:
    return "\n".join(f"{k}={v}" for k, v in sorted(fields) if k != "hash")


def signed(bot_token: str, fields: dict[str, str]) -> str:
    """initData as Telegram would sign these fields for this bot (tests, the demo's link)."""
    pairs = [(k, v) for k, v in fields.items() if k != "hash"]
    digest = hmac.new(secret_key(bot_token), _check_string(pairs).encode(), hashlib.sha256)
    return urlencode([*pairs, ("hash", digest.hexdigest())])


def check(raw: str, bot_token: str, now: datetime) -> Caller:
    """The caller initData names, or `InitDataError` (nothing is trusted before the hash)."""
    if not raw:
        raise InitDataError("missing")
    if len(raw) > MAX_LENGTH:
        raise InitDataError("forged")
    try:
        fields = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("forged") from None
    given = [v for k, v in fields if k == "hash"]
    if len(given) != 1 or len({k for k, _ in fields}) != len(fields):
        raise InitDataError("forged")
    wanted = hmac.new(secret_key(bot_token), _check_string(fields).encode(), hashlib.sha256)
    if not hmac.compare_digest(wanted.hexdigest(), given[0].lower()):
        raise InitDataError("forged")
    data = dict(fields)
    try:
        auth_date = datetime.fromtimestamp(int(data["auth_date"]), UTC)
        user = json.loads(data["user"])
        speaker = Speaker(
            int(user["id"]),
            user.get("username"),
            clean_name(" ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)),
            bool(user.get("is_bot", False)),
        )
    except (KeyError, ValueError, TypeError, OverflowError, OSError):
        raise InitDataError("forged") from None
    if now - auth_date > FRESH_FOR:
        raise InitDataError("stale")
    if auth_date - now > CLOCK_SKEW:  # signed "in the future": a replay kept for later, or forged
        raise InitDataError("forged")
    language = user.get("language_code") if isinstance(user.get("language_code"), str) else ""
    return Caller(speaker, language or "", data.get("start_param", ""), auth_date)
