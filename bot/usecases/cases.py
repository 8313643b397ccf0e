"""Forwarded cases (转办件): how a case reads in its unit's groups and the buttons it still
offers, and the supervisors' decision on a request for more time (the chat's and the
board's)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlmodel import Session

from bot.usecases.act import Act
from storage import cases as store
from storage import chats, decisions, planning
from storage.models import ForwardedCase, saved_id
from workflows import extension
from workflows.buttons import Verb, callback_data
from workflows.calendar import WorkCalendar
from workflows.campaign import FeedbackRule
from workflows.cases import ANSWERED, CaseChange, CaseNow, is_escalated, posted_case, still_to_do
from workflows.keys import CASE_POSTED, NoticeKey
from workflows.messages import Msg, msg
from workflows.outcome import Refused
from workflows.planner import Planned

_LABELS = {
    Verb.SIGN: msg("case.button.sign"),
    Verb.FB: msg("case.button.feedback"),
    Verb.EXT: msg("case.button.extend"),
}


def case_buttons(case: ForwardedCase) -> tuple[tuple[Msg, str], ...]:
    """The buttons of what can still be done on the case."""
    todo = still_to_do(signed=case.signed_at is not None, answered=case.status == ANSWERED)
    return tuple((_LABELS[verb], callback_data(verb, saved_id(case))) for verb in todo)


def case_card(
    session: Session,
    case: ForwardedCase,
    rules: FeedbackRule,
    now: datetime,
    cal: WorkCalendar,
    tz: tzinfo,
    *,
    provisional: Msg | str = "",
) -> Msg:
    """The case as its unit's group sees it now: due or overdue, and who signed for it."""
    signed = (store.signer_name(session, case), case.signed_at) if case.signed_at else None
    return posted_case(
        code=case.code,
        text=case.text,
        reference=case.reference,
        files=[f["name"] for f in case.files],
        due_at=case.due_at,
        now=now,
        working_days=rules.working_days,
        cal=cal,
        tz=tz,
        escalated=is_escalated(
            case.due_at, now, supervisors=bool(planning.supervisor_chats(session))
        ),
        signed=signed,
        provisional=provisional,
    )


def posted_notices(
    case: ForwardedCase, card: Msg, chat_ids: list[int], now: datetime
) -> list[Planned]:
    """The case posted in each of the unit's groups, with the buttons it still offers."""
    buttons = case_buttons(case)
    case_id = saved_id(case)
    return [
        Planned(NoticeKey.case_posted(case_id, chat).text, CASE_POSTED, chat, card, now, buttons)
        for chat in chat_ids
    ]


def case_now(session: Session, case: ForwardedCase) -> CaseNow:
    """The case as the extension rules read it: its unit, due time, who signed it."""
    signed = (store.signer_name(session, case), case.signed_at) if case.signed_at else None
    return CaseNow(
        id=saved_id(case),
        code=case.code,
        unit=store.unit_name(session, case.unit_id),
        answered=case.status == ANSWERED,
        due_at=case.due_at,
        fields=case.fields,
        signed=signed,
    )


def decide_case_extension(
    act: Act, case: ForwardedCase, approve: bool, reason: str = ""
) -> Msg | None:
    """同意 / 不同意 (with its reason) on a request for more time: the case changed, the
    decision written down, the unit's groups told, the decision said here; or why not (nothing
    saved). The chat's buttons and the board both decide through this."""
    decided = extension.decide_extension(
        case_now(act.session, case),
        approve=approve,
        by=act.person.user_id,
        at=act.stamp.at,
        reason=reason,
    )
    if isinstance(decided, Refused):
        return decided.reason
    change = CaseChange(fields=decided.fields, due_at=decided.due_at)
    store.update_case(act.session, case, change, decided.action, act.stamp)
    decisions.record_decision(
        act.session,
        act.stamp,
        unit_id=case.unit_id,
        case_id=saved_id(case),
        what=decided.decided,
        reason=decided.reason,
    )
    if decided.due_at is not None:  # what waited for the old time goes now
        planning.withdraw_rescheduled(act.session, case)
    word = decided.notice
    groups = [c.chat_id for c in chats.chats_of_unit(act.session, case.unit_id)]
    act.tell(
        [Planned(word.key_in(chat), word.kind, chat, word.text, act.stamp.at) for chat in groups],
    )
    act.say(decided.said)
    return None
