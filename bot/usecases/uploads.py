"""Workbooks kept between their preview and their confirm (a ledger to import, a week by
workbook): found again when a button names one, given its unit, filled in with evidence,
closed as saved or cancelled; a week by workbook replacing the weekly update open in the chat."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from storage import drafts, uploads
from storage.models import FormDraft, WorkbookUpload
from workflows.forms.flow_names import FlowName
from workflows.json_types import JSONValue

WAITING = (uploads.PENDING,)  # previewed, not yet confirmed
WAITING_OR_SAVING = (uploads.PENDING, uploads.SAVING)  # or confirmed, its save under way


def kept_upload(session: Session, upload_id: int) -> WorkbookUpload | None:
    """The kept upload of that id, if any."""
    return uploads.upload_by_id(session, upload_id)


def waiting_week(session: Session, chat_id: int, user_id: int) -> WorkbookUpload | None:
    """The week by workbook this person's preview in this chat waits to confirm, if any."""
    row = uploads.pending_upload(session, chat_id, user_id)
    return row if row is not None and row.kind == "week" else None


def keep_values(
    session: Session, row: WorkbookUpload, at: datetime, values: Mapping[str, JSONValue]
) -> None:
    """A waiting week's answers as they stand now (evidence added)."""
    uploads.update_upload(session, row, at, state={**row.state, "values": dict(values)})


def choose_unit(session: Session, row: WorkbookUpload, at: datetime, unit_id: int) -> None:
    """The unit an admin's ledger is for, chosen."""
    uploads.update_upload(session, row, at, unit_id=unit_id)


def cancel_upload(session: Session, row: WorkbookUpload, at: datetime) -> None:
    """The upload dropped: nothing of it is saved (more)."""
    uploads.close_upload(session, row, uploads.CANCELLED, at)


def mark_saved(session: Session, row: WorkbookUpload, at: datetime) -> None:
    """The week by workbook confirmed: it waits no more."""
    uploads.close_upload(session, row, uploads.SAVED, at)


def form_replaces(session: Session, open_draft: FormDraft | None) -> bool:
    """A week by workbook replaces the weekly update open in the chat (`open_draft`, if it is
    one): its draft dropped; whether there was one."""
    if open_draft is None or open_draft.flow != FlowName.WEEKLY:
        return False
    drafts.drop(session, open_draft)
    return True
