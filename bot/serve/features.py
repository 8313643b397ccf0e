"""Every feature of the bot, in one list: what it handles is read here, not found by import.

Each area's handler module declares its `FEATURE` (its commands, buttons, flows, and the
replies and files it takes); `REGISTRY` collects them and refuses two handlers for one name,
a command (`workflows.people.roles.CommandName`) or button (`workflows.forms.buttons.Verb`) declared
with its rule but handled nowhere, and a handler for one never declared.
"""

from __future__ import annotations

from bot.handlers import (
    board,
    cases,
    closeout,
    corrections,
    deadlines,
    evidence,
    items,
    leave,
    missing,
    notices,
    start_and_roster,
    submissions,
    summary,
    weekly,
    weekly_private,
    workbooks,
    workday,
)
from bot.telegram.feature import Feature, Registry

FEATURES: tuple[Feature, ...] = (
    start_and_roster.FEATURE,
    weekly.FEATURE,
    weekly_private.FEATURE,
    items.FEATURE,
    closeout.FEATURE,
    corrections.FEATURE,
    evidence.FEATURE,
    workbooks.FEATURE,
    deadlines.FEATURE,
    submissions.FEATURE,
    missing.FEATURE,
    cases.FEATURE,
    summary.FEATURE,
    notices.FEATURE,
    board.FEATURE,
    workday.FEATURE,
    leave.FEATURE,
)

REGISTRY = Registry.collect(FEATURES)
