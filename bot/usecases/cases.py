"""Forwarded cases (转办件): how a case reads in its unit's groups and the buttons it still
offers; a case forwarded to a unit; the unit's answer (反馈) and its request for more time;
the supervisors' decision on that request (the chat's and the board's)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session

from bot.usecases.act import Act
from storage import campaigns, chats, decisions, planning
from storage import cases as store
from storage.calendar import work_calendar
from storage.decisions import MadeDecision
from storage.models import AuditEvent, ForwardedCase, saved_id
from workflows import keys
from workflows.calendar.working_days import WorkCalendar
from workflows.campaign import FeedbackRule
from workflows.casework import extension, feedback, forwarding
from workflows.casework.cases import (
    ANSWERED,
    SIGNED,
    CaseChange,
    CaseNow,
    case_state,
    is_escalated,
    posted_case,
    still_to_do,
)
from workflows.casework.forwarding import Forward
from workflows.forms.buttons import Verb, callback_data
from workflows.forms.contexts import FeedbackAnswers
from workflows.guards import required
from workflows.keys import CASE_POSTED, NoticeKey
from workflows.messages import Msg, msg
from workflows.outcome import Refused
from workflows.planner import Planned

_LABELS = {
    Verb.SIGN: msg("case.button.sign"),
    Verb.FB: msg("case.button.feedback"),
    Verb.EXT: msg("case.button.extend"),
}


def case_by_id(session: Session, case_id: int) -> ForwardedCase | None:
    """A forwarded case by its row id (None if there is none)."""
    return session.get(ForwardedCase, case_id)


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
        files=[str(f["name"]) for f in case.files],
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


def case_staff_chats(session: Session, case: ForwardedCase) -> list[int]:
    """The supervisors' group, and the forwarding supervisor's chat unless seen in it."""
    return planning.staff_chats(session, [case.forwarded_by] if case.forwarded_by else [])


def answer_case(act: Act, case: ForwardedCase, answer: FeedbackAnswers) -> None:
    """反馈: the unit's answer to a case recorded (on time or late), the supervisors told, the
    answer said; or why not, said (nothing saved)."""
    given = feedback.give_feedback(
        case_now(act.session, case),
        answer,
        who=act.person.name or act.person.display_name,
        at=act.stamp.at,
        cal=work_calendar(act.session),
        tz=act.zone,
    )
    if isinstance(given, Refused):
        act.say(given.reason)
        return
    store.add_feedback(
        act.session,
        case,
        text=given.text,
        status=given.status,
        expected_on=given.expected_on,
        files=[dict(f) for f in given.files],
        on_time=given.on_time,
        late_days=given.late_days,
        stamp=act.stamp,
    )
    report = given.report
    act.tell(
        [
            Planned(report.key_in(chat), report.kind, chat, report.text, act.stamp.at)
            for chat in case_staff_chats(act.session, case)
        ],
    )
    act.say(given.said)


def request_extension(act: Act, case: ForwardedCase, reason: str, until: str) -> None:
    """延期: more time asked for a case (only a later time), the supervisors asked with
    同意 / 不同意, the asking said; or why not, said (nothing saved)."""
    asked = extension.ask_extension(
        case_now(act.session, case),
        reason=reason,
        until=extension.until_of(until, act.zone),
        by=act.person.user_id,
        at=act.stamp.at,
    )
    if asked is None:
        return
    if isinstance(asked, Refused):
        act.say(asked.reason)
        return
    store.update_case(act.session, case, CaseChange(fields=asked.fields), asked.action, act.stamp)
    buttons = (
        (msg("extension.button.approve"), callback_data(Verb.EXT_OK, saved_id(case))),
        (msg("extension.button.reject"), callback_data(Verb.EXT_NO, saved_id(case))),
    )
    ask = asked.notice
    act.tell(
        [
            Planned(ask.key_in(chat), ask.kind, chat, ask.text, act.stamp.at, buttons)
            for chat in case_staff_chats(act.session, case)
        ],
    )
    act.say(asked.said)


def forward_case(act: Act, case_of: Forward, *, admin_ids: Collection[int]) -> None:
    """转办: the case recorded for its unit with its due time on the working-day rule, posted
    in the unit's groups (the admins told when the calendar it used is provisional), the
    forwarding said; or why not, said (the unit has no group)."""
    camp = required(act.campaign, "the active campaign")
    unit = required(
        campaigns.unit_named(act.session, saved_id(camp), case_of.unit), "the unit read"
    )
    unit_id = saved_id(unit)
    groups = [c.chat_id for c in chats.chats_of_unit(act.session, unit_id)]
    refused = forwarding.may_forward(unit.name, groups)
    if refused is not None:
        act.say(refused.reason)
        return
    cal = work_calendar(act.session)
    rules = campaigns.case_rules(camp)
    now = act.stamp.at
    due = forwarding.case_due(now, rules, cal, act.zone)
    case = store.create_case(
        act.session,
        unit_id=unit_id,
        text=case_of.text,
        reference=case_of.reference,
        received_at=now,
        due_at=due.due_at,
        stamp=act.stamp,
        files=[dict(f) for f in case_of.files],
    )
    card = case_card(act.session, case, rules, now, cal, act.zone, provisional=due.note)
    items = posted_notices(case, card, groups, now)
    admins = forwarding.provisional_notice(due, act.zone)
    if admins is not None:
        items += [
            Planned(keys.to_admin(admins.key, a), admins.kind, a, admins.text, now)
            for a in planning.admin_chats(act.session, admin_ids)
        ]
    act.tell(items)
    act.say(forwarding.forwarded(case.code, unit.name, due))


def sign_case(act: Act, case: ForwardedCase) -> Msg | Refused:
    """签收: the case signed for by the one acting; its card as it reads now (who signed and
    when), or why not (nothing saved)."""
    refused = feedback.may_sign(case_now(act.session, case))
    if refused is not None:
        return refused
    signed = CaseChange(status=SIGNED, signed_at=act.stamp.at)
    store.update_case(act.session, case, signed, "case.sign", act.stamp)
    rules = campaigns.case_rules(required(act.campaign, "the active campaign"))
    return case_card(act.session, case, rules, act.stamp.at, work_calendar(act.session), act.zone)


def case_announced(session: Session, chat_id: int, message_id: int) -> ForwardedCase | None:
    """The case a bot message in a unit's group announced (people answer by replying to it)."""
    return store.case_of_message(session, chat_id, message_id)


def state_now(act: Act, case: ForwardedCase, cal: WorkCalendar) -> Msg:
    """未签收, 已签收, 临期, 逾期N个工作日 or 已反馈, now."""
    return case_state(
        due_at=case.due_at,
        now=act.stamp.at,
        signed=case.signed_at is not None,
        answered=case.status == ANSWERED,
        cal=cal,
        tz=act.zone,
    )


@dataclass(frozen=True)
class CaseLine:
    """A case in a list: the case, its unit's name and its state now."""

    case: ForwardedCase
    unit: str
    state: Msg


def cases_in_view(act: Act) -> list[CaseLine]:
    """The cases of every unit the one acting sees, open ones first, then answered ones (a
    list shows them a page at a time, so none is cut off)."""
    camp = required(act.campaign, "the active campaign")
    units = {saved_id(u): u.name for u in campaigns.units_of(act.session, saved_id(camp))}
    seen = [unit_id for unit_id in units if act.actor.sees(unit_id)]
    cal = work_calendar(act.session)
    return [
        CaseLine(c, units.get(c.unit_id, ""), state_now(act, c, cal))
        for c in store.cases_of(act.session, seen)
    ]


@dataclass(frozen=True)
class CaseRecord:
    """One case in full: its unit's name, its state now, what happened to it and its feedback
    (oldest first, with who did it), and the supervisors' decisions on it."""

    unit: str
    state: Msg
    timeline: list[tuple[AuditEvent, str]]
    decisions: list[MadeDecision]


def case_record(act: Act, case: ForwardedCase) -> CaseRecord:
    """The case, its timeline and the decisions on it, as /case shows them."""
    return CaseRecord(
        store.unit_name(act.session, case.unit_id),
        state_now(act, case, work_calendar(act.session)),
        store.timeline_of(act.session, case),
        decisions.decisions_of(act.session, case_id=saved_id(case)),
    )
