"""Forwarded cases (转办件): their state, the feedback and extension flows, how to read /forward."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.forms.buttons import Verb
from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Attachments, Choice, DateInput, FormEnv, Option, Text
from workflows.json_types import JSONObject, JSONValue, json_object
from workflows.messages import Msg, msg
from workflows.outcome import Refused
from workflows.people.roles import Actor

_REFERENCE = re.compile(r"^(?:#|编号[:：])(\S+)$")


OPEN, SIGNED, ANSWERED = "open", "signed", "answered"  # a case's status, in its order


@dataclass(frozen=True)
class CaseChange:
    """What a use case changes on a forwarded case (None: left as it is)."""

    status: str | None = None
    signed_at: datetime | None = None
    answered_at: datetime | None = None
    due_at: datetime | None = None
    fields: Mapping[str, JSONValue] | None = None


@dataclass(frozen=True)
class CaseNow:
    """A forwarded case as its use cases read it (feedback, signing, extension)."""

    id: int
    code: str
    unit: str
    answered: bool
    due_at: datetime
    fields: Mapping[str, JSONValue] = field(default_factory=dict)  # the extension asked, if any
    signed: tuple[str, datetime] | None = None  # who signed for it, and when

    @property
    def request(self) -> JSONObject:
        """The latest extension request (pending or decided), or an empty one."""
        return json_object(self.fields.get("extension"))


def case_code(seq: int) -> str:
    """`ZB-0001`: short, ASCII, easy to type and to say."""
    return f"ZB-{seq:04d}"


@dataclass(frozen=True)
class ForwardArgs:
    """What `/forward <unit> [#编号] <text>` says."""

    unit: str
    reference: str
    text: str


def read_forward(args: Sequence[str], units: Sequence[str]) -> ForwardArgs | None:
    """Split `/forward` arguments; the unit may be several words long (longest match wins)."""
    for n in range(len(args), 0, -1):
        name = " ".join(args[:n])
        if name in units:
            rest = list(args[n:])
            reference = ""
            if rest and (m := _REFERENCE.match(rest[0])):
                reference, rest = m.group(1), rest[1:]
            return ForwardArgs(name, reference, " ".join(rest))
    return None


def case_state(
    *, due_at: datetime, now: datetime, signed: bool, answered: bool, cal: WorkCalendar, tz: tzinfo
) -> Msg:
    """未签收, 已签收, 临期 (due today), 逾期N个工作日, 已反馈."""
    if answered:
        return msg("case.state.answered")
    if now > due_at:
        return msg("case.state.overdue", days=overdue_working_days(due_at, now, cal, tz))
    if due_at.astimezone(tz).date() == now.astimezone(tz).date():
        return msg("case.state.due_today")
    return msg("case.state.signed" if signed else "case.state.unsigned")


def overdue_working_days(due_at: datetime, now: datetime, cal: WorkCalendar, tz: tzinfo) -> int:
    """How many working days a case past its time limit is late (at least one)."""
    days = cal.working_days_between(due_at.astimezone(tz).date(), now.astimezone(tz).date())
    return max(days, 1)


def still_to_do(*, signed: bool, answered: bool) -> tuple[Verb, ...]:
    """What the unit can still do on a case: 签收 until signed, 反馈 and 申请延期 until answered."""
    if answered:
        return ()
    return (*(() if signed else (Verb.SIGN,)), Verb.FB, Verb.EXT)


def may_handle(actor: Actor, unit_id: int, *, code: str, answered: bool) -> Refused | None:
    """签收, 反馈 and 申请延期 are for the liaisons of the case's unit, until it is answered."""
    if not actor.reports_for(unit_id):
        return Refused(msg("case.liaison_only", code=code))
    if answered:
        return Refused(msg("case.already_answered", code=code))
    return None


def is_escalated(due_at: datetime, now: datetime, *, supervisors: bool) -> bool:
    """Whether the supervisors were told (催办): the planner tells them the moment a case is
    overdue, when there is a supervisor chat to tell."""
    return now > due_at and supervisors


def late_working_days(due_at: datetime, at: datetime, cal: WorkCalendar, tz: tzinfo) -> int:
    """By how many working days an answer at `at` is late (0 when on time)."""
    if at <= due_at:
        return 0
    return max(cal.working_days_between(due_at.astimezone(tz).date(), at.astimezone(tz).date()), 1)


def posted_case(
    *,
    code: str,
    text: str,
    reference: str,
    files: Sequence[str],
    due_at: datetime,
    now: datetime,
    working_days: int,
    cal: WorkCalendar,
    tz: tzinfo,
    escalated: bool = False,
    signed: tuple[str, datetime] | None = None,
    provisional: Msg | str = "",
) -> Msg:
    """The case as its unit's group sees it: the request; by when, or how late it already is
    and whether the supervisors were told (催办); who signed for it, and when."""
    if now > due_at:  # an imported case can be overdue the moment it is posted
        deadline = msg(
            "case.deadline_overdue",
            due=due_at,
            days=late_working_days(due_at, now, cal, tz),
            escalated=msg("case.escalated") if escalated else "",
        )
    else:
        deadline = msg("case.deadline_open", due=due_at, days=working_days, provisional=provisional)
    return msg(
        "case.posted",
        code=code,
        text=text,
        reference=msg("case.reference", reference=reference) if reference else "",
        files=msg("case.files", names=list(files)) if files else "",
        deadline=deadline,
        signed=msg("case.signed_by", who=signed[0], at=signed[1]) if signed else "",
    )


STATUS_DONE = "已办结"
STATUS_ONGOING = "正在办理"


def feedback_status(status: str, expected: date | None) -> Msg:
    """The state a feedback reports, in the reader's words (the stored value is Chinese)."""
    if status == STATUS_ONGOING:
        if expected:
            return msg("feedback.status.ongoing_until", expected=expected)
        return msg("feedback.status.ongoing")
    return msg("feedback.status.done")


FEEDBACK_FLOW = Flow(
    FlowName.FEEDBACK,
    title="feedback.title",
    steps=(
        Step("text", "feedback.ask_text", Text()),
        Step(
            "status",
            "feedback.ask_status",
            Choice(
                options=(
                    Option(STATUS_DONE, msg("feedback.status.done")),
                    Option(STATUS_ONGOING, msg("feedback.status.ongoing")),
                )
            ),
        ),
        Step(
            "expected",
            "feedback.ask_expected",
            DateInput(not_before_today=True),
            when=lambda v: v.get("status") == STATUS_ONGOING,
        ),
        Step("material", "feedback.ask_material", Attachments(), optional=True),
    ),
    summary="feedback.summary",
)


def _due_now(values: Mapping[str, object], env: FormEnv) -> Mapping[str, object]:
    return {"due": datetime.fromisoformat(str(values["due"])) if values.get("due") else ""}


EXTENSION_FLOW = Flow(
    FlowName.EXTENSION,
    title="extension.title",
    steps=(
        Step("reason", "extension.ask_reason", Text(max_len=500)),
        Step(
            "until",
            "extension.ask_until",
            DateInput(with_time=True, not_before_today=True, later_than="due"),
        ),
    ),
    summary="extension.summary",
    extras=_due_now,
)

# 不同意延期 needs its reason, as 不同意销号 does: the unit is told why
EXTENSION_REJECT = Flow(
    FlowName.EXTENSION_REJECT,
    "extension.reject_title",
    (Step("reason", "extension.ask_reject_reason", Text(max_len=500)),),
)
