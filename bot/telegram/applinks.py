"""Links to the Mini App: where a button in a chat opens a page of it.

Telegram opens a Mini App from a group only through a direct link,
`https://t.me/<bot>/<app>?startapp=<payload>` (a `web_app` button is for private chats); in a
private chat a `web_app` button opens the app's own URL, where the page finds the same payload
in its query. The payload is signed (`workflows/forms/deeplink.py`) and names the chat the page acts
in, the unit, the week or item, who may use it and until when. Without the Mini App configured
there are no links, and the chat flows work as before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from telegram import InlineKeyboardButton, WebAppInfo

from bot.config import Settings
from bot.telegram.reply import Button
from bot.telegram.services import Services
from bot.telegram.turn import Turn
from workflows.forms.deeplink import BOARD_PAGE, AppLink, link_key, make_app_payload
from workflows.messages import Msg, msg

START_PARAM = "startapp"  # Telegram's name for a direct link's payload; ours in the query too


def app_key(settings: Settings) -> bytes:
    """The key Mini App links are signed with (derived from the bot's token)."""
    return link_key(settings.telegram_bot_token or "")


def payload_of(settings: Settings, link: AppLink) -> str:
    """The signed payload of a Mini App link."""
    return make_app_payload(app_key(settings), link)


def direct_link(settings: Settings, bot_username: str, link: AppLink) -> str | None:
    """`https://t.me/<bot>/<app>?startapp=…`, the way into the Mini App from a group; None
    when the Mini App (or its short name) is not configured."""
    if not (settings.mini_app and settings.taizhang_webapp_name and bot_username):
        return None
    query = urlencode({START_PARAM: payload_of(settings, link)})
    return f"https://t.me/{bot_username}/{settings.taizhang_webapp_name}?{query}"


def page_url(settings: Settings, link: AppLink | None = None) -> str | None:
    """The Mini App's own URL (with the link's payload in its query), for a private chat's
    `web_app` button or menu button; None when the Mini App is not configured."""
    if not settings.mini_app:
        return None
    if link is None:
        return settings.taizhang_webapp_url
    parts = urlsplit(settings.taizhang_webapp_url)
    query = "&".join(
        q for q in (parts.query, urlencode({START_PARAM: payload_of(settings, link)})) if q
    )
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def app_button(turn: Turn, label: Msg, link: AppLink) -> Button | None:
    """A button opening a Mini App page in this chat: a direct link in a group, a `web_app`
    button in private (bound to the speaker there); None without the Mini App."""
    settings = turn.services.settings
    if turn.is_group:
        url = direct_link(
            settings, turn.source.bot_username, replace(link, chat_id=turn.chat.chat_id)
        )
        return Button(label, url=url) if url else None
    mine = replace(link, chat_id=turn.chat.chat_id, user_id=turn.person.user_id)
    page = page_url(settings, mine)
    return Button(label, web_app=page) if page else None


def notice_button(
    services: Services, label: str, link: AppLink, chat_id: int
) -> InlineKeyboardButton | None:
    """A planned notice's Mini App button, for the group it goes to; None without the app."""
    url = direct_link(services.settings, services.bot_username, replace(link, chat_id=chat_id))
    return InlineKeyboardButton(label, url=url) if url else None


def open_button(settings: Settings) -> WebAppInfo | None:
    """The private chats' menu button's page (the app's plain URL); None without the app."""
    url = page_url(settings)
    return WebAppInfo(url) if url else None


BOARD_LINK_LIFETIME = timedelta(days=1)


def board_button(turn: Turn) -> Button | None:
    """The button that opens the board in this chat; None without the Mini App."""
    link = AppLink(BOARD_PAGE, 0, 0, turn.stamp.at + BOARD_LINK_LIFETIME)
    return app_button(turn, msg("board.button"), link)
