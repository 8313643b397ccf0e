"""Links that open the bot on one task: the private chat (`t.me/<bot>?start=<payload>`) or
the Mini App (`t.me/<bot>/<app>?startapp=<payload>`).

Telegram allows 64 characters of `A-Za-z0-9_-` for the payload. Ours is signed (HMAC-SHA256
with a key only the bot has), so it cannot be guessed or altered, and it names the person,
the unit, the reporting day (or the item) and when it expires; nothing needs storing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PREFIX = "w"  # the weekly update in the private chat
APP_PREFIX = "a"  # a page of the Mini App
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


def _signed(key: bytes, prefix: str, body: bytes) -> str:
    mac = hmac.new(key, prefix.encode() + body, hashlib.sha256).digest()[:_SIGNATURE]
    return prefix + base64.urlsafe_b64encode(body + mac).decode().rstrip("=")


def _checked(key: bytes, prefix: str, payload: str, size: int) -> bytes:
    """The signed body of a payload, or `LinkError("forged")`."""
    if not PAYLOAD.fullmatch(payload) or not payload.startswith(prefix):
        raise LinkError("forged")
    text = payload[len(prefix) :]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as err:
        raise LinkError("forged") from err
    if len(raw) != size + _SIGNATURE:
        raise LinkError("forged")
    body, mac = raw[:size], raw[size:]
    wanted = hmac.new(key, prefix.encode() + body, hashlib.sha256).digest()[:_SIGNATURE]
    if not hmac.compare_digest(mac, wanted):
        raise LinkError("forged")
    return body


def _expiry(minutes: int, now: datetime) -> datetime:
    expires = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    if now >= expires:
        raise LinkError("expired")
    return expires


def make_payload(key: bytes, link: WeeklyLink) -> str:
    """The link's payload: 41 characters of the allowed alphabet."""
    body = _FIELDS.pack(
        link.user_id, link.unit_id, (link.period - _EPOCH).days, _minutes(link.expires)
    )
    return _signed(key, PREFIX, body)


def read_payload(key: bytes, payload: str, now: datetime) -> WeeklyLink:
    """The link a payload stands for, or `LinkError`."""
    body = _checked(key, PREFIX, payload, _FIELDS.size)
    user_id, unit_id, days, minutes = _FIELDS.unpack(body)
    expires = _expiry(minutes, now)
    return WeeklyLink(user_id, unit_id, _EPOCH + timedelta(days=days), expires)


WEEK_PAGE, NEW_PAGE, ITEM_PAGE, BOARD_PAGE = 0, 1, 2, 3  # what a Mini App link opens
_APP_FIELDS = struct.Struct(">BqQIII")  # page, chat, person (0: any), unit, ref, expiry


@dataclass(frozen=True)
class AppLink:
    """A Mini App page for a unit: its week (`ref`: the reporting day, as days since 2000),
    a new problem, or one item (`ref`: its id); or the supervisors' board (no unit). Opened
    in `chat` (a unit's group, a supervisors' group, or the person's private chat), by
    `user_id` only (0: by anyone the page's role rule allows), until `expires`."""

    page: int
    unit_id: int
    ref: int
    expires: datetime
    user_id: int = 0
    chat_id: int = 0

    @property
    def period(self) -> date:
        """The reporting day a week's link names."""
        return _EPOCH + timedelta(days=self.ref)


def week_ref(period: date) -> int:
    """A reporting day as a week link's `ref`."""
    return (period - _EPOCH).days


def make_app_payload(key: bytes, link: AppLink) -> str:
    """The Mini App link's payload (`startapp`): 56 characters of the allowed alphabet."""
    body = _APP_FIELDS.pack(
        link.page, link.chat_id, link.user_id, link.unit_id, link.ref, _minutes(link.expires)
    )
    return _signed(key, APP_PREFIX, body)


def read_app_payload(key: bytes, payload: str, now: datetime) -> AppLink:
    """The Mini App link a payload stands for, or `LinkError`."""
    body = _checked(key, APP_PREFIX, payload, _APP_FIELDS.size)
    page, chat_id, user_id, unit_id, ref, minutes = _APP_FIELDS.unpack(body)
    if page not in (WEEK_PAGE, NEW_PAGE, ITEM_PAGE, BOARD_PAGE):
        raise LinkError("forged")
    return AppLink(page, unit_id, ref, _expiry(minutes, now), user_id, chat_id)


DOWNLOAD_PREFIX = "d"  # a file the board hands to Telegram's client to download
EVIDENCE_FILE, CIRCULAR_FILE, EXPORT_FILE = 0, 1, 2  # what a download ticket fetches
_TICKET_FIELDS = struct.Struct(">QBIHI")  # person, what, item, file number, expiry


@dataclass(frozen=True)
class Ticket:
    """A download for Telegram's client, which fetches a URL without the page's headers: for
    whom (checked again when it is used), which file, until when."""

    user_id: int
    what: int
    expires: datetime
    item_id: int = 0
    n: int = 0


def make_ticket(key: bytes, ticket: Ticket) -> str:
    """The ticket as a URL path segment: 43 characters of `A-Za-z0-9_-`."""
    body = _TICKET_FIELDS.pack(
        ticket.user_id, ticket.what, ticket.item_id, ticket.n, _minutes(ticket.expires)
    )
    return _signed(key, DOWNLOAD_PREFIX, body)


def read_ticket(key: bytes, payload: str, now: datetime) -> Ticket:
    """The download a ticket stands for, or `LinkError`."""
    body = _checked(key, DOWNLOAD_PREFIX, payload, _TICKET_FIELDS.size)
    user_id, what, item_id, n, minutes = _TICKET_FIELDS.unpack(body)
    if what not in (EVIDENCE_FILE, CIRCULAR_FILE, EXPORT_FILE):
        raise LinkError("forged")
    return Ticket(user_id, what, _expiry(minutes, now), item_id, n)
