"""Checks the code relies on, as explicit errors: unlike `assert`, they hold under `python -O`."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class Broken(RuntimeError):
    """Something the code relies on does not hold: a bug, not a user's mistake."""


def required(value: T | None, what: str) -> T:
    """`value`, which the caller knows is there; `Broken` naming `what` when it is not."""
    if value is None:
        raise Broken(f"{what} is missing")
    return value
