"""Close-out (销号): /close, and the supervisors' 同意 / 不同意 with the rejection's reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.delivery.outbox import post
from bot.handlers.items import item_for
from bot.telegram import flows
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from storage import chats, decisions, drafts, planning
from storage import evidence as kept
from storage import ledger as store
from storage.models import LedgerItem, Unit, saved_id
from workflows import closeout, evidence, keys
from workflows.buttons import Action, Verb, callback_data
from workflows.contexts import (
    CloseAnswers,
    CloseContext,
    RejectAnswers,
    RejectContext,
    WeeklyContext,
    answers_of,
    context_of,
)
from workflows.flow_names import FlowName
from workflows.forms import Draft
from workflows.guards import required
from workflows.ledger import Status
from workflows.messages import Msg, msg
from workflows.outcome import Refused
from workflows.periods import reporting_day
from workflows.planner import Planned
from workflows.roles import CommandName
from workflows.week_form import asked_closing
from workflows.weekly import (
    CLOSE,
    REJECT,
    weekly_flow,
)


def post_closeout_request(
    turn: Turn, item: LedgerItem, result: str, files: Sequence[Mapping[str, Any]]
) -> None:
    """Ask the supervisors to approve a close-out, with buttons."""
    unit = turn.session.get(Unit, item.unit_id)
    state = _state(turn, item)
    ask = closeout.closeout_request(
        state,
        unit=unit.name if unit else "",
        result=result,
        files=files,
        flags=evidence_flags(turn, item, files),
    )
    # the decision buttons name the ask they decide: a newer ask is not decided by these
    asked = required(state.ask_id, "the close-out ask just recorded")
    buttons = (
        (msg("closeout.approve"), callback_data(Verb.CO_OK, state.id, asked)),
        (msg("closeout.reject"), callback_data(Verb.CO_NO, state.id, asked)),
        (msg("closeout.details"), callback_data(Verb.ITEM, state.id)),
    )
    post(
        turn,
        [
            Planned(ask.key_in(c), ask.kind, c, ask.text, turn.stamp.at, buttons)
            for c in planning.supervisor_chats(turn.session)
        ],
    )


def evidence_flags(turn: Turn, item: LedgerItem, files: Sequence[Mapping[str, Any]]) -> list[Msg]:
    """What the supervisor deciding should know of the files: used for another problem before,
    or a photo taken long before it was sent."""
    earlier = kept.earlier_uses(turn.session, saved_id(item), files)
    return evidence.reuse_flags(files, earlier, turn.zone)


def _state(turn: Turn, item: LedgerItem) -> closeout.CloseoutItem:
    """The item as a close-out decision reads it, with the ask awaiting a decision."""
    item_id = saved_id(item)
    ask = store.closeout_ask(turn.session, item_id) if item.status == Status.CLOSING else None
    return closeout.CloseoutItem(item_id, item.code, item.name, item.status, item.version, ask)


def _apply(turn: Turn, item: LedgerItem, decision: closeout.CloseoutDecision) -> bool:
    """Save a close-out decision and plan its messages; False when someone else changed the
    item meanwhile (nothing saved)."""
    try:
        store.change_item(
            turn.session,
            item,
            decision.changes,
            expected_version=decision.expected_version,
            action=decision.action,
            stamp=turn.stamp,
        )
    except store.Conflict:
        return False
    if decision.progress is not None:
        store.add_progress(turn.session, item, decision.progress, turn.stamp)
    if decision.decided:
        decisions.record_decision(
            turn.session,
            turn.stamp,
            unit_id=item.unit_id,
            item_id=saved_id(item),
            what=decision.decided,
            reason=decision.reason,
        )
    if decision.to_unit is not None:
        _tell_unit(turn, item, decision.to_unit.text, decision.to_unit.key)
    return True


def may_ask(turn: Turn, item: LedgerItem) -> Refused | None:
    """Whether the speaker may ask for this item's close-out now (`closeout.may_ask_closeout`)."""
    return closeout.may_ask_closeout(
        _state(turn, item), reports_for_unit=turn.actor.reports_for(item.unit_id)
    )


def cmd_close(turn: Turn, args: list[str]) -> None:
    """`/close 轮台-007`: ask for a close-out directly, with the result and evidence."""
    if not args:
        turn.say(msg("close.usage"))
        return
    item = item_for(turn, args[0])
    if item is None:
        return
    refused = may_ask(turn, item)
    if refused is not None:
        turn.say(refused.reason)
        return
    turn.begin(
        FlowName.CLOSE,
        context={"item_id": item.id, "version": item.version, "code": item.code, "name": item.name},
    )


def _finish_close(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    send_closeout_ask(turn, context_of(draft, CloseContext), values)


def send_closeout_ask(turn: Turn, asked: CloseContext, values: Mapping[str, Any]) -> bool:
    """Ask for an item's close-out with its result and evidence (the /close flow's values, or
    the Mini App's form), as read at `asked`'s version; whether it was asked."""
    item = turn.session.get(LedgerItem, asked["item_id"])
    if item is None:
        return False
    given = answers_of(values, CloseAnswers)
    files = given.get("evidence", {}).get("files", [])
    decision = closeout.ask_closeout(
        _state(turn, item),
        expected_version=asked["version"],
        result=given["result"],
        files=files,
        week_of=reporting_day(0, turn.stamp.at, turn.zone),
    )
    if not _apply(turn, item, decision):
        turn.say(msg("weekly.conflicts", codes=[item.code]))
        return False
    post_closeout_request(turn, item, given["result"], files)
    _note_in_week(turn, item)
    turn.say(decision.said)
    return True


def _note_in_week(turn: Turn, item: LedgerItem) -> None:
    """The asker's week in progress, if it holds the item, leaves it to its close-out: the week
    shows it as asked, and its submit neither saves it again nor calls it someone else's."""
    row = drafts.weekly_draft_of(turn.session, turn.person.user_id, item.unit_id)
    if row is None:
        return
    draft = flows.loaded(row, WeeklyContext, None)
    if draft is None:
        return
    flow = flows.built(FlowName.WEEKLY, weekly_flow, draft.context)
    noted = asked_closing(flow, draft, saved_id(item), item.version)
    if noted is not None:
        drafts.save_draft(
            turn.session, row.chat_id, row.user_id, noted, now_at=turn.stamp.at, row=row
        )


def _tell_unit(turn: Turn, item: LedgerItem, text: Msg, key: str) -> None:
    groups = [c.chat_id for c in chats.chats_of_unit(turn.session, item.unit_id)]
    post(
        turn,
        [Planned(keys.in_chat(key, g), "item.decision", g, text, turn.stamp.at) for g in groups],
    )


def _finish_reject(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    pressed = context_of(draft, RejectContext)
    item = turn.session.get(LedgerItem, pressed["item_id"])
    if item is None:
        turn.say(msg("form.stale_button"))
        return
    reason = answers_of(values, RejectAnswers)["reason"]
    refused = reject_closeout_ask(turn, item, pressed.get("ask_id"), pressed.get("version"), reason)
    if refused is not None:
        turn.say(refused)


def approve_closeout_ask(turn: Turn, item: LedgerItem, asked: int | None) -> Msg | None:
    """同意: the item closed out, the unit's groups told, the decision said here; or why not
    (nothing saved). The chat's button and the board both decide through this."""
    decision = closeout.approve_closeout(_state(turn, item), asked=asked, at=turn.stamp.at)
    if isinstance(decision, Refused):
        return decision.reason
    if not _apply(turn, item, decision):  # rejected (or approved) by someone else meanwhile
        return closeout.already_decided(_state(turn, item)).reason
    turn.say(decision.said)
    return None


def reject_closeout_ask(
    turn: Turn, item: LedgerItem, asked: int | None, version: int | None, reason: str
) -> Msg | None:
    """不同意 with its reason: the item back to 整改中, the unit's groups told, the decision
    said here; or why not (nothing saved). The chat's flow and the board both decide here."""
    decision = closeout.reject_closeout(
        _state(turn, item),
        asked=asked,
        expected_version=version,
        reason=reason,
    )
    if isinstance(decision, Refused):
        return decision.reason
    if not _apply(turn, item, decision):  # decided by someone else at the same moment
        return closeout.already_decided(_state(turn, item)).reason
    turn.say(decision.said)
    return None


def may_reject(turn: Turn, item: LedgerItem, asked: int | None) -> Msg | None:
    """Why the ask may not be rejected now (decided already, a newer ask), or None."""
    refused = closeout.may_reject_closeout(_state(turn, item), asked=asked)
    return refused.reason if refused is not None else None


def on_approve_closeout(turn: Turn, pressed: Action) -> None:
    """The supervisors' 同意 on a close-out request (the ask it names, if it names one)."""
    item = item_for(turn, str(pressed.ref))
    refused = approve_closeout_ask(turn, item, pressed.optional(1)) if item is not None else None
    if refused is not None:
        turn.notice = turn.text(refused)


def on_reject_closeout(turn: Turn, pressed: Action) -> None:
    """The supervisors' 不同意 on a close-out request: the reason is asked for."""
    item = item_for(turn, str(pressed.ref))
    if item is None:
        return
    asked = pressed.optional(1)
    refused = may_reject(turn, item, asked)
    if refused is not None:
        turn.notice = turn.text(refused)
        return
    turn.begin(
        FlowName.CLOSEOUT_REJECT,
        context={"item_id": item.id, "code": item.code, "version": item.version, "ask_id": asked},
    )


FEATURE = Feature(
    "closeout",
    commands={CommandName.CLOSE: cmd_close},
    presses={Verb.CO_OK: on_approve_closeout, Verb.CO_NO: on_reject_closeout},
    flows={
        FlowName.CLOSE: FlowBinding(
            lambda ctx: CLOSE, _finish_close, context=CloseContext, answers=CloseAnswers
        ),
        FlowName.CLOSEOUT_REJECT: FlowBinding(
            lambda ctx: REJECT, _finish_reject, context=RejectContext, answers=RejectAnswers
        ),
    },
)
