"""A liaison takes leave in the sandbox as they would in Telegram: /leave in their private
chat, the days typed, the deputy's button pressed (or 不指定), confirmed. The demo calls
`put_on_leave`; the end-to-end tests drive the same steps."""

from __future__ import annotations

from typing import Any

from bot.sandbox.sandbox import Sandbox
from workflows.messages import msg


async def put_on_leave(
    bot: Sandbox, liaison: dict[str, Any], days: str, deputy: str | None = None
) -> dict[str, Any]:
    """/leave by `liaison` in private for `days` (`5月6日–5月8日`), covered by `deputy` (another
    liaison of the unit, by the name on their button: the roster's; None: the unit's other
    liaisons); the bot's last answer."""
    tr, lang = bot.services().translator, bot.settings.taizhang_locale
    chat = bot.api.private(liaison)
    asked = await bot.command(chat, liaison, "/leave")
    pick = await bot.answer(asked, liaison, days)
    label = deputy or tr.text(msg("leave.no_deputy"), lang)
    summary = await bot.press(pick, liaison, label)
    return await bot.press(summary, liaison, tr.text(msg("form.button.confirm"), lang))
