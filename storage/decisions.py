"""Supervisors' decisions (`Decision`) and 催办 (`Urging`): written once, read beside the
problem, the case and the unit they concern, each with the name of who made it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.audit import Stamp
from storage.models import Decision, Person, Urging
from storage.unique_inserts import Taken, insert_once


@dataclass(frozen=True)
class MadeDecision:
    """A decision or a 催办, with the name of the person who made it."""

    what: str
    reason: str
    by: str
    at: datetime


def _names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {u for u in user_ids if u is not None}
    if not ids:
        return {}
    people = session.exec(select(Person).where(col(Person.user_id).in_(ids)))
    return {p.user_id: p.name or p.display_name for p in people}


def record_decision(
    session: Session,
    stamp: Stamp,
    *,
    unit_id: int,
    what: str,
    reason: str = "",
    item_id: int | None = None,
    case_id: int | None = None,
) -> None:
    """Write a decision down in the unit of work that makes it."""
    session.add(
        Decision(
            unit_id=unit_id,
            item_id=item_id,
            case_id=case_id,
            what=what,
            reason=reason,
            by_user_id=stamp.user_id,
            at=stamp.at,
        )
    )


def decisions_of(
    session: Session, *, item_id: int | None = None, case_id: int | None = None
) -> list[MadeDecision]:
    """The decisions on a problem or a case, oldest first."""
    stmt = select(Decision).order_by(col(Decision.at), col(Decision.id))
    if item_id is not None:
        stmt = stmt.where(Decision.item_id == item_id)
    if case_id is not None:
        stmt = stmt.where(Decision.case_id == case_id)
    rows = list(session.exec(stmt))
    names = _names(session, (d.by_user_id for d in rows))
    return [MadeDecision(d.what, d.reason, names.get(d.by_user_id or 0, ""), d.at) for d in rows]


def urge_once(session: Session, stamp: Stamp, *, unit_id: int, day: date) -> bool:
    """Write down a 催办 of the unit for the working day `day`; False (nothing written) when
    the unit was urged that day already, here or by another process at the same moment."""
    try:
        insert_once(
            session, Urging(unit_id=unit_id, day=day, by_user_id=stamp.user_id, at=stamp.at)
        )
    except Taken:
        return False
    return True


def last_urgings(session: Session, unit_ids: Iterable[int]) -> dict[int, MadeDecision]:
    """Each unit's latest 催办, by unit."""
    ids = list(unit_ids)
    if not ids:
        return {}
    stmt = (
        select(Urging).where(col(Urging.unit_id).in_(ids)).order_by(col(Urging.at), col(Urging.id))
    )
    rows = list(session.exec(stmt))
    names = _names(session, (u.by_user_id for u in rows))
    return {
        u.unit_id: MadeDecision("urged", "", names.get(u.by_user_id or 0, ""), u.at) for u in rows
    }
