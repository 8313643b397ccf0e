"""Telegram's rules for what a message may hold: HTML entities, lengths, error answers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

API_TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    """An error answer, as Telegram words it."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


class _Entities(HTMLParser):
    """Telegram's HTML parse mode: a small set of tags, properly nested, entities escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees: entities parsed (HTML), or the text as sent."""
    if (parse_mode or "").upper() != "HTML":
        return text
    for m in re.finditer(r"&[^;\s]*;?", text):
        if not _ENTITY.match(text, m.start()):
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Character '&' is reserved and must be "
                f"escaped with &amp; at byte offset {len(text[: m.start()].encode())}",
            )
    for m in re.finditer(r"<(?!/?[a-zA-Z-]+[\s>/])", text):
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Unexpected character '<' at byte offset "
            f"{len(text[: m.start()].encode())}",
        )
    parser = _Entities()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise ApiError(
            400,
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start "
            f'tag "{parser.stack[-1]}"',
        )
    return "".join(parser.text)  # the parser has converted the character references once


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
