"""Every feature of the bot, in one list: what it handles is read here, not found by import.

Each area's handler module declares its `FEATURE` (its commands, buttons, flows, and the
replies and files it takes), joined here by the Mini App's routes that serve it (each page's
`ROUTES` in `bot/web/`: the pages stand above the handlers, so the one list that sees both
joins them); the Mini App's server serves exactly these routes. `REGISTRY` collects them and
refuses two handlers for one name or route, a command (`workflows.people.roles.CommandName`)
or button (`workflows.forms.buttons.Verb`) declared with its rule but handled nowhere, and a
handler for one never declared.
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
from bot.web import board as board_page
from bot.web import leave as leave_page
from bot.web import notices as notices_page
from bot.web import problem_pages
from bot.web import server as mini_app
from bot.web import week as week_page

FEATURES: tuple[Feature, ...] = (
    start_and_roster.FEATURE,
    weekly.FEATURE.serving(*week_page.ROUTES),
    weekly_private.FEATURE,
    items.FEATURE.serving(*problem_pages.ROUTES),
    closeout.FEATURE.serving(*problem_pages.CLOSEOUT_ROUTES),
    corrections.FEATURE,
    evidence.FEATURE,
    workbooks.FEATURE,
    deadlines.FEATURE,
    submissions.FEATURE,
    missing.FEATURE,
    cases.FEATURE,
    summary.FEATURE,
    notices.FEATURE.serving(*notices_page.ROUTES),
    board.FEATURE.serving(*board_page.ROUTES),
    workday.FEATURE,
    leave.FEATURE.serving(*leave_page.ROUTES),
    Feature("mini_app", routes=mini_app.ROUTES),  # the page's first call, whichever page
)

REGISTRY = Registry.collect(FEATURES)
