"""Rows the database allows once, inserted in a savepoint: a taken key is an answer, not a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from storage.audit import Stamp, record, snapshot

R = TypeVar("R", bound=SQLModel)
ATTEMPTS = 8  # numbers taken by other processes in a row before we give up


class Taken(Exception):
    """The row's unique key is taken (another process, or an earlier request, was first)."""


def insert_once(session: Session, row: SQLModel) -> None:
    """Add and flush `row` in a savepoint; `Taken`, with nothing added, if its key is taken."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as err:
        raise Taken(str(row.__tablename__)) from err


def numbered(
    session: Session, build: Callable[[int], R], first: Callable[[], int], stamp: Stamp, action: str
) -> R:
    """Insert `build(n)` with the next free number n (from `first()`), past those others took."""
    tried, last = 0, None
    for _ in range(ATTEMPTS):
        number = max(first(), tried + 1)
        row = build(number)
        try:
            insert_once(session, row)
        except Taken as err:
            tried, last = number, err
            continue
        entity = str(row.__tablename__)
        record(session, stamp, action, entity, getattr(row, "id", None), None, snapshot(row))
        return row
    raise Taken(f"no free number after {ATTEMPTS} attempts (last {tried})") from last
