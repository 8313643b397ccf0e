"""The audit trail: every change made through the bot, with who, when, before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, SQLModel

from storage.models import AuditEvent
from workflows.json_types import JSONObject


@dataclass(frozen=True)
class Stamp:
    """Who makes a change, when, and from which chat."""

    at: datetime
    user_id: int | None = None
    chat_id: int | None = None


def snapshot(row: SQLModel | None) -> JSONObject | None:
    """A JSON-safe copy of a row's columns."""
    if row is None:
        return None
    out: JSONObject = {}
    for key, value in row.model_dump().items():
        out[key] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def record(
    session: Session,
    stamp: Stamp,
    action: str,
    entity: str,
    entity_id: int | None,
    before: JSONObject | None,
    after: JSONObject | None,
) -> None:
    """Add one audit event to the unit of work."""
    session.add(
        AuditEvent(
            at=stamp.at,
            actor_user_id=stamp.user_id,
            chat_id=stamp.chat_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


def created(session: Session, stamp: Stamp, action: str, row: SQLModel) -> None:
    """Add a new row to the unit of work and its audit event (the row gets its id)."""
    session.add(row)
    session.flush()
    entity = str(row.__tablename__)
    record(session, stamp, action, entity, getattr(row, "id", None), None, snapshot(row))
