"""Telegram updates whose turns were saved (`HandledUpdate`).

Telegram posts an update again when it was not confirmed: a webhook process killed after its
turn committed and before it answered, a polling process killed before its next getUpdates.
The turn's changes are saved already; running it again would apply a press or a reply twice,
or (a flow moved on) refuse it as stale, and the person would never hear back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col

from storage.models import HandledUpdate
from storage.unique_inserts import insert_skipping

UPDATES_KEPT = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours
PRUNE_EVERY = 500  # updates between two clean-ups


_INSERTS: dict[str, ReturningInsert[tuple[int]]] = {}  # by dialect: built once, run per update


def first_time(session: Session, update_id: int, now: datetime) -> bool:
    """Record the update as handled in this unit of work; False when it was handled before
    (a second process handling it at once waits for the first one's commit, then sees it)."""
    dialect = session.get_bind().dialect.name
    stmt = _INSERTS.get(dialect)
    if stmt is None:
        skipping = insert_skipping(session, HandledUpdate, "update_id")
        stmt = _INSERTS[dialect] = skipping.returning(col(HandledUpdate.update_id))
    added = session.connection().execute(stmt, {"update_id": update_id, "handled_at": now}).all()
    if update_id % PRUNE_EVERY == 0:
        old = col(HandledUpdate.handled_at) < now - UPDATES_KEPT
        session.connection().execute(delete(HandledUpdate).where(old))
    return bool(added)
