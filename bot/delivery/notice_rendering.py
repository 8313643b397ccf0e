"""A planned notice rendered in its chat's language: its text, its buttons, its time left marked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.time_left_markers import mark_time_left, marker
from bot.telegram.applinks import notice_button
from bot.telegram.services import Services
from storage import planning
from workflows.json_types import JSONObject, JSONValue
from workflows.planner import Planned


def render(
    services: Services, planned: Planned, lang: str | None, tz: ZoneInfo
) -> planning.Rendered:
    """The notification's text and buttons in the chat's language; a time left it says is
    marked, to be said as of sending."""
    tr = services.translator
    year = planned.not_before.astimezone(tz).year
    dues: list[datetime] = []
    text = tr.text(mark_time_left(planned.message, dues), lang, tz=tz, escape=True, year=year)
    live: JSONObject | None = None
    if dues and all(marker(n) in text for n in range(len(dues))):
        said_dues: list[JSONValue] = [due.isoformat() for due in dues]
        live = {
            "dues": said_dues,
            "lang": tr.locale(lang or tr.default),
            "tz": tz.key,
        }
    else:
        text = tr.text(planned.message, lang, tz=tz, escape=True, year=year)
    markup = None
    rows = []
    for label, data in planned.buttons:
        said = tr.text(label, lang)
        if isinstance(data, str):
            rows.append([InlineKeyboardButton(said, callback_data=data)])
        elif (opens := notice_button(services, said, data, planned.chat_id)) is not None:
            rows.append([opens])
    if rows:
        markup = InlineKeyboardMarkup(rows).to_dict()
    return planning.Rendered(planned, text, markup, live)
