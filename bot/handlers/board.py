"""/board: the supervisors' board (督办看板) in the Mini App, opened from where they are.

In a group (the supervisors' own, or any) the button is a direct link `t.me/<bot>/<app>?
startapp=…`, in private a `web_app` button bound to the person; the page itself is
`bot/web/board.py`'s. Without the Mini App configured the command says so.
"""

from __future__ import annotations

from bot.telegram.applinks import board_button
from bot.telegram.feature import Feature
from bot.telegram.turn import Turn
from workflows.messages import msg
from workflows.people.roles import CommandName


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
