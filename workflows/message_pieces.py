"""A long text cut into messages within Telegram's limit, at line breaks where possible."""

from __future__ import annotations

PIECE_LIMIT = 4096  # characters of one Telegram message


def split_text(text: str, limit: int = PIECE_LIMIT) -> list[str]:
    """Cut text into messages within `limit`, at line breaks where possible."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts
