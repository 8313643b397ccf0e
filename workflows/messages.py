"""Localisable messages: the domain speaks in message ids, the adapter renders them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Msg:
    """A user-facing sentence: a message id in `locales/` and its named placeholders."""

    id: str
    params: Mapping[str, object] = field(default_factory=dict)


def msg(message_id: str, /, **params: object) -> Msg:
    """Build a `Msg` with keyword placeholders."""
    return Msg(message_id, params)


class Lines(tuple[Msg | str, ...]):
    """Several messages shown one per line (a list inside a sentence is a plain list)."""


def lines(items: list[Msg | str]) -> Msg:
    """One message made of lines."""
    return msg("lines", body=Lines(items))


# a message said in the reader's language (a document's, a chart's): bot/ makes one per turn
Say = Callable[[Msg | str], str]
