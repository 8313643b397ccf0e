"""印证材料 as kept: one row per file behind a problem's progress, with what proves it (its
SHA-256 or Telegram's file id), and the earlier uses of the same file for other problems."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from storage.models import Evidence, LedgerItem, Person, ProgressUpdate, saved_id
from workflows.evidence import EarlierUse


def keep_evidence(
    session: Session, row: ProgressUpdate, unit_id: int, files: Sequence[Mapping[str, Any]]
) -> list[Evidence]:
    """A row per file of the progress `row`; a file kept before receipt was recorded is taken
    as received with its progress."""
    kept: list[Evidence] = []
    for f in files:
        received = f.get("received_at")
        where = f.get("where") or {}
        ev = Evidence(
            item_id=row.item_id,
            unit_id=unit_id,
            progress_id=saved_id(row),
            file_id=str(f.get("file_id", "")),
            unique_id=str(f.get("unique_id") or ""),
            sha256=str(f.get("sha256") or ""),
            size=int(f.get("size") or 0),
            mime=str(f.get("mime", "")),
            name=str(f.get("name", "")),
            media=str(f.get("media", "")),
            sender_user_id=f.get("sender", row.author_user_id),
            received_at=datetime.fromisoformat(received) if received else row.created_at,
            taken_at=str(f.get("taken_at") or ""),
            latitude=where.get("latitude"),
            longitude=where.get("longitude"),
            accuracy=where.get("accuracy"),
        )
        session.add(ev)
        kept.append(ev)
    session.flush()
    return kept


def earlier_uses(
    session: Session, item_id: int, files: Sequence[Mapping[str, Any]]
) -> list[EarlierUse]:
    """Where the same files were evidence of other problems (any unit's), first use first."""
    shas = {str(f["sha256"]) for f in files if f.get("sha256")}
    uniques = {str(f["unique_id"]) for f in files if f.get("unique_id")}
    if not shas and not uniques:
        return []
    stmt = (
        select(Evidence, LedgerItem.code, Person)
        .join(LedgerItem, col(LedgerItem.id) == Evidence.item_id)
        .join(Person, col(Person.user_id) == Evidence.sender_user_id, isouter=True)
        .where(
            Evidence.item_id != item_id,
            or_(col(Evidence.sha256).in_(shas), col(Evidence.unique_id).in_(uniques)),
        )
        .order_by(col(Evidence.received_at), col(Evidence.id))
    )
    return [
        EarlierUse(
            ev.sha256,
            ev.unique_id,
            code,
            ev.received_at,
            (person.name or person.display_name) if person else "",
        )
        for ev, code, person in session.exec(stmt)
    ]


def evidence_of(session: Session, item_id: int) -> list[tuple[Evidence, str]]:
    """Every file kept as the problem's evidence, first received first, with its sender's name."""
    stmt = (
        select(Evidence, Person)
        .join(Person, col(Person.user_id) == Evidence.sender_user_id, isouter=True)
        .where(Evidence.item_id == item_id)
        .order_by(col(Evidence.received_at), col(Evidence.id))
    )
    return [
        (ev, (person.name or person.display_name) if person else "")
        for ev, person in session.exec(stmt)
    ]
