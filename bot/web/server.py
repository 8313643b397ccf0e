"""The Mini App on the bot's own web server: its page, its script and style, its JSON API.

Every page's API is a tuple of routes in its own module (`week.ROUTES`,
`problem_pages.ROUTES`), each declared with the feature it serves in the one list the chat
reads too (`bot/serve/features.py`); this module serves the routes of that registry
(`Registry.routes`) under the path of TAIZHANG_WEBAPP_URL, and no other.
Every response carries a Content-Security-Policy: the page loads only our own script and
style, and Telegram's `telegram-web-app.js`; it talks only to this server.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Callable
from importlib.resources import files
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.config import Settings
from bot.telegram.feature import PageRoute
from bot.telegram.services import BotApp
from bot.telegram.turn import Turn
from bot.web import problem_pages, request_limits, week
from bot.web.calls import (
    BOT,
    TURNS,
    Call,
    Handler,
    PageAnswer,
    Turns,
    checked_route,
    in_turn,
    registry_of,
)
from workflows.forms.deeplink import BOARD_PAGE, ITEM_PAGE, NEW_PAGE, WEEK_PAGE
from workflows.forms.inputs import FILE_LIMIT
from workflows.people.roles import may

logger = logging.getLogger(__name__)
PAGES = {WEEK_PAGE: "week", NEW_PAGE: "new", ITEM_PAGE: "item", BOARD_PAGE: "board"}


@checked_route
async def open_page(request: web.Request, call: Call) -> web.Response:
    """GET: which page the link opens (the week, a new problem, an item); the week without one.
    A liaison's page comes with it (its answer under `content`, a refusal too): on a slow line
    the page shows its content one round trip sooner."""
    link = call.link
    page = PAGES[link.page] if link is not None else await _menu_page(request, call)
    item = link.ref if link is not None and link.page == ITEM_PAGE else None
    opened = {"ok": True, "page": page, "item": item, "file_limit": FILE_LIMIT}
    pages: dict[str, Callable[[Turn], PageAnswer]] = {
        "week": lambda turn: week.week_page(turn, registry_of(request), call),
        "new": lambda turn: problem_pages.new_page(turn, call),
        "item": lambda turn: problem_pages.item_page(turn, call, str(item)),
    }
    content = pages.get(page)
    if content is None:  # the board loads its own script, then its data
        return web.json_response(opened)

    def body(turn: Turn) -> PageAnswer:
        shown = content(turn)
        return PageAnswer(200, {**opened, "content": {"ok": shown.status < 400, **shown.data}})

    return await in_turn(request, call, body)


async def _menu_page(request: web.Request, call: Call) -> str:
    """The page the private chat's menu button opens: the board for those /board is for and
    who report for no unit, the week for everyone else."""

    def page(turn: Turn) -> str:
        board_only = may(turn.actor, "board") and not turn.actor.units
        return "board" if board_only else "week"

    _, found = await request.app[TURNS].run(call.source, page, send=False)
    return found or "week"


def _asset(name: str) -> bytes:
    return files("bot.web").joinpath("static", name).read_bytes()


# the page's first call, whatever page it opens: the Mini App's own feature
ROUTES: tuple[PageRoute, ...] = (PageRoute("GET", "api/open", open_page),)
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
INLINE = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def _inline_hashes(page: bytes) -> str:
    """The CSP sources of the page's own inline scripts (its first call): their hashes."""
    found = (hashlib.sha256(m.group(1)).digest() for m in INLINE.finditer(page))
    return " ".join(f"'sha256-{base64.b64encode(h).decode()}'" for h in found)


CSP = "; ".join(
    (
        "default-src 'none'",
        f"script-src 'self' {_inline_hashes(_asset('index.html'))} https://telegram.org",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self' https://web.telegram.org",
    )
)
STATIC = {
    "app.js": "text/javascript",
    "app.css": "text/css",
    "board.js": "text/javascript",
    "board.css": "text/css",
}


def prefix_of(settings: Settings) -> str:
    """The path the Mini App is served under (TAIZHANG_WEBAPP_URL's), ending in `/`."""
    path = urlsplit(settings.taizhang_webapp_url).path or "/"
    return path if path.endswith("/") else path + "/"


def guard(prefix: str) -> Middleware:
    """The security headers on every answer, refusals and errors included; no caching of the
    API's. A path's id that is no id of ours is 404, a body that does not come in time 408,
    and an error a one-line 500 that says nothing of the inside, before any route runs."""

    @web.middleware
    async def guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
        response: web.StreamResponse
        try:
            request_limits.check_ids(request)
            response = await handler(request)
        except web.HTTPException as err:
            if err.status < 400:
                _secure(request, prefix, err)
                raise
            response = web.json_response({"ok": False, "error": err.reason}, status=err.status)
        except request_limits.SlowBody:
            response = web.json_response({"ok": False, "error": "Request Timeout"}, status=408)
        except Exception:
            logger.exception("web: %s %s failed", request.method, request.path)
            response = web.json_response(
                {"ok": False, "error": "Internal Server Error"}, status=500
            )
        _secure(request, prefix, response)
        if request.path.startswith(prefix) and _compressible(response):
            response.enable_compression()  # a slow line carries a third of the bytes
        return response

    return guarded


def _secure(request: web.Request, prefix: str, response: web.StreamResponse) -> None:
    if response.prepared:  # a streamed answer has sent its headers already
        return
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.path.startswith(prefix + "api/"):
        response.headers["Cache-Control"] = "no-store"


def _compressible(response: web.StreamResponse) -> bool:
    """A page's script, style or JSON of more than a kilobyte (not a picture or a document:
    they are compressed already)."""
    if not isinstance(response, web.Response) or response.prepared:
        return False
    kind = response.content_type
    body = response.body
    size = len(body) if isinstance(body, bytes | bytearray) else 0
    return size > 1024 and (kind.startswith("text/") or kind == "application/json")


def mount(root: web.Application, bot: BotApp, turns: Turns, settings: Settings) -> None:
    """Serve the Mini App from the bot's web server (under TAIZHANG_WEBAPP_URL's path), when
    it is configured; before the server starts."""
    if not settings.mini_app:
        return
    prefix = prefix_of(settings)
    root[BOT] = bot
    root[TURNS] = turns
    root.middlewares.append(guard(prefix))
    page = _asset("index.html").replace(b"{{base}}", prefix.encode())

    async def index(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    root.router.add_get(prefix, index)
    if prefix != "/":
        root.router.add_get(prefix.rstrip("/"), index)
    for name, kind in STATIC.items():
        root.router.add_get(prefix + name, _static(_asset(name), kind))
    for route in turns.registry.routes:
        root.router.add_route(route.method, prefix + route.path, route.handler)


def _static(content: bytes, kind: str) -> Handler:
    async def serve(request: web.Request) -> web.Response:
        return web.Response(
            body=content,
            content_type=kind,
            charset="utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )

    return serve


def mini_app(bot: BotApp, turns: Turns, settings: Settings) -> web.Application:
    """The Mini App alone, as an aiohttp application (the API tests' server)."""
    app = web.Application()
    mount(app, bot, turns, settings)
    return app
