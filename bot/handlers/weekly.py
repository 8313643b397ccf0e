"""The weekly update (每周报送台账) in the chat: /weekly, /correct and the reminder's button;
the finished flow saved by `bot/usecases/week.py`."""

from __future__ import annotations

from datetime import datetime

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from bot.telegram.weekly_start import begin_weekly
from bot.usecases.items import categories
from bot.usecases.week import latest_submitted_week, submit_week, weekly_context
from workflows.forms.buttons import Action, Verb
from workflows.forms.contexts import (
    WeeklyContext,
)
from workflows.forms.flow_names import FlowName
from workflows.messages import msg
from workflows.people.roles import CommandName
from workflows.week.correction import DIRECT, correction_kind
from workflows.week.week_answers import WeekAnswers
from workflows.week.weekly import (
    over_word,
    week_over,
    weekly_flow,
)
from workflows.week.weekly_update import summary_to_groups


def start_weekly(turn: Turn, index: int = 0) -> None:
    """This week's update: each open item in turn, new problems, one confirm."""
    unit = turn.reporting_unit()
    if unit is None or turn.campaign is None:
        return
    with acting(turn) as act:
        context = weekly_context(act, unit, index)
    if context is None:
        return
    begin_weekly(turn, unit, context)


def cmd_weekly(turn: Turn, args: list[str]) -> None:
    """Start this week's update."""
    start_weekly(turn)


def cmd_correct(turn: Turn, args: list[str]) -> None:
    """`/correct`: the unit's latest submitted week, filled in again; saved directly until its
    deadline, asked of the supervisors after it (`workflows/week/correction.py`)."""
    unit = turn.reporting_unit()
    if unit is None or turn.campaign is None:
        return
    latest = latest_submitted_week(act_of(turn), unit)
    if latest is None:
        turn.say(msg("correction.nothing", unit=unit.name))
        return
    index, period = latest
    with acting(turn) as act:
        context = weekly_context(act, unit, index, period, correcting=True)
    if context is None:
        return
    if week_over(context, turn.stamp.at):  # its draft would be closed at the first answer
        turn.say(msg("correction.too_late", unit=unit.name, name=context["report_name"]))
        return
    due = datetime.fromisoformat(context["due"])
    direct = correction_kind(due, turn.stamp.at) == DIRECT
    said = "correction.start_direct" if direct else "correction.start_request"
    turn.say(msg(said, unit=unit.name, name=context["report_name"], due=due))
    begin_weekly(turn, unit, context)


def _finish_weekly(turn: Turn, week: WeeklyContext, answers: WeekAnswers) -> None:
    with acting(turn) as act:
        submit_week(act, week, answers, to_groups=summary_to_groups(in_group=turn.is_group))


def on_weekly_press(turn: Turn, pressed: Action) -> None:
    """The weekly reminder's button: begin this week's update."""
    start_weekly(turn, pressed.ref)


FEATURE = Feature(
    "weekly",
    commands={CommandName.WEEKLY: cmd_weekly, CommandName.CORRECT: cmd_correct},
    presses={Verb.WEEKLY: on_weekly_press},
    flows={
        FlowName.WEEKLY: FlowBinding(
            weekly_flow,
            _finish_weekly,
            lambda turn: categories(turn.campaign),
            over_word,
            context=WeeklyContext,
            answers=WeekAnswers,
        )
    },
)
