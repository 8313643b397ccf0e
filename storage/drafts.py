"""Form drafts, keyed by (chat, user): a flow survives restarts and people do not collide."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage.audit import Stamp, record, snapshot
from storage.models import FormDraft
from workflows.forms.engine import Draft
from workflows.forms.flow_names import FlowName
from workflows.json_types import JSONObject, json_int, json_ints, json_object

# A draft is read to be changed: it is locked until the unit of work ends, so that the same
# button pressed twice, its two updates handled by two processes at once, is applied once;
# the second waits, then finds the draft moved on (or gone). On SQLite one process runs.


# read on every reply: built once, only the ids bound each time (building a statement, or
# re-binding a lambda statement's values, cost more than running it)
_DRAFT_OF = (
    select(FormDraft)
    .where(
        col(FormDraft.chat_id) == bindparam("chat_id"),
        col(FormDraft.user_id) == bindparam("user_id"),
    )
    .with_for_update()
)


def draft_of(session: Session, chat_id: int, user_id: int) -> FormDraft | None:
    """The person's open draft in this chat, locked for this unit of work."""
    params = {"chat_id": chat_id, "user_id": user_id}
    found: FormDraft | None = session.execute(_DRAFT_OF, params).scalars().first()
    return found


def row_context(row: FormDraft) -> JSONObject:
    """A stored draft's context, as its flow began it (its type: workflows/forms/contexts.py)."""
    return json_object(row.state.get("context", {}))


# read on every press of a form's button: built once, as `_DRAFT_OF` (Session.get with a lock
# builds its statement anew each time)
_DRAFT_BY_ID = select(FormDraft).where(col(FormDraft.id) == bindparam("draft_id")).with_for_update()

# written on every step of a flow: one statement, not the ORM's unit of work; the columns it
# sets are the keys of the values it is given, with their own types
_SAVE = update(FormDraft).where(col(FormDraft.id) == bindparam("draft_id"))


def draft_by_id(session: Session, draft_id: int) -> FormDraft | None:
    """A draft by its row id (button data carries it), locked for this unit of work."""
    found: FormDraft | None = (
        session.execute(_DRAFT_BY_ID, {"draft_id": draft_id}).scalars().first()
    )
    return found


def save_draft(
    session: Session,
    chat_id: int,
    user_id: int,
    draft: Draft,
    *,
    now_at: datetime,
    row: FormDraft | None = None,
    after: int | None = None,
) -> FormDraft:
    """Store the draft, replacing the person's previous one in this chat (`row`, if loaded).

    `after`, when the step's prompt is about to be shown, is the message that led to it (the
    person's answer, or the message they pressed on): the prompt is sent after it, so a reply
    to an older bot message is not an answer to this step. None: no prompt is shown (a press
    only noted), the last showing's stands.
    """
    row = row or draft_of(session, chat_id, user_id)
    if row is None:
        row = FormDraft(
            chat_id=chat_id, user_id=user_id, flow=draft.flow, created_at=now_at, updated_at=now_at
        )
    state = draft.to_json()
    same_step = row.state.get("flow") == draft.flow and row.state.get("step") == draft.step
    if same_step and row.chat_id == chat_id:
        # the step asked again (an error, a press): its earlier prompts may still be answered
        state["prompts"] = row.state.get("prompts", [])
        state["after"] = row.state.get("after")
        state["shown"] = after if after is not None else row.state.get("shown")
    else:  # a new step: its prompts come after the message that led to it
        state["after"] = state["shown"] = after
    unit_id = row.unit_id
    if draft.flow == FlowName.WEEKLY:
        in_context = draft.context.get("unit_id")
        unit_id = in_context if isinstance(in_context, int) else None
    if row.id is None:  # a new draft: the ORM inserts it and gives it its id
        row.flow, row.state, row.updated_at, row.unit_id = draft.flow, state, now_at, unit_id
        session.add(row)
        session.flush()
        return row
    values = {"flow": draft.flow, "state": state, "updated_at": now_at, "unit_id": unit_id}
    session.connection().execute(_SAVE, {"draft_id": row.id, **values})
    for key, value in values.items():  # the loaded row says what the database now holds
        set_committed_value(row, key, value)
    return row


@dataclass(frozen=True)
class SentPrompt:
    """A prompt the bot sent for a draft (its row, revision, chat and person), and its message."""

    draft_id: int
    rev: int
    chat_id: int
    user_id: int
    message_id: int


def remember_prompts(session: Session, sent: Iterable[SentPrompt]) -> None:
    """Note the prompts the bot sent: a reply to one answers its draft. A prompt of a
    revision the draft has moved past is not its prompt any more, nor is one for a row id
    a newer draft took since (SQLite reuses the ids of deleted rows)."""
    by_draft: dict[int, list[SentPrompt]] = {}
    for prompt in sent:
        by_draft.setdefault(prompt.draft_id, []).append(prompt)
    for draft_id, prompts in by_draft.items():
        row = draft_by_id(session, draft_id)
        if row is None:
            continue
        rev = json_int(row.state.get("rev", 0))
        fresh = [
            p.message_id
            for p in prompts
            if (p.rev, p.chat_id, p.user_id) == (rev, row.chat_id, row.user_id)
        ]
        if fresh:
            row.prompt_message_id = fresh[-1]
            kept = json_ints(row.state.get("prompts", []))[-9:]
            row.state = {**row.state, "prompts": [*kept, *fresh]}
            session.add(row)


def answers_flow(row: FormDraft, message_id: int) -> bool:
    """Whether a reply to this bot message answers the draft: a prompt of its step (asked
    again after an error included); while the step's latest prompt is not yet recorded, any
    bot message sent since the step began (its prompts are among them)."""
    prompts = json_ints(row.state.get("prompts", []))
    if message_id in prompts:
        return True
    if "after" not in row.state:  # saved before the step's anchor was kept
        return row.prompt_message_id is None or message_id == row.prompt_message_id
    after, shown = json_int(row.state["after"]), json_int(row.state.get("shown"))
    if after is not None and message_id <= after:
        return False  # older than the step: an earlier step's prompt, a post, a card
    return not any(shown is None or p > shown for p in prompts)  # latest not recorded yet


def drop(session: Session, row: FormDraft) -> None:
    """Forget a draft (finished or cancelled)."""
    session.delete(row)
    session.flush()


def drop_draft(session: Session, chat_id: int, user_id: int) -> None:
    """Forget the person's draft in this chat."""
    row = draft_of(session, chat_id, user_id)
    if row is not None:
        drop(session, row)


def close_draft(session: Session, row: FormDraft, stamp: Stamp, action: str) -> None:
    """End a draft nobody will finish: what was typed goes to the audit trail under `action`."""
    record(session, stamp, action, "formdraft", row.id, snapshot(row), None)
    session.delete(row)
    session.flush()


def chats_in_flow(session: Session, chat_ids: Iterable[int], since: datetime) -> set[int]:
    """Which of these chats have someone in a flow, answered since `since`."""
    wanted = set(chat_ids)
    if not wanted:
        return set()
    stmt = select(FormDraft.chat_id).where(
        col(FormDraft.chat_id).in_(wanted), col(FormDraft.updated_at) >= since
    )
    return set(session.exec(stmt))


def weekly_draft_of(session: Session, user_id: int, unit_id: int) -> FormDraft | None:
    """The person's open weekly update of a unit, in whichever chat they began it."""
    stmt = select(FormDraft).where(FormDraft.unit_id == unit_id, FormDraft.user_id == user_id)
    return session.exec(stmt.with_for_update()).first()


def unit_weekly_draft(session: Session, unit_id: int, other_than: int) -> FormDraft | None:
    """Another person's open weekly update of the unit (one indexed lookup), locked."""
    stmt = select(FormDraft).where(FormDraft.unit_id == unit_id, FormDraft.user_id != other_than)
    return session.exec(stmt.order_by(col(FormDraft.updated_at)).with_for_update()).first()


def idle_weekly_drafts(session: Session, since: datetime) -> list[FormDraft]:
    """Weekly drafts with no step since `since` (the planner closes those whose week is over)."""
    stmt = select(FormDraft).where(
        col(FormDraft.unit_id).is_not(None), col(FormDraft.updated_at) < since
    )
    return list(session.exec(stmt.with_for_update()))


def move_draft(session: Session, row: FormDraft, chat_id: int, after: int | None) -> FormDraft:
    """Carry a draft to another chat of the same person (the group's update, to private);
    `after` is the message there that moved it (its prompts there come after it)."""
    row.chat_id = chat_id
    row.state = {**row.state, "prompts": [], "after": after}
    session.add(row)
    session.flush()
    return row
