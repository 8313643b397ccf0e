"""Workbooks sent to the bot and previewed: one pending per person and chat, until confirmed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import WorkbookUpload
from workflows.json_types import JSONValue

PENDING, SAVING, SAVED = "pending", "saving", "saved"
CONSOLE = 0  # the chat and the person of an import made at the console
CANCELLED, REPLACED = "cancelled", "replaced"


def pending_upload(session: Session, chat_id: int, user_id: int) -> WorkbookUpload | None:
    """The person's workbook waiting in this chat, locked for this unit of work."""
    stmt = select(WorkbookUpload).where(
        WorkbookUpload.chat_id == chat_id,
        WorkbookUpload.user_id == user_id,
        WorkbookUpload.status == PENDING,
    )
    return session.exec(stmt.order_by(col(WorkbookUpload.id).desc()).with_for_update()).first()


def upload_by_id(session: Session, upload_id: int) -> WorkbookUpload | None:
    """An upload by its id (a button carries it), locked for this unit of work."""
    return session.get(WorkbookUpload, upload_id, with_for_update=True)


def save_upload(
    session: Session,
    *,
    kind: str,
    chat_id: int,
    user_id: int,
    unit_id: int | None,
    file: Mapping[str, str],
    state: Mapping[str, JSONValue],
    at: datetime,
) -> WorkbookUpload:
    """Keep a previewed workbook; the person's earlier one in this chat is replaced."""
    earlier = pending_upload(session, chat_id, user_id)
    if earlier is not None:
        close_upload(session, earlier, REPLACED, at)
    row = WorkbookUpload(
        kind=kind,
        chat_id=chat_id,
        user_id=user_id,
        unit_id=unit_id,
        file_id=file.get("file_id", ""),
        file_name=file.get("name", ""),
        digest=file.get("digest", ""),
        state=dict(state),
        created_at=at,
        updated_at=at,
    )
    session.add(row)
    session.flush()
    return row


def update_upload(
    session: Session,
    row: WorkbookUpload,
    at: datetime,
    *,
    unit_id: int | None = None,
    state: Mapping[str, JSONValue] | None = None,
    status: str | None = None,
) -> None:
    """Change a kept upload: its unit chosen, evidence added to its state, or its status."""
    if unit_id is not None:
        row.unit_id = unit_id
    if state is not None:
        row.state = dict(state)
    if status is not None:
        row.status = status
    row.updated_at = at
    session.add(row)


def close_upload(session: Session, row: WorkbookUpload, status: str, at: datetime) -> None:
    """The upload was saved, cancelled or replaced: it waits no more."""
    update_upload(session, row, at, status=status)


def cut_short(session: Session, unit_id: int, digest: str) -> WorkbookUpload | None:
    """The console's import of this very file into this unit, if one was cut short."""
    stmt = select(WorkbookUpload).where(
        WorkbookUpload.chat_id == CONSOLE,
        WorkbookUpload.user_id == CONSOLE,
        WorkbookUpload.kind == "ledger",
        WorkbookUpload.unit_id == unit_id,
        WorkbookUpload.digest == digest,
        WorkbookUpload.status == SAVING,
    )
    return session.exec(stmt.order_by(col(WorkbookUpload.id).desc())).first()
