"""Links that open the private chat with the bot on one task: `t.me/<bot>?start=<payload>`.

Telegram allows 64 characters of `A-Za-z0-9_-` for the payload. Ours is signed (HMAC-SHA256
with a key only the bot has), so it cannot be guessed or altered, and it names the person,
the unit, the reporting day and when it expires; nothing needs storing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PREFIX = "w"  # the weekly update; other tasks would take other letters
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
LIFETIME = timedelta(hours=24)
_EPOCH = date(2000, 1, 1)
_FIELDS = struct.Struct(">QIHI")  # person, unit, reporting day, expiry (minutes since 2000)
_SIGNATURE = 12


@dataclass(frozen=True)
class WeeklyLink:
    """A weekly update to be done in private: who, for which unit and week, until when."""

    user_id: int
    unit_id: int
    period: date
    expires: datetime


class LinkError(Exception):
    """A payload that is not ours, was altered, or has expired; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "forged" or "expired"


def link_key(secret: str) -> bytes:
    """The signing key, derived from the bot's secret (its token)."""
    return hashlib.sha256(b"taizhang deep link\0" + secret.encode()).digest()


def _minutes(at: datetime) -> int:
    return int((at - datetime(2000, 1, 1, tzinfo=UTC)).total_seconds() // 60)


def make_payload(key: bytes, link: WeeklyLink) -> str:
    """The link's payload: 41 characters of the allowed alphabet."""
    body = _FIELDS.pack(
        link.user_id, link.unit_id, (link.period - _EPOCH).days, _minutes(link.expires)
    )
    mac = hmac.new(key, PREFIX.encode() + body, hashlib.sha256).digest()[:_SIGNATURE]
    return PREFIX + base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def read_payload(key: bytes, payload: str, now: datetime) -> WeeklyLink:
    """The link a payload stands for, or `LinkError`."""
    if not PAYLOAD.fullmatch(payload) or not payload.startswith(PREFIX):
        raise LinkError("forged")
    text = payload[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as err:
        raise LinkError("forged") from err
    if len(raw) != _FIELDS.size + _SIGNATURE:
        raise LinkError("forged")
    body, mac = raw[: _FIELDS.size], raw[_FIELDS.size :]
    wanted = hmac.new(key, PREFIX.encode() + body, hashlib.sha256).digest()[:_SIGNATURE]
    if not hmac.compare_digest(mac, wanted):
        raise LinkError("forged")
    user_id, unit_id, days, minutes = _FIELDS.unpack(body)
    expires = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    if now >= expires:
        raise LinkError("expired")
    return WeeklyLink(user_id, unit_id, _EPOCH + timedelta(days=days), expires)
