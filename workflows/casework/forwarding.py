"""Forwarding a case (转办) to a unit: what `/forward` says, and by when the unit answers.

The case is the command's text, or the message it replies to (its text, or its attachment);
it goes to the unit's bound groups, so a unit without one cannot be sent a case. Feedback is
due at the cutoff of the N-th working day after the day received (DESIGN §5); a due date the
calendar only guesses (a year the holiday package does not know, where only the law's holidays
and weekends are off) is marked provisional and the admins are told once for that year which
holidays were assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from workflows.calendar.statutory import StatutoryHoliday, assumed_days
from workflows.calendar.working_days import WorkCalendar, feedback_due
from workflows.campaign import FeedbackRule
from workflows.casework.cases import read_forward
from workflows.json_read import json_object_of
from workflows.json_types import JSONValue
from workflows.keys import provisional_year
from workflows.messages import Msg, msg
from workflows.outcome import Notice, Refused


@dataclass(frozen=True)
class Forward:
    """The case to create: to which unit, its reference (文号), text and attachments."""

    unit: str
    reference: str
    text: str
    files: tuple[Mapping[str, JSONValue], ...]


def read_case(
    args: Sequence[str],
    units: Sequence[str],
    *,
    replied_text: str | None = None,
    replied_file: Mapping[str, object] | None = None,
) -> Forward | Refused:
    """The case `/forward` names, or the usage (with the unit names) when it names none."""
    parsed = read_forward(args, units)
    if parsed is None:
        return Refused(msg("forward.usage", units=list(units)))
    text = parsed.text or (replied_text or "")
    files = (json_object_of(replied_file),) if replied_file is not None else ()
    if not text and not files:
        return Refused(msg("forward.usage", units=list(units)))
    return Forward(parsed.unit, parsed.reference, text or files_text(files), files)


def files_text(files: Sequence[Mapping[str, object]]) -> str:
    """A case made of attachments only is named by them."""
    return "、".join(str(f["name"]) for f in files)


def may_forward(unit: str, groups: Sequence[int]) -> Refused | None:
    """A case goes to the unit's groups: a unit with none bound cannot receive it."""
    return None if groups else Refused(msg("forward.no_group", unit=unit))


@dataclass(frozen=True)
class CaseDue:
    """When the feedback is due (UTC), whether the calendar only guesses that day, and the
    law's holidays it assumed in that year."""

    due_at: datetime
    provisional: bool
    assumed: tuple[StatutoryHoliday, ...] = ()

    @property
    def note(self) -> Msg | str:
        """The provisional mark shown next to the due time (empty when the calendar knows)."""
        return msg("calendar.provisional") if self.provisional else ""


def case_due(received: datetime, rules: FeedbackRule, cal: WorkCalendar, tz: tzinfo) -> CaseDue:
    """The feedback due time of a case received now."""
    due = feedback_due(
        received, working_days=rules.working_days, cutoff=rules.cutoff, cal=cal, tz=tz
    ).astimezone(UTC)
    day = due.astimezone(tz).date()
    return CaseDue(due, cal.is_provisional(day), cal.assumed_holidays(day.year))


def provisional_notice(due: CaseDue, tz: tzinfo) -> Notice | None:
    """The admins are told once per year that its working days are only guessed, and which
    holidays were assumed."""
    if not due.provisional:
        return None
    year = due.due_at.astimezone(tz).year
    word = (
        msg("calendar.provisional_law", year=year, holidays=assumed_days(due.assumed))
        if due.assumed
        else msg("calendar.provisional_admins", year=year)
    )
    return Notice(provisional_year(year), "calendar.provisional", word)


def forwarded(code: str, unit: str, due: CaseDue) -> Msg:
    """What the supervisor is told once the case is sent."""
    return msg("forward.done", code=code, unit=unit, due=due.due_at, provisional=due.note)
