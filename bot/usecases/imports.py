"""The imports' side of the planner: a confirmed ledger import whose save died with its
process, claimed so that one process goes on with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from sqlmodel import Session

from storage import chats, people
from storage import ledger_import as saving
from storage.models import saved_id


@dataclass(frozen=True)
class TakenUp:
    """An import to go on with: its upload, this save's mark on it, and where it answers (the
    chat and the person who pressed 确认导入)."""

    upload_id: int
    runner: str
    chat_id: int
    chat_kind: str
    chat_title: str
    user_id: int
    username: str | None
    display_name: str


def taken_up(session: Session, now: datetime) -> list[TakenUp]:
    """The confirmed imports whose save died with its process, each claimed for a new runner."""
    out = []
    for row in saving.dead_saves(session, now):
        chat = chats.chat_by_id(session, row.chat_id)
        person = people.person_by_user(session, row.user_id)
        runner = uuid4().hex
        if chat is None or person is None or not saving.claim_import(session, row, runner, now):
            continue
        out.append(
            TakenUp(
                saved_id(row),
                runner,
                chat.chat_id,
                chat.kind,
                chat.title,
                person.user_id,
                person.username,
                person.display_name,
            )
        )
    return out
