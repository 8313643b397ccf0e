"""What the steps of reading a workbook share: the file sent in, its fingerprint, and the
upload kept between the preview and the confirm.

A workbook is downloaded and read off the event loop, in a follow-up task of its own
(`bot.telegram.turn.Task`), so the bot goes on serving everyone else; the database is touched
only briefly before and after the reading, a unit of work at a time through the pipeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from bot.telegram.turn import Turn
from storage import uploads
from storage.models import WorkbookUpload
from workflows.forms.inputs import FileAnswer
from workflows.json_types import JSONValue
from workflows.messages import msg


@dataclass(frozen=True)
class ChatUpload:
    """A file sent to the bot, and whether `/import` was its caption."""

    file: FileAnswer
    forced: bool = False  # `/import` as the caption: read as a ledger whatever else waits
    unit: str = ""  # `/import 轮台县`: the unit an admin names


def sha256_of(data: bytes) -> str:
    """The file's fingerprint: the save reads the same file the preview did, or none."""
    return hashlib.sha256(data).hexdigest()


def keep_upload(
    turn: Turn,
    kind: str,
    unit_id: int | None,
    file: Mapping[str, str],
    state: Mapping[str, JSONValue],
) -> WorkbookUpload:
    """Keep a read workbook (its file, its unit, what the preview said) until it is confirmed."""
    return uploads.save_upload(
        turn.session,
        kind=kind,
        chat_id=turn.chat.chat_id,
        user_id=turn.person.user_id,
        unit_id=unit_id,
        file=file,
        state=state,
        at=turn.stamp.at,
    )


def owned_upload(
    turn: Turn, upload_id: int, kind: str, status: str = uploads.PENDING
) -> WorkbookUpload | None:
    """The kept upload a button names, if it is still of this kind and state (else stale)."""
    row = uploads.upload_by_id(turn.session, upload_id)
    if row is None or row.kind != kind or row.status != status or row.unit_id is None:
        turn.refuse(msg("form.stale_button"))
        return None
    return row
