"""Notices with a 已阅 button (`UnitNotice`) and the units' confirmations (`NoticeReceipt`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import true
from sqlmodel import Session, col, select

from storage.audit import Stamp
from storage.models import NoticeReceipt, Person, UnitNotice, saved_id
from storage.unique_inserts import Taken, insert_once
from workflows.documents.notices import NoticeState, Receipt, title_of


def add_notice(
    session: Session, stamp: Stamp, *, campaign_id: int, kind: str, text: str, units: list[int]
) -> UnitNotice:
    """Write a notice down (flushed: its id goes on its buttons)."""
    row = UnitNotice(
        campaign_id=campaign_id,
        kind=kind,
        text=text,
        by_user_id=stamp.user_id,
        sent_at=stamp.at,
        units=units,
    )
    session.add(row)
    session.flush()
    return row


def notice_of(session: Session, notice_id: int) -> UnitNotice | None:
    """The notice a 已阅 button names, if there is one."""
    return session.get(UnitNotice, notice_id)


def _receipts(session: Session, notice_ids: list[int]) -> dict[int, dict[int, Receipt]]:
    if not notice_ids:
        return {}
    stmt = (
        select(NoticeReceipt, Person)
        .join(Person, col(Person.user_id) == col(NoticeReceipt.by_user_id), isouter=True)
        .where(col(NoticeReceipt.notice_id).in_(notice_ids))
    )
    out: dict[int, dict[int, Receipt]] = {n: {} for n in notice_ids}
    for r, p in session.exec(stmt):
        by = (p.name or p.display_name) if p is not None else str(r.by_user_id)
        out[r.notice_id][r.unit_id] = Receipt(r.unit_id, by, r.at)
    return out


def receipt_of(session: Session, notice_id: int, unit_id: int) -> Receipt | None:
    """The unit's 已阅 of the notice, if it read it."""
    return _receipts(session, [notice_id])[notice_id].get(unit_id)


def record_receipt(session: Session, stamp: Stamp, *, notice_id: int, unit_id: int) -> bool:
    """Write down the unit's 已阅; False (nothing written) when the unit read it already, here
    or in another process at the same moment."""
    row = NoticeReceipt(
        notice_id=notice_id, unit_id=unit_id, by_user_id=stamp.user_id or 0, at=stamp.at
    )
    try:
        insert_once(session, row)
    except Taken:
        return False
    return True


def recent_notices(
    session: Session,
    campaign_id: int,
    *,
    since: datetime,
    limit: int = 50,
    kind: str | None = None,
) -> list[tuple[UnitNotice, NoticeState]]:
    """The campaign's notices (of `kind`, if given) sent since `since`, newest first, each
    with its receipts."""
    stmt = (
        select(UnitNotice)
        .where(UnitNotice.campaign_id == campaign_id, col(UnitNotice.sent_at) >= since)
        .where(UnitNotice.kind == kind if kind is not None else true())
        .order_by(col(UnitNotice.sent_at).desc(), col(UnitNotice.id).desc())
        .limit(limit)
    )
    rows = list(session.exec(stmt))
    receipts = _receipts(session, [saved_id(n) for n in rows])
    return [
        (
            n,
            NoticeState(
                saved_id(n), title_of(n.text), n.sent_at, tuple(n.units), receipts[saved_id(n)]
            ),
        )
        for n in rows
    ]
