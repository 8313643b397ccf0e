"""What the web server takes from a caller, and for how long: one place for the limits every
route shares (a body's time, the depth of its JSON, an id in a path), so a hostile request is
answered with a one-line 4xx, never a 500 and never a connection held open."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import TypeVar

from aiohttp import web

T = TypeVar("T")
HEADER_SECONDS = 10.0  # a request's line and headers must have arrived by then (slowloris)
BODY_SECONDS = 30.0  # a body (JSON, a 20 MB upload on a slow phone line) must have arrived
LINGER_SECONDS = 1.0  # the rest of a body refused unread is drained this long, then closed
MAX_ID = 2**63 - 1  # ids are 64-bit in the database; a longer number is no id of ours
MEDIA_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*")
JSON_DEPTH = 32  # a form's JSON is two levels deep; deeper is an attack on the parser


class SlowBody(Exception):
    """The caller did not send its body within `BODY_SECONDS`."""


async def within_body_time(reading: Awaitable[T]) -> T:
    """Await a body's reading, or `SlowBody` once it has taken longer than allowed."""
    try:
        async with asyncio.timeout(BODY_SECONDS):
            return await reading
    except TimeoutError:
        raise SlowBody from None


ID_PARTS = ("item", "unit", "case", "n", "index")  # the path's parts that name a row or a place


def check_ids(request: web.Request) -> None:
    """Every id in the request's path is ASCII digits within 64 bits, else 404 — before a
    route parses it (a superscript ² passes `str.isdigit` and fails `int`; 10²² overflows
    the database)."""
    for name in ID_PARTS:
        raw = request.match_info.get(name)
        if raw is not None and not is_id(raw):
            raise web.HTTPNotFound()


def is_id(raw: str) -> bool:
    """Whether the text is an id we could have made."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 19 and int(raw) <= MAX_ID


def too_deep(value: object, depth: int = JSON_DEPTH) -> bool:
    """Whether parsed JSON nests deeper than `depth` (checked without recursion)."""
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if level > depth:
            return True
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return False


def media_type(kind: str) -> str:
    """A stored file's type as a response may carry it: `application/pdf; charset=utf-8` is
    `application/pdf` (aiohttp takes the charset apart), anything odd is octet-stream."""
    bare = kind.split(";", 1)[0].strip().lower()
    return bare if MEDIA_TYPE.fullmatch(bare) else "application/octet-stream"
