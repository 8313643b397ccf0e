"""A chat list a page at a time: a page fits one Telegram message (4,096 characters) and one
of the group's 20 messages a minute, however long the list grows; ◀ ▶ turn it in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.telegram.reply import Button
from workflows.forms.buttons import Verb, callback_data
from workflows.messages import msg

T = TypeVar("T")

PAGE = 10  # rows on a page of a list (/items, /cases)


@dataclass(frozen=True)
class Page:
    """Which page of a list is shown (from 0), of how many."""

    number: int
    pages: int
    size: int

    @classmethod
    def of(cls, total: int, asked: int, size: int) -> Page:
        """The page asked for, kept within the list (an empty list has one, empty page)."""
        pages = max((total + size - 1) // size, 1)
        return cls(min(max(asked, 0), pages - 1), pages, size)

    def rows(self, listed: Sequence[T]) -> Sequence[T]:
        """This page's rows of the list."""
        return listed[self.number * self.size : (self.number + 1) * self.size]

    def buttons(self, verb: Verb) -> list[list[Button]]:
        """◀ and ▶ where there is a page before or after (none on a list of one page)."""
        nav = []
        if self.number > 0:
            nav.append(Button(msg("items.prev"), callback_data(verb, self.number - 1)))
        if self.number < self.pages - 1:
            nav.append(Button(msg("items.next"), callback_data(verb, self.number + 1)))
        return [nav] if nav else []
