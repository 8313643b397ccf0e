"""Feedback (反馈) on a forwarded case, and signing for it (签收).

Feedback is on time when given by the due time; otherwise it is late by the working days
since the due day (at least one). The supervisors get the report either way. A case is
answered once: a second feedback is refused. A case is signed for once: a second 签收 says
who signed and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from workflows.calendar.working_days import WorkCalendar
from workflows.casework.cases import CaseNow, feedback_status, late_working_days
from workflows.forms.contexts import FeedbackAnswers, FileJson, Material
from workflows.json_read import json_object_of
from workflows.json_types import JSONValue
from workflows.keys import FEEDBACK, case_notice
from workflows.messages import Msg, msg
from workflows.outcome import Notice, Refused


@dataclass(frozen=True)
class FeedbackGiven:
    """The feedback to record, the report to the supervisors, and what the liaison is told."""

    text: str
    status: str
    expected_on: date | None
    files: tuple[Mapping[str, JSONValue], ...]
    late_days: int
    report: Notice
    said: Msg

    @property
    def on_time(self) -> bool:
        """Whether the feedback came by the due time."""
        return self.late_days == 0


def give_feedback(
    case: CaseNow,
    answers: FeedbackAnswers,
    *,
    who: str,
    at: datetime,
    cal: WorkCalendar,
    tz: tzinfo,
) -> FeedbackGiven | Refused:
    """The answers of the feedback flow (`text`, `status`, `expected`, `material`) as feedback."""
    if case.answered:
        return Refused(msg("case.already_answered", code=case.code))
    late = late_working_days(case.due_at, at, cal, tz)
    expected = date.fromisoformat(answers["expected"]) if answers.get("expected") else None
    material: Material = answers.get("material") or {}
    files: Sequence[FileJson] = material.get("files", [])
    text = answers["text"] + (f"\n{material['note']}" if material.get("note") else "")
    timing = msg("feedback.on_time") if late == 0 else msg("feedback.late", days=late)
    report = msg(
        "feedback.report",
        code=case.code,
        unit=case.unit,
        text=text,
        status=feedback_status(answers["status"], expected),
        timing=timing,
        files=[f["name"] for f in files] or msg("missing.none"),
        who=who,
    )
    return FeedbackGiven(
        text=text,
        status=answers["status"],
        expected_on=expected,
        files=tuple(json_object_of(f) for f in files),
        late_days=late,
        report=Notice(case_notice(case.id, FEEDBACK), "case.feedback", report),
        said=msg("feedback.done", code=case.code, timing=timing),
    )


def may_sign(case: CaseNow) -> Refused | None:
    """签收 once: a second press says who signed and when."""
    if case.signed is None:
        return None
    who, when = case.signed
    return Refused(msg("case.already_signed", code=case.code, who=who, at=when))
