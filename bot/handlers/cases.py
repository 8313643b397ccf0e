"""Forwarded cases (转办件): /forward, /feedback, /cases, /case, and the case buttons."""

from __future__ import annotations

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.item_lookup import case_for
from bot.telegram.paging import PAGE, Page
from bot.telegram.reply import Button
from bot.telegram.turn import Turn
from bot.usecases.cases import (
    answer_case,
    case_announced,
    case_buttons,
    case_by_id,
    case_now,
    case_record,
    cases_in_view,
    decide_case_extension,
    forward_case,
    request_extension,
    sign_case,
)
from bot.usecases.items import decision_lines
from bot.usecases.units import campaign_units
from storage.models import ForwardedCase, saved_id
from workflows.casework import extension, forwarding
from workflows.casework.cases import (
    ANSWERED,
    EXTENSION_FLOW,
    EXTENSION_REJECT,
    FEEDBACK_FLOW,
    may_handle,
)
from workflows.forms.buttons import Action, Verb
from workflows.forms.contexts import (
    ExtensionAnswers,
    ExtensionContext,
    ExtensionRejectContext,
    FeedbackAnswers,
    FeedbackContext,
    RejectAnswers,
    reader,
)
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import FileAnswer, TextAnswer
from workflows.json_types import json_object
from workflows.messages import Msg, lines, msg
from workflows.outcome import Refused
from workflows.people.roles import CommandName
from workflows.words import whole_number


def cmd_forward(turn: Turn, args: list[str]) -> None:
    """`/forward <unit> [#编号] <text>`, or `/forward <unit>` as a reply to the case's message."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    units = [u.name for u in campaign_units(act_of(turn))]
    replied = turn.source.replied
    given = replied.answer if replied is not None else None
    case_of = forwarding.read_case(
        args,
        units,
        replied_text=replied.text if replied else None,
        replied_file=given.as_json() if isinstance(given, FileAnswer) else None,
    )
    if isinstance(case_of, Refused):
        turn.say(case_of.reason)
        return
    with acting(turn) as act:
        forward_case(act, case_of, admin_ids=turn.services.settings.admin_ids)


def start_feedback(turn: Turn, case: ForwardedCase, first: str | None = None) -> None:
    """Open the feedback steps; a reply to the case message is its first answer."""
    refused = _may_handle(turn, case)
    if refused is not None:
        turn.say(refused.reason)
        return
    prefill = {"text": TextAnswer(first)} if first else None
    turn.begin(
        FlowName.FEEDBACK,
        context=FeedbackContext(case_id=saved_id(case), code=case.code),
        prefill=prefill,
    )


def _finish_feedback(turn: Turn, answering: FeedbackContext, given: FeedbackAnswers) -> None:
    case = case_by_id(turn.session, answering["case_id"])
    if case is None:
        turn.say(msg("case.already_answered", code=answering.get("code", "")))
        return
    with acting(turn) as act:
        answer_case(act, case, given)


def cmd_feedback(turn: Turn, args: list[str]) -> None:
    """`/feedback ZB-0001`: answer a forwarded case."""
    if not args:
        turn.say(msg("feedback.usage"))
        return
    case = case_for(turn, args[0])
    if case is not None:
        start_feedback(turn, case)


def answer_by_reply(turn: Turn, given: TextAnswer) -> bool:
    """A reply to a case message, with no flow open, starts its feedback."""
    replied = turn.source.replied
    if replied is None:
        return False
    case = case_announced(turn.session, turn.chat.chat_id, replied.message_id)
    if case is None:
        return False
    start_feedback(turn, case, first=given.text)
    return True


def _finish_extension(turn: Turn, asking: ExtensionContext, asked_for: ExtensionAnswers) -> None:
    case = case_by_id(turn.session, asking["case_id"])
    if case is None:
        return
    with acting(turn) as act:
        request_extension(act, case, asked_for["reason"], asked_for["until"])


def _may_handle(turn: Turn, case: ForwardedCase) -> Refused | None:
    answered = case.status == ANSWERED
    return may_handle(turn.actor, case.unit_id, code=case.code, answered=answered)


def _unit_case(turn: Turn, pressed: Action) -> ForwardedCase | None:
    """The case a button of its unit's names, if this liaison may still handle it; else a
    toast says why."""
    case = case_for(turn, str(pressed.ref))
    refused = _may_handle(turn, case) if case is not None else None
    if refused is not None:
        turn.notice = turn.text(refused.reason)
        return None
    return case


def on_sign(turn: Turn, pressed: Action) -> None:
    """签收: the pressed card shows who signed and when, and offers only what is left to do."""
    case = _unit_case(turn, pressed)
    if case is None:
        return
    signed = sign_case(act_of(turn), case)
    if isinstance(signed, Refused):
        turn.notice = turn.text(signed.reason)
        return
    buttons = [[Button(label, data)] for label, data in case_buttons(case)]  # as when posted
    turn.say(signed, buttons=buttons, edit=True)


def on_answer(turn: Turn, pressed: Action) -> None:
    """反馈: the feedback steps begin."""
    case = _unit_case(turn, pressed)
    if case is not None:
        start_feedback(turn, case)


def on_ask_extension(turn: Turn, pressed: Action) -> None:
    """申请延期: the steps asking for more time begin, unless one is pending or decided."""
    case = _unit_case(turn, pressed)
    if case is None:
        return
    refused = extension.may_ask_extension(case_now(turn.session, case))
    if refused is not None:
        turn.notice = turn.text(refused.reason)
        return
    turn.begin(
        FlowName.EXTENSION,
        context=ExtensionContext(
            case_id=saved_id(case), code=case.code, due=case.due_at.isoformat()
        ),
    )


def on_grant_extension(turn: Turn, pressed: Action) -> None:
    """The supervisor's 同意 on a request for more time."""
    case = case_for(turn, str(pressed.ref))
    if case is None:
        return
    with acting(turn) as act:
        why_not = decide_case_extension(act, case, approve=True)
    if why_not is not None:
        turn.notice = turn.text(why_not)


def on_refuse_extension(turn: Turn, pressed: Action) -> None:
    """The supervisor's 不同意: the reason is asked for, while the request still waits."""
    case = case_for(turn, str(pressed.ref))
    if case is None:
        return
    if json_object(case.fields.get("extension", {})).get("status") != extension.PENDING:
        turn.notice = turn.text(msg("form.stale_button"))
        return
    turn.begin(
        FlowName.EXTENSION_REJECT,
        context=ExtensionRejectContext(case_id=saved_id(case), code=case.code),
    )


def _finish_extension_reject(
    turn: Turn, pressed: ExtensionRejectContext, given: RejectAnswers
) -> None:
    case = case_by_id(turn.session, pressed["case_id"])
    if case is None:
        turn.say(msg("form.stale_button"))
        return
    with acting(turn) as act:
        refused = decide_case_extension(act, case, approve=False, reason=given["reason"])
    if refused is not None:
        turn.say(refused)


def cmd_cases(turn: Turn, args: list[str]) -> None:
    """Open cases in the caller's scope, each with its state, a page at a time."""
    show_cases(turn, (whole_number(args[0]) or 1) - 1 if args else 0)


def show_cases(turn: Turn, page: int, edit: bool = False) -> None:
    """One page of /cases (◀ ▶ turn it in place)."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    rows = cases_in_view(act_of(turn))
    shown = Page.of(len(rows), page, PAGE)
    header = msg("cases.header", count=len(rows))
    if shown.pages > 1:
        header = msg(
            "batches.cases_header", count=len(rows), page=shown.number + 1, pages=shown.pages
        )
    out: list[Msg | str] = [header]
    for line in shown.rows(rows):
        c = line.case
        out.append(
            msg(
                "cases.line",
                code=c.code,
                unit=line.unit,
                state=line.state,
                due=c.due_at,
                text=c.text[:30],
            )
        )
    if not rows:
        out.append(msg("cases.none"))
    turn.say(lines(out), buttons=shown.buttons(Verb.CASES), edit=edit)


def turn_page(turn: Turn, pressed: Action) -> None:
    """◀ ▶ under /cases."""
    show_cases(turn, int(pressed.ref), edit=True)


def cmd_case(turn: Turn, args: list[str]) -> None:
    """`/case ZB-0001`: the case and its timeline."""
    if not args:
        turn.say(msg("case.usage"))
        return
    case = case_for(turn, args[0])
    if case is None:
        return
    record = case_record(act_of(turn), case)
    out: list[Msg | str] = [
        msg(
            "case.card",
            code=case.code,
            unit=record.unit,
            text=case.text,
            due=case.due_at,
            state=record.state,
            received=case.received_at,
        )
    ]
    out += [
        msg("case.event", at=event.at, who=who, what=msg(f"timeline.{event.action}"))
        for event, who in record.timeline
    ]
    out += decision_lines(record.decisions)
    turn.say(lines(out))


FEATURE = Feature(
    "cases",
    commands={
        CommandName.FORWARD: cmd_forward,
        CommandName.FEEDBACK: cmd_feedback,
        CommandName.CASES: cmd_cases,
        CommandName.CASE: cmd_case,
    },
    presses={
        Verb.SIGN: on_sign,
        Verb.FB: on_answer,
        Verb.EXT: on_ask_extension,
        Verb.EXT_OK: on_grant_extension,
        Verb.EXT_NO: on_refuse_extension,
        Verb.CASES: turn_page,
    },
    flows={
        FlowName.FEEDBACK: FlowBinding(
            lambda ctx: FEEDBACK_FLOW,
            _finish_feedback,
            context=FeedbackContext,
            answers=reader(FeedbackAnswers),
        ),
        FlowName.EXTENSION: FlowBinding(
            lambda ctx: EXTENSION_FLOW,
            _finish_extension,
            context=ExtensionContext,
            answers=reader(ExtensionAnswers),
        ),
        FlowName.EXTENSION_REJECT: FlowBinding(
            lambda ctx: EXTENSION_REJECT,
            _finish_extension_reject,
            context=ExtensionRejectContext,
            answers=reader(RejectAnswers),
        ),
    },
    replies=(answer_by_reply,),
)
