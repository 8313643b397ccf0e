"""The working-day calendar (工作日、调休): /workday to read a year, set a day, or import the
State Council's yearly holiday notice."""

from __future__ import annotations

import re

from bot.delivery.acts import act_of, say_result
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from bot.usecases.workdays import import_holiday_notice, set_workday, year_overview
from workflows.calendar.holiday_notice import import_flow
from workflows.forms.contexts import (
    WorkdayImportAnswers,
    WorkdayImportContext,
    reader,
)
from workflows.forms.flow_names import FlowName
from workflows.messages import msg
from workflows.people.roles import CommandName
from workflows.words import WORKDAY_WORDS, whole_number

_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


def cmd_workday(turn: Turn, args: list[str]) -> None:
    """`/workday 2027-02-06 on|off [note]`, `/workday 2027`, `/workday import [year]`."""
    if args and args[0] == "import":
        year = whole_number(args[1], 9999) if len(args) > 1 else None
        year = year if year and year > 1900 else turn.stamp.at.year + 1
        turn.begin(FlowName.WORKDAY_IMPORT, context=WorkdayImportContext(year=year))
    elif len(args) == 1 and (year := whole_number(args[0], 9999)) and year >= 1000:
        turn.say(year_overview(act_of(turn), year))
    elif len(args) >= 2 and _DAY.match(args[0]) and args[1].lower() in WORKDAY_WORDS:
        say_result(turn, set_workday(act_of(turn), args[0], args[1], " ".join(args[2:])))
    else:
        turn.say(msg("workday.usage"))


def _finish_import(turn: Turn, context: WorkdayImportContext, given: WorkdayImportAnswers) -> None:
    text, year = given["text"], context["year"]
    turn.say(import_holiday_notice(act_of(turn), text, year))


FEATURE = Feature(
    "workday",
    commands={CommandName.WORKDAY: cmd_workday},
    flows={
        FlowName.WORKDAY_IMPORT: FlowBinding(
            lambda ctx: import_flow(int(ctx["year"])),
            _finish_import,
            context=WorkdayImportContext,
            answers=reader(WorkdayImportAnswers),
        )
    },
)
