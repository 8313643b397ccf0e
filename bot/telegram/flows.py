"""Glue between the form engine and Telegram: drafts in the database, prompts in the chat.

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
  `bot.render.folded` joins a plain reply to the next message to the same chat: "已新增" and
  the item's card, "开始更新" and the first item, are one message.
- Long flows can move to the private chat (`bot.weekly_private`): one summary returns to the
  group at the end.

Keep it at one: a new flow step should add one `Reply` with its buttons or ForceReply; say
anything else with `turn.say(...)` before it (it is folded), or with `turn.notice` for a
press. `tests/e2e/test_group_budget.py` counts what a weekly update spends.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.telegram.render import ask_reply
from bot.telegram.turn import Turn
from storage import drafts
from storage.models import FormDraft, saved_id
from workflows import forms
from workflows.buttons import FormPress
from workflows.forms import Ask, Cancelled, Draft, Finished, Flow, Nav, Noted, Outcome
from workflows.inputs import Answer, ChoiceAnswer, FormEnv, Option
from workflows.messages import Msg, msg

Finish = Callable[[Turn, Draft, dict[str, Any]], None]
Options = Callable[[Turn], Mapping[str, Sequence[Option]]]


@dataclass(frozen=True)
class FlowBinding:
    """How the bot runs one flow: how to build it, its run-time choices, what finishing does."""

    build: Callable[[Mapping[str, Any]], Flow]
    finish: Finish
    options: Options = lambda turn: {}
    # a draft that may no longer go on (a weekly update whose week is over): the word to say
    over: Callable[[Draft, datetime], Msg | None] = lambda draft, now: None


FLOWS: dict[str, FlowBinding] = {}
# A flow is a function of its name and its draft's context alone; building a weekly update
# of 30 items costs about a millisecond, so the same context's flow is built once. (Row ids
# are no key: SQLite reuses them once a draft is deleted.)
_BUILT: OrderedDict[tuple[str, str], Flow] = OrderedDict()


_BUILT_LOCK = threading.Lock()  # units of work run in worker threads


def _flow_of(row: FormDraft, binding: FlowBinding, draft: Draft) -> Flow:
    key = (row.flow, json.dumps(draft.context, sort_keys=True, ensure_ascii=False))
    with _BUILT_LOCK:
        flow = _BUILT.get(key)
    if flow is None:
        flow = binding.build(draft.context)
        with _BUILT_LOCK:
            _BUILT[key] = flow
            if len(_BUILT) > 512:
                _BUILT.popitem(last=False)
    return flow


def register(name: str, binding: FlowBinding) -> None:
    """Make a flow known to the bot by name."""
    FLOWS[name] = binding


def _env(turn: Turn, binding: FlowBinding) -> FormEnv:
    return FormEnv(now=turn.stamp.at, tz=turn.zone, options=binding.options(turn))


def _closed_as_over(turn: Turn, row: FormDraft, binding: FlowBinding, draft: Draft) -> bool:
    """Close a draft that may no longer go on, saying why; what was typed goes to the audit."""
    word = binding.over(draft, turn.stamp.at)
    if word is None:
        return False
    drafts.close_draft(turn.session, row, turn.stamp, "draft.expired")
    turn.say(word)
    return True


def begin(
    turn: Turn,
    name: str,
    *,
    context: Mapping[str, Any] | None = None,
    prefill: Mapping[str, Answer] | None = None,
) -> None:
    """Open a flow for the speaker in this chat, unless one is already open."""
    open_row = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    if open_row is not None and open_row.flow in FLOWS:
        current = Draft.from_json(open_row.state)
        binding = FLOWS[open_row.flow]
        if _closed_as_over(turn, open_row, binding, current):
            begin(turn, name, context=context, prefill=prefill)
            return
        flow = binding.build(current.context)
        turn.say(msg("form.busy", title=msg(flow.title)))
        _show(turn, binding, current, forms.resume(flow, current, env=_env(turn, binding)))
        return
    binding = FLOWS[name]
    flow = binding.build(context or {})
    draft, outcome = forms.start(flow, env=_env(turn, binding), context=context, prefill=prefill)
    _apply(
        turn,
        binding,
        draft if draft is not None else Draft(name, 0, context=dict(context or {})),
        draft,
        outcome,
    )


def resume(turn: Turn, row: FormDraft, draft: Draft) -> None:
    """Show the step a stored draft stands on (after it moved to this chat)."""
    binding = FLOWS[row.flow]
    ask = forms.resume(_flow_of(row, binding, draft), draft, env=_env(turn, binding))
    _show(turn, binding, draft, ask, row)


def _save(turn: Turn, draft: Draft, loaded: FormDraft | None) -> FormDraft:
    return drafts.save_draft(
        turn.session,
        turn.chat.chat_id,
        turn.person.user_id,
        draft,
        now_at=turn.stamp.at,
        row=loaded,
    )


def _show(
    turn: Turn, binding: FlowBinding, draft: Draft, ask: Ask, loaded: FormDraft | None = None
) -> None:
    row = _save(turn, draft, loaded)
    turn.replies.append(ask_reply(turn, ask, saved_id(row), draft.rev))


def _apply(
    turn: Turn,
    binding: FlowBinding,
    before: Draft,
    after: Draft | None,
    outcome: Outcome,
    loaded: FormDraft | None = None,
) -> None:
    if isinstance(outcome, Finished):
        drafts.drop_draft(turn.session, turn.chat.chat_id, turn.person.user_id)
        binding.finish(turn, before, outcome.values)
    elif isinstance(outcome, Cancelled):
        drafts.drop_draft(turn.session, turn.chat.chat_id, turn.person.user_id)
        turn.say(msg("form.cancelled"))
    elif isinstance(outcome, Noted):
        # the prompt on screen stays the one to answer: a toast, no message in the chat
        if after is not None:
            _save(turn, after, loaded)
        turn.notice = turn.text(outcome.notice)
    elif after is not None:
        _show(turn, binding, after, outcome, loaded)


def _open(turn: Turn) -> tuple[FlowBinding, Flow, Draft, FormDraft] | None:
    row = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    if row is None or row.flow not in FLOWS:
        return None
    draft = Draft.from_json(row.state)
    binding = FLOWS[row.flow]
    return binding, _flow_of(row, binding, draft), draft, row


def has_open(turn: Turn) -> bool:
    """Whether the speaker has a flow open in this chat."""
    row = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    return row is not None and row.flow in FLOWS


def replied_elsewhere(turn: Turn) -> Msg | None:
    """The open flow's title when the message replies to a bot message other than the flow's
    current prompt (a case post, an item card, an old prompt); None if it answers the flow."""
    row = drafts.draft_of(turn.session, turn.chat.chat_id, turn.person.user_id)
    message = turn.update.effective_message
    replied = message.reply_to_message if message else None
    if row is None or row.flow not in FLOWS or replied is None:
        return None
    if replied.from_user is None or not replied.from_user.is_bot:
        return None
    if drafts.answers_flow(row, replied.message_id):
        return None
    draft = Draft.from_json(row.state)
    return msg(_flow_of(row, FLOWS[row.flow], draft).title)


def answer(turn: Turn, given: Answer | Nav) -> bool:
    """Feed an answer (or /back, /skip, /cancel) to the speaker's open flow; False if none."""
    found = _open(turn)
    if found is None:
        return False
    binding, flow, draft, row = found
    if _closed_as_over(turn, row, binding, draft):
        return True
    after, outcome = forms.advance(flow, draft, given, env=_env(turn, binding))
    _apply(turn, binding, draft, after, outcome, row)
    return True


def press(turn: Turn, pressed: FormPress | None) -> None:
    """A pressed form button (None: forged or unknown data); anyone's but the draft owner's,
    or a stale one, is refused."""
    row = drafts.draft_by_id(turn.session, pressed.draft_id) if pressed is not None else None
    if pressed is None or row is None or row.chat_id != turn.chat.chat_id:
        turn.notice = turn.text(msg("form.stale_button"))
        return
    if row.user_id != turn.person.user_id:
        turn.notice = turn.text(msg("form.not_yours"))
        return
    draft = Draft.from_json(row.state)
    if pressed.rev != draft.rev:
        turn.notice = turn.text(msg("form.stale_button"))
        return
    binding = FLOWS[row.flow]
    if _closed_as_over(turn, row, binding, draft):
        turn.notice = ""
        return
    after, outcome = forms.advance(
        _flow_of(row, binding, draft), draft, ChoiceAnswer(pressed.index), env=_env(turn, binding)
    )
    turn.notice = ""
    # The pressed message keeps its keyboard: an edit to remove it would cost the group a
    # message of its budget, and a press on a stale button is refused by its revision.
    _apply(turn, binding, draft, after, outcome, row)
