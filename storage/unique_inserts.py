"""Rows the database allows once, inserted in a savepoint: a taken key is an answer, not a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, SQLModel

from storage.audit import Stamp, record, snapshot

R = TypeVar("R", bound=SQLModel)
NUMBERING_ATTEMPTS = 8  # numbers taken by other processes in a row before we give up


class Taken(Exception):
    """The row's unique key is taken (another process, or an earlier request, was first)."""


def insert_once(session: Session, row: SQLModel) -> None:
    """Add and flush `row` in a savepoint; `Taken`, with nothing added, if its key is taken."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as err:
        raise Taken(str(row.__tablename__)) from err


def insert_skipping(session: Session, table: type[SQLModel], *unique: str) -> Insert:
    """An INSERT into `table` that skips the rows whose `unique` columns are taken, in one
    statement however many rows (the dialect's own ON CONFLICT DO NOTHING)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=list(unique))
    from sqlalchemy.dialects.sqlite import insert as lite_insert

    return lite_insert(table).on_conflict_do_nothing(index_elements=list(unique))


def numbered(
    session: Session, build: Callable[[int], R], first: Callable[[], int], stamp: Stamp, action: str
) -> R:
    """Insert `build(n)` with the next free number n (from `first()`), past those others took."""
    tried, last = 0, None
    for _ in range(NUMBERING_ATTEMPTS):
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
    raise Taken(f"no free number after {NUMBERING_ATTEMPTS} attempts (last {tried})") from last
