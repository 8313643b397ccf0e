"""The weekly update's first card in the chat: what it covers, and its first step, with the
Mini App's button and, in a group, the workbook's and 私聊填写's (/weekly, /correct, the
private chat's link all begin a week here)."""

from __future__ import annotations

from datetime import date, datetime

from bot.telegram.applinks import app_button
from bot.telegram.reply import Button
from bot.telegram.turn import Turn
from storage.models import Unit, saved_id
from workflows.forms.buttons import Verb, callback_data
from workflows.forms.contexts import WeeklyContext
from workflows.forms.deeplink import WEEK_PAGE, AppLink, week_ref
from workflows.forms.flow_names import FlowName
from workflows.messages import msg
from workflows.week.periods import WEEK


def begin_weekly(turn: Turn, unit: Unit, context: WeeklyContext) -> None:
    """Say what the update covers and show its first step, in one message.

    With the Mini App configured, the first card opens the week in it; in a group, the card
    also offers the week as a workbook and 私聊填写 (the same update in the private chat, at
    the private chat's pace).
    """
    turn.say(
        msg(
            "weekly.start",
            unit=unit.name,
            name=context["report_name"],
            count=len(context["items"]),
            due=datetime.fromisoformat(context["due"]),
        )
    )
    index = context["report"]
    due = datetime.fromisoformat(context["due"])
    link = AppLink(
        WEEK_PAGE, saved_id(unit), week_ref(date.fromisoformat(context["period"])), due + WEEK
    )
    app = app_button(turn, msg("app.button.week"), link)
    extra: tuple[Button, ...] = (app,) if app is not None else ()
    if turn.is_group:
        extra += (
            Button(msg("weekly_form.button"), callback_data(Verb.WFORM, index)),
            Button(msg("weekly.button.private"), callback_data(Verb.WPRIV, index)),
        )
    turn.begin(FlowName.WEEKLY, context=context, extra=extra)
