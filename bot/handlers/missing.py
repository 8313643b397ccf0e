"""/missing: the units that have not submitted the nearest due or overdue deliverable, and each
weekly report's latest: the chat's door to `bot/usecases/deadlines.missing_units`."""

from __future__ import annotations

from bot.delivery.acts import act_of, say_result
from bot.telegram.feature import Feature
from bot.telegram.turn import Turn
from bot.usecases.deadlines import missing_units
from workflows.people.roles import CommandName


def cmd_missing(turn: Turn, args: list[str]) -> None:
    """Who has not submitted the nearest due or overdue deliverable, and this week's report."""
    say_result(turn, missing_units(act_of(turn)))


FEATURE = Feature("missing", commands={CommandName.MISSING: cmd_missing})
