"""The Mini App's writes done (`PageAction`), each under the id its page made for it.

A page on a slow network is tapped twice, or its request is sent again by the network; a
second process may receive the copy. The first unit of work to take the id does the write and
keeps its answer in the same transaction; every copy gets that answer, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select, update
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col

from storage.models import PageAction
from storage.unique_inserts import insert_skipping
from workflows.json_types import JSONObject

ACTIONS_KEPT = timedelta(days=2)  # a page retries within seconds; a reopened page makes new ids

_INSERTS: dict[str, ReturningInsert[tuple[int]]] = {}  # by dialect: built once, run per write


@dataclass(frozen=True)
class Done:
    """The first answer to an action: its HTTP status and its JSON."""

    status: int
    answer: JSONObject


def done_before(session: Session, user_id: int, action_id: str) -> Done | None:
    """The answer already given to the person's action, if it was done (read only)."""
    row = session.connection().execute(_answer_of(user_id, action_id)).first()
    return Done(row.status, dict(row.answer)) if row is not None and row.status else None


def take(session: Session, user_id: int, action_id: str, now: datetime) -> Done | None:
    """Take the action in this unit of work: None when it is ours to do; else the first
    answer (a second process taking it at once waits for the first one's commit, then sees
    the answer it kept)."""
    dialect = session.get_bind().dialect.name
    stmt = _INSERTS.get(dialect)
    if stmt is None:
        skipping = insert_skipping(session, PageAction, "user_id", "action_id")
        stmt = _INSERTS[dialect] = skipping.returning(col(PageAction.user_id))
    row = {"user_id": user_id, "action_id": action_id, "status": 0, "answer": {}, "done_at": now}
    if session.connection().execute(stmt, row).all():
        mine = col(PageAction.user_id) == user_id
        old = col(PageAction.done_at) < now - ACTIONS_KEPT
        session.connection().execute(delete(PageAction).where(mine, old))
        return None
    first = session.connection().execute(_answer_of(user_id, action_id)).first()
    return Done(first.status, dict(first.answer)) if first is not None else Done(409, {})


def keep(session: Session, user_id: int, action_id: str, done: Done) -> None:
    """Keep the answer of an action taken in this unit of work, for its copies."""
    mine = (col(PageAction.user_id) == user_id) & (col(PageAction.action_id) == action_id)
    values = {"status": done.status, "answer": done.answer}
    session.connection().execute(update(PageAction).where(mine).values(values))


def _answer_of(user_id: int, action_id: str) -> Select[int, JSONObject]:
    mine = (col(PageAction.user_id) == user_id) & (col(PageAction.action_id) == action_id)
    return select(col(PageAction.status), col(PageAction.answer)).where(mine)
