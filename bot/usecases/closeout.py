"""Close-out (销号): an item's close-out asked with its result and evidence, and the
supervisors' 同意 / 不同意 (with the rejection's reason) — for /close, the week, the board."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.usecases import flows
from bot.usecases.act import Act
from storage import chats, decisions, drafts, planning
from storage import evidence as kept
from storage import ledger as store
from storage.models import LedgerItem, Unit, saved_id
from workflows import keys
from workflows.forms.buttons import Verb, callback_data
from workflows.forms.contexts import (
    CloseAnswers,
    CloseContext,
    WeeklyContext,
)
from workflows.forms.flow_names import FlowName
from workflows.guards import required
from workflows.messages import Msg, msg
from workflows.outcome import Refused
from workflows.planner import Planned
from workflows.problems import closeout, evidence
from workflows.problems.ledger import Status
from workflows.week.periods import reporting_day
from workflows.week.week_answers import WeekAnswers
from workflows.week.week_page import asked_closing
from workflows.week.weekly import weekly_flow


def post_closeout_request(
    act: Act, item: LedgerItem, result: str, files: Sequence[Mapping[str, object]]
) -> None:
    """Ask the supervisors to approve a close-out, with buttons."""
    unit = act.session.get(Unit, item.unit_id)
    state = _state(act, item)
    ask = closeout.closeout_request(
        state,
        unit=unit.name if unit else "",
        result=result,
        files=files,
        flags=evidence_flags(act, item, files),
    )
    # the decision buttons name the ask they decide: a newer ask is not decided by these
    asked = required(state.ask_id, "the close-out ask just recorded")
    buttons = (
        (msg("closeout.approve"), callback_data(Verb.CO_OK, state.id, asked)),
        (msg("closeout.reject"), callback_data(Verb.CO_NO, state.id, asked)),
        (msg("closeout.details"), callback_data(Verb.ITEM, state.id)),
    )
    act.tell(
        [
            Planned(ask.key_in(c), ask.kind, c, ask.text, act.stamp.at, buttons)
            for c in planning.supervisor_chats(act.session)
        ],
    )


def evidence_flags(act: Act, item: LedgerItem, files: Sequence[Mapping[str, object]]) -> list[Msg]:
    """What the supervisor deciding should know of the files: used for another problem before,
    or a photo taken long before it was sent."""
    earlier = kept.earlier_uses(act.session, saved_id(item), files)
    return evidence.reuse_flags(files, earlier, act.zone)


def _state(act: Act, item: LedgerItem) -> closeout.CloseoutItem:
    """The item as a close-out decision reads it, with the ask awaiting a decision."""
    item_id = saved_id(item)
    ask = store.closeout_ask(act.session, item_id) if item.status == Status.CLOSING else None
    return closeout.CloseoutItem(item_id, item.code, item.name, item.status, item.version, ask)


def _apply(act: Act, item: LedgerItem, decision: closeout.CloseoutDecision) -> bool:
    """Save a close-out decision and plan its messages; False when someone else changed the
    item meanwhile (nothing saved)."""
    try:
        store.change_item(
            act.session,
            item,
            decision.changes,
            expected_version=decision.expected_version,
            action=decision.action,
            stamp=act.stamp,
        )
    except store.Conflict:
        return False
    if decision.progress is not None:
        store.add_progress(act.session, item, decision.progress, act.stamp)
    if decision.decided:
        decisions.record_decision(
            act.session,
            act.stamp,
            unit_id=item.unit_id,
            item_id=saved_id(item),
            what=decision.decided,
            reason=decision.reason,
        )
    if decision.to_unit is not None:
        _tell_unit(act, item, decision.to_unit.text, decision.to_unit.key)
    return True


def send_closeout_ask(act: Act, asked: CloseContext, given: CloseAnswers) -> bool:
    """Ask for an item's close-out with its result and evidence (the /close flow's values, or
    the Mini App's form), as read at `asked`'s version; whether it was asked."""
    item = act.session.get(LedgerItem, asked["item_id"])
    if item is None:
        return False
    files = given.get("evidence", {}).get("files", [])
    decision = closeout.ask_closeout(
        _state(act, item),
        expected_version=asked["version"],
        result=given["result"],
        files=files,
        week_of=reporting_day(0, act.stamp.at, act.zone),
    )
    if not _apply(act, item, decision):
        act.say(msg("weekly.conflicts", codes=[item.code]))
        return False
    post_closeout_request(act, item, given["result"], files)
    _note_in_week(act, item)
    act.say(decision.said)
    return True


def _note_in_week(act: Act, item: LedgerItem) -> None:
    """The asker's week in progress, if it holds the item, leaves it to its close-out: the week
    shows it as asked, and its submit neither saves it again nor calls it someone else's."""
    row = drafts.weekly_draft_of(act.session, act.person.user_id, item.unit_id)
    if row is None:
        return
    read = flows.loaded(row, WeeklyContext, WeekAnswers)
    if read is None:
        return
    flow = flows.built(FlowName.WEEKLY, weekly_flow, read.context, WeeklyContext)
    noted = asked_closing(flow, read.draft, saved_id(item), item.version)
    if noted is not None:
        drafts.save_draft(
            act.session, row.chat_id, row.user_id, noted, now_at=act.stamp.at, row=row
        )


def _tell_unit(act: Act, item: LedgerItem, text: Msg, key: str) -> None:
    groups = [c.chat_id for c in chats.chats_of_unit(act.session, item.unit_id)]
    act.tell(
        [Planned(keys.in_chat(key, g), "item.decision", g, text, act.stamp.at) for g in groups],
    )


def approve_closeout_ask(act: Act, item: LedgerItem, asked: int | None) -> Msg | None:
    """同意: the item closed out, the unit's groups told, the decision said here; or why not
    (nothing saved). The chat's button and the board both decide through this."""
    decision = closeout.approve_closeout(_state(act, item), asked=asked, at=act.stamp.at)
    if isinstance(decision, Refused):
        return decision.reason
    if not _apply(act, item, decision):  # rejected (or approved) by someone else meanwhile
        return closeout.already_decided(_state(act, item)).reason
    act.say(decision.said)
    return None


def reject_closeout_ask(
    act: Act, item: LedgerItem, asked: int | None, version: int | None, reason: str
) -> Msg | None:
    """不同意 with its reason: the item back to 整改中, the unit's groups told, the decision
    said here; or why not (nothing saved). The chat's flow and the board both decide here."""
    decision = closeout.reject_closeout(
        _state(act, item),
        asked=asked,
        expected_version=version,
        reason=reason,
    )
    if isinstance(decision, Refused):
        return decision.reason
    if not _apply(act, item, decision):  # decided by someone else at the same moment
        return closeout.already_decided(_state(act, item)).reason
    act.say(decision.said)
    return None


def may_reject(act: Act, item: LedgerItem, asked: int | None) -> Msg | None:
    """Why the ask may not be rejected now (decided already, a newer ask), or None."""
    refused = closeout.may_reject_closeout(_state(act, item), asked=asked)
    return refused.reason if refused is not None else None


def may_ask(act: Act, item: LedgerItem, *, reports_for_unit: bool) -> Refused | None:
    """Whether the one acting (`reports_for_unit`: who reports for the item's unit) may ask
    for this item's close-out now (`closeout.may_ask_closeout`)."""
    return closeout.may_ask_closeout(_state(act, item), reports_for_unit=reports_for_unit)
