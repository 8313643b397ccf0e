"""印证材料 as kept: one row per file behind a problem's progress, with what proves it (its
SHA-256 or Telegram's file id), and the earlier uses of the same file for other problems; the
chat files still without a hash, and their hash filled in once fetched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from storage.models import Evidence, LedgerItem, Person, ProgressUpdate, saved_id
from workflows.json_types import JSONValue, json_int, json_number, json_object, json_str
from workflows.problems.evidence import FETCH_LIMIT, EarlierUse

HASH_GIVE_UP = 10  # failed fetches of a file before the pass stops trying (~17 hours)


def keep_evidence(
    session: Session, row: ProgressUpdate, unit_id: int, files: Sequence[Mapping[str, JSONValue]]
) -> list[Evidence]:
    """A row per file of the progress `row`; a file kept before receipt was recorded is taken
    as received with its progress."""
    kept: list[Evidence] = []
    for f in files:
        received = json_str(f.get("received_at"))
        where = json_object(f.get("where"))
        ev = Evidence(
            item_id=row.item_id,
            unit_id=unit_id,
            progress_id=saved_id(row),
            file_id=str(f.get("file_id", "")),
            unique_id=str(f.get("unique_id") or ""),
            sha256=str(f.get("sha256") or ""),
            size=json_int(f.get("size")) or 0,
            mime=str(f.get("mime", "")),
            name=str(f.get("name", "")),
            media=str(f.get("media", "")),
            sender_user_id=json_int(f["sender"]) if "sender" in f else row.author_user_id,
            received_at=datetime.fromisoformat(received) if received else row.created_at,
            taken_at=str(f.get("taken_at") or ""),
            latitude=json_number(where.get("latitude")),
            longitude=json_number(where.get("longitude")),
            accuracy=json_number(where.get("accuracy")),
        )
        session.add(ev)
        kept.append(ev)
    session.flush()
    return kept


def earlier_uses(
    session: Session, item_id: int, files: Sequence[Mapping[str, object]]
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


def unhashed(session: Session, now: datetime, limit: int) -> list[Evidence]:
    """Chat files kept without their SHA-256 that Telegram would hand over, each due for a
    try (a failed one waits 2, 4, 8… minutes), one row per Telegram file, oldest first."""
    stmt = (
        select(Evidence)
        .where(
            Evidence.sha256 == "",
            Evidence.file_id != "",
            Evidence.size <= FETCH_LIMIT,
            Evidence.hash_tries < HASH_GIVE_UP,
            or_(col(Evidence.hash_due_at).is_(None), col(Evidence.hash_due_at) <= now),
        )
        .order_by(col(Evidence.id))
        .limit(limit * 4)  # a file kept twice (the same file, two problems) is one fetch
    )
    due: dict[str, Evidence] = {}
    for ev in session.exec(stmt):
        due.setdefault(ev.unique_id or ev.file_id, ev)
    return list(due.values())[:limit]


def fill_hash(
    session: Session, file_id: str, unique_id: str, proof: Mapping[str, JSONValue]
) -> int:
    """Every row of this Telegram file still without a hash gets `proof` (its SHA-256, EXIF
    time), and so does the file as its progress keeps it (what the record, the export and the
    board show); how many rows. Again for the same file: nothing to do."""
    stmt = select(Evidence).where(Evidence.sha256 == "", _same(file_id, unique_id))
    rows = list(session.exec(stmt))
    for ev in rows:
        ev.sha256 = str(proof["sha256"])
        ev.taken_at = ev.taken_at or str(proof.get("taken_at") or "")
        ev.size = ev.size or json_int(proof.get("size")) or 0
        session.add(ev)
        progress = session.get(ProgressUpdate, ev.progress_id) if ev.progress_id else None
        if progress is not None:
            progress.files = [
                {**f, "sha256": ev.sha256, "taken_at": f.get("taken_at") or ev.taken_at}
                if f.get("file_id") == ev.file_id and not f.get("sha256")
                else f
                for f in progress.files
            ]
            flag_modified(progress, "files")
            session.add(progress)
    session.flush()
    return len(rows)


def hash_failed(session: Session, file_id: str, unique_id: str, now: datetime) -> None:
    """A fetch of the file failed: its rows wait longer for the next try."""
    for ev in session.exec(
        select(Evidence).where(Evidence.sha256 == "", _same(file_id, unique_id))
    ):
        ev.hash_tries += 1
        ev.hash_due_at = now + timedelta(minutes=2**ev.hash_tries)
        session.add(ev)


def _same(file_id: str, unique_id: str) -> ColumnElement[bool]:
    """The rows of one Telegram file: its id here, or any id of the same file."""
    same = col(Evidence.file_id) == file_id
    return or_(same, col(Evidence.unique_id) == unique_id) if unique_id else same
