"""请假: liaisons' leaves, read and written; the session is the caller's (nothing commits here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Chat, Leave, Unit, saved_id
from storage.people import roster
from workflows.people.leave import Absence, Liaison


def absence_of(row: Leave) -> Absence:
    """The leave as the rules read it."""
    return Absence(
        saved_id(row), row.unit_id, row.user_id, row.starts_at, row.ends_at, row.deputy_user_id
    )


def liaisons_by_unit(session: Session, campaign_id: int) -> dict[int, tuple[Liaison, ...]]:
    """Each unit's liaisons (user id, name, private chat opened), in roster order."""
    out: dict[int, list[Liaison]] = defaultdict(list)
    listed = roster(session, campaign_id)
    ids = [p.user_id for _, p in listed]
    opened = set(
        session.exec(select(Chat.chat_id).where(col(Chat.chat_id).in_(ids), Chat.kind == "private"))
    )
    for unit, person in listed:
        name = person.name or person.display_name
        out[saved_id(unit)].append(Liaison(person.user_id, name, person.user_id in opened))
    return {u: tuple(p) for u, p in out.items()}


def not_over(session: Session, unit_ids: Iterable[int], now: datetime) -> list[Leave]:
    """The leaves of these units that have not ended by `now` (under way or to come)."""
    ids = list(unit_ids)
    if not ids:
        return []
    stmt = (
        select(Leave)
        .where(
            col(Leave.unit_id).in_(ids),
            col(Leave.ends_at) > now,
            col(Leave.ends_at) > col(Leave.starts_at),  # one withdrawn before it began
        )
        .order_by(col(Leave.starts_at), col(Leave.id))
    )
    return list(session.exec(stmt))


def absences(session: Session, campaign_id: int, now: datetime) -> tuple[Absence, ...]:
    """The campaign's leaves not over yet."""
    units = session.exec(select(Unit.id).where(Unit.campaign_id == campaign_id))
    return tuple(absence_of(r) for r in not_over(session, [u for u in units if u], now))


def mine(session: Session, user_id: int, unit_id: int, now: datetime) -> list[Leave]:
    """A liaison's leaves of one unit not over yet, the nearest first."""
    return [r for r in not_over(session, [unit_id], now) if r.user_id == user_id]


def save_leave(
    session: Session,
    *,
    unit_id: int,
    user_id: int,
    deputy: int | None,
    starts_at: datetime,
    ends_at: datetime,
    by: int,
    at: datetime,
) -> Leave:
    """Keep a leave (flushed: it has its id)."""
    row = Leave(
        unit_id=unit_id,
        user_id=user_id,
        deputy_user_id=deputy,
        starts_at=starts_at,
        ends_at=ends_at,
        recorded_at=at,
        recorded_by=by,
    )
    session.add(row)
    session.flush()
    return row


def end_early(session: Session, row: Leave, at: datetime) -> None:
    """End a leave now (one to come is withdrawn: it ends before it begins)."""
    row.ended_early_at = at
    row.ends_at = max(at, row.starts_at) if at < row.ends_at else row.ends_at
    session.add(row)


def who_is_away(
    session: Session, campaign_id: int, now: datetime
) -> tuple[dict[int, tuple[Liaison, ...]], tuple[Absence, ...]]:
    """What the cover rule reads (`PlannerState.liaisons`, `.absences`): each unit's liaisons
    and the leaves not over yet."""
    return liaisons_by_unit(session, campaign_id), absences(session, campaign_id, now)
