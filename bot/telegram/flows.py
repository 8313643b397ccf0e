"""Glue between the form engine and the chat: drafts in the database, prompts as replies.

This is the engine's side only: it loads, saves and closes drafts and turns each step's
outcome into a reply. It never calls a handler: the registry (`bot.telegram.feature.Registry`,
read by the chat's dispatcher and by the Mini App alike) finds the flow's `FlowBinding`,
passes its flow and choices in, and hands a finished flow's values to the binding's `finish`.

What a step costs in a group. Telegram lets a bot send about 20 messages a minute into one
group, and an edit (removing a keyboard, too) costs as much as a new message; answering a
button press costs nothing. So a step of a flow in a group spends at most one message:

- The prompt carries everything: its buttons, or a selective ForceReply for typed answers,
  and the error of the previous answer, if any. A weekly item is one message: the card, its
  status buttons, and "reply to this message" (`StatusCard`): a status that needs text is
  only noted (`Noted`, a toast), the reply to the card then moves on.
- A press is acknowledged by the press's answer (`turn.notice`, a toast), never by an edit;
  the pressed keyboard stays, and a later press on it is refused by its revision (a toast).
- Confirmations ("saved", "cancelled", "you have a flow open") are plain replies, and
  `bot.telegram.render.folded` joins a plain reply to the next message to the same chat:
  "已新增" and the item's card, "开始更新" and the first item, are one message.
- Long flows can move to the private chat (`bot/handlers/weekly_private.py`): one summary
  returns to the group at the end.

Keep it at one: a new flow step should add one `Reply` with its buttons or ForceReply; say
anything else with `turn.say(...)` before it (it is folded), or with `turn.notice` for a
press. `tests/e2e/chat/test_group_is_answered_within_telegrams_limits.py` counts what a weekly
update spends.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.telegram.render import ask_reply
from bot.telegram.reply import Button
from bot.telegram.turn import Turn
from storage import drafts
from storage.models import FormDraft, saved_id
from workflows.forms import engine as forms
from workflows.forms.engine import Ask, Cancelled, Draft, Finished, Flow, Nav, Noted, Outcome
from workflows.forms.inputs import Answer, FormEnv, Option
from workflows.messages import Msg, msg

logger = logging.getLogger(__name__)


def env_for(turn: Turn, options: Mapping[str, Sequence[Option]]) -> FormEnv:
    """What a step reads besides the answer: the time, the zone, the run-time choices."""
    return FormEnv(now=turn.stamp.at, tz=turn.zone, options=options)


def _save(turn: Turn, draft: Draft, row: FormDraft | None, *, shown: bool) -> FormDraft:
    saved = drafts.save_draft(
        turn.session,
        turn.chat.chat_id,
        turn.person.user_id,
        draft,
        now_at=turn.stamp.at,
        row=row,
        after=turn.source.message_id if shown else None,
    )
    turn.keep_draft(saved)
    return saved


def save_unshown(turn: Turn, draft: Draft) -> FormDraft:
    """Save a new draft here without showing its step (a page shows it)."""
    return _save(turn, draft, None, shown=False)


def _drop(turn: Turn, row: FormDraft | None) -> None:
    if row is not None:
        drafts.drop(turn.session, row)
    turn.keep_draft(None)


def show(
    turn: Turn,
    draft: Draft,
    ask: Ask,
    row: FormDraft | None = None,
    extra: tuple[Button, ...] = (),
) -> None:
    """Save the draft and show its step: one reply (`extra` buttons under a card)."""
    saved = _save(turn, draft, row, shown=True)
    reply = ask_reply(turn, ask, saved_id(saved), draft.rev)
    if extra and reply.buttons:  # under the first step's buttons
        reply.buttons.append(list(extra))
    turn.replies.append(reply)


def apply(
    turn: Turn,
    after: Draft | None,
    outcome: Outcome,
    row: FormDraft | None,
    extra: tuple[Button, ...] = (),
) -> Outcome:
    """Keep what an answer did: the next step shown, a toast for a noted status, the draft
    gone when finished or cancelled. A finished flow's values are for its binding's finish."""
    if isinstance(outcome, Finished):
        _drop(turn, row)
    elif isinstance(outcome, Cancelled):
        _drop(turn, row)
        turn.say(msg("form.cancelled"))
    elif isinstance(outcome, Noted):
        # the prompt on screen stays the one to answer: a toast, no message in the chat
        if after is not None:
            _save(turn, after, row, shown=False)
        turn.notice = turn.text(outcome.notice)
    elif after is not None:
        show(turn, after, outcome, row, extra)
    return outcome


def start_in_chat(
    turn: Turn,
    flow: Flow,
    env: FormEnv,
    *,
    context: Mapping[str, object] | None = None,
    prefill: Mapping[str, Answer] | None = None,
    extra: tuple[Button, ...] = (),
) -> tuple[Draft, Outcome]:
    """Open a flow for the speaker here (no draft is open); the draft as it began, and the
    outcome of its first step."""
    draft, outcome = forms.start(flow, env=env, context=context, prefill=prefill)
    began = draft if draft is not None else forms.opening(flow, context)
    apply(turn, draft, outcome, None, extra)
    return began, outcome


def resume_in_chat(turn: Turn, flow: Flow, draft: Draft, env: FormEnv, row: FormDraft) -> None:
    """Show again the step a stored draft stands on (asked elsewhere, or moved here)."""
    show(turn, draft, forms.resume(flow, draft, env=env), row)


def advance_in_chat(
    turn: Turn, flow: Flow, draft: Draft, given: Answer | Nav, env: FormEnv, row: FormDraft
) -> Outcome:
    """Feed one answer (or /back, /skip, /cancel) to a loaded draft."""
    after, outcome = forms.advance(flow, draft, given, env=env)
    return apply(turn, after, outcome, row)


def close(turn: Turn, row: FormDraft, word: Msg, action: str) -> None:
    """End a draft that may not go on, saying why; what was typed goes to the audit."""
    drafts.close_draft(turn.session, row, turn.stamp, action)
    turn.keep_draft(None)
    turn.say(word)


def replied_elsewhere(turn: Turn, row: FormDraft) -> bool:
    """Whether the message replies to a bot message other than the open flow's prompt (a
    case post, an item card, an old prompt)."""
    replied = turn.source.replied
    if replied is None or not replied.from_bot:
        return False
    return not drafts.answers_flow(row, replied.message_id)
