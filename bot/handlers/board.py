"""/board: the supervisors' board (督办看板) in the Mini App, opened from where they are.

In a group (the supervisors' own, or any) the button is a direct link `t.me/<bot>/<app>?
startapp=…`, in private a `web_app` button bound to the person; the page itself is
`bot/web/board.py`'s. Without the Mini App configured the command says so.
"""

from __future__ import annotations

from datetime import timedelta

from bot.telegram.applinks import app_button
from bot.telegram.feature import Feature
from bot.telegram.turn import Button, Turn
from workflows.deeplink import BOARD_PAGE, AppLink
from workflows.messages import msg
from workflows.roles import CommandName

LINK_LIFETIME = timedelta(days=1)


def board_button(turn: Turn) -> Button | None:
    """The button that opens the board in this chat; None without the Mini App."""
    link = AppLink(BOARD_PAGE, 0, 0, turn.stamp.at + LINK_LIFETIME)
    return app_button(turn, msg("board.button"), link)


def cmd_board(turn: Turn, args: list[str]) -> None:
    """The board's button, in one message."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    button = board_button(turn)
    if button is None:
        turn.say(msg("board.no_app"))
        return
    turn.say(msg("board.offer"), buttons=[[button]])


FEATURE = Feature("board", commands={CommandName.BOARD: cmd_board})
