"""The Mini App as a test drives it: initData signed as Telegram signs it, links as the bot
makes them, and the API called over HTTP as the page calls it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import aiohttp

from bot.sandbox.sandbox import Sandbox, signed_init_data


def init_data(
    bot: Sandbox, user: dict[str, Any], *, at: datetime | None = None, start_param: str = ""
) -> str:
    """initData for this person, signed with the bot's token as Telegram would."""
    return signed_init_data(bot.settings, user, at or bot.clock(), start_param)


def start_param(url: str) -> str:
    """The payload of a direct link `https://t.me/<bot>/<app>?startapp=…` (or a web_app URL)."""
    return parse_qs(urlsplit(url).query)["startapp"][0]


def app_url(message: dict[str, Any]) -> str:
    """The Mini App button's link on a bot message: a direct link, or a web_app's URL."""
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if "url" in button and "/form?startapp=" in button["url"]:
                return str(button["url"])
            if "web_app" in button:
                return str(button["web_app"]["url"])
    raise AssertionError(f"no Mini App button on {message.get('text')!r}")


def page_url(bot: Sandbox, data: str, param: str = "") -> str:
    """The page as Telegram's client opens it: launch parameters in the fragment."""
    fragment = f"tgWebAppData={quote(data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=android"
    if param:
        fragment += f"&tgWebAppStartParam={param}"
    return f"{bot.web_url}#{fragment}"


class MiniApp:
    """One person's page: every call carries their initData (and the link, if any)."""

    def __init__(
        self, bot: Sandbox, user: dict[str, Any], link: str = "", *, data: str | None = None
    ) -> None:
        self.bot = bot
        self.link = link
        signed_data = data if data is not None else init_data(bot, user, start_param=link)
        self.headers = {"Authorization": f"tma {signed_data}"}

    async def call(
        self, method: str, path: str, *, action: str | None = None, **kw: Any
    ) -> tuple[int, dict[str, Any]]:
        """One API call (a write under `action`, the id the page makes per action, if given);
        its status and JSON."""
        headers = self.headers if action is None else {**self.headers, "X-Action-Id": action}
        async with (
            aiohttp.ClientSession() as http,
            http.request(method, self.bot.web_url + path, headers=headers, **kw) as res,
        ):
            return res.status, await res.json()

    async def fetch(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        """A GET of a file (a picture, a document) as the page fetches it; status, bytes and
        headers."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(self.bot.web_url + path, headers=self.headers) as res,
        ):
            return res.status, await res.read(), dict(res.headers)

    async def week(self) -> dict[str, Any]:
        status, data = await self.call("GET", "api/week")
        assert status == 200, data
        return data

    async def answer(self, item_id: int, **answers: str) -> dict[str, Any]:
        status, data = await self.call("PUT", f"api/week/items/{item_id}", json=answers)
        assert status == 200, data
        return data

    async def upload(
        self, item_id: int, name: str, content: bytes, mime: str
    ) -> tuple[int, dict[str, Any]]:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=name, content_type=mime)
        return await self.call("POST", f"api/week/items/{item_id}/files", data=form)

    async def submit(self) -> tuple[int, dict[str, Any]]:
        return await self.call("POST", "api/week/submit")
