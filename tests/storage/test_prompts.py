"""Which bot message a reply must answer to feed a draft: the prompts of its step, recorded
in batches after they are sent; until then, any bot message newer than the step's start."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from storage import drafts
from storage.db import Database
from storage.drafts import SentPrompt
from storage.models import FormDraft
from workflows.forms.engine import Draft

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)
CHAT, USER = -100, 7


def step(db: Database, n: int, after: int | None, rev: int = 0) -> int:
    """The person's /new draft moved to step `n`, its prompt shown after message `after`."""
    with db.unit_of_work() as s:
        row = drafts.save_draft(s, CHAT, USER, Draft("new", n, rev=rev), now_at=NOW, after=after)
        return row.id or 0


def row_of(db: Database) -> FormDraft:
    with db.unit_of_work() as s:
        return s.exec(select(FormDraft)).one()


def test_before_its_prompt_is_recorded_a_step_takes_replies_to_newer_messages(
    db: Database,
) -> None:
    step(db, 0, after=10)  # the person's /new was message 10; the prompt comes after it
    assert drafts.answers_flow(row_of(db), 11)
    assert not drafts.answers_flow(row_of(db), 9)  # older than the step: a post, a card


def test_once_recorded_only_the_steps_own_prompts_are_answered(db: Database) -> None:
    draft_id = step(db, 0, after=10)
    with db.unit_of_work() as s:
        drafts.remember_prompts(s, [SentPrompt(draft_id, 0, CHAT, USER, 11)])
    assert drafts.answers_flow(row_of(db), 11)
    assert not drafts.answers_flow(row_of(db), 12)  # a case posted after the prompt


def test_a_step_asked_again_takes_its_first_and_its_newest_prompt(db: Database) -> None:
    draft_id = step(db, 1, after=20)
    with db.unit_of_work() as s:
        drafts.remember_prompts(s, [SentPrompt(draft_id, 0, CHAT, USER, 21)])
    step(db, 1, after=22)  # a wrong answer (message 22): the step asked again, not recorded yet
    assert drafts.answers_flow(row_of(db), 21) and drafts.answers_flow(row_of(db), 23)
    with db.unit_of_work() as s:
        drafts.remember_prompts(s, [SentPrompt(draft_id, 0, CHAT, USER, 23)])
    assert drafts.answers_flow(row_of(db), 23) and not drafts.answers_flow(row_of(db), 24)


def test_a_prompt_of_a_revision_the_draft_moved_past_is_not_recorded(db: Database) -> None:
    draft_id = step(db, 0, after=10)
    step(db, 1, after=12, rev=1)  # answered before the first prompt was written down
    with db.unit_of_work() as s:
        drafts.remember_prompts(s, [SentPrompt(draft_id, 0, CHAT, USER, 11)])
    row = row_of(db)
    assert not row.state.get("prompts")
    assert not drafts.answers_flow(row, 11)  # the first step's prompt answers step 2 no more
    assert drafts.answers_flow(row, 13)


def test_a_draft_saved_before_steps_kept_their_start_answers_its_last_prompt(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        s.add(
            FormDraft(
                chat_id=CHAT,
                user_id=USER,
                flow="new",
                state={"flow": "new", "step": 0, "prompts": [31]},
                prompt_message_id=31,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    assert drafts.answers_flow(row_of(db), 31) and not drafts.answers_flow(row_of(db), 32)


def test_a_prompt_for_a_row_id_another_draft_took_since_is_not_its_prompt(db: Database) -> None:
    """A /close in the group ends (its row deleted) before its prompt is written down; a
    supervisor's draft in a private chat takes the same row id: the group's prompt is not its."""
    draft_id = step(db, 0, after=10)
    with db.unit_of_work() as s:
        drafts.remember_prompts(s, [SentPrompt(draft_id, 0, -999, 12345, 50)])
    assert drafts.answers_flow(row_of(db), 11)  # this draft's own prompt, not yet recorded
