"""/summary, /summary <unit>, /summary week, /summary 通报 (the circular), /export: the chat's
door to `bot/usecases/summary.py`, and the summary's chart."""

from __future__ import annotations

import io

from bot.delivery.acts import document_say
from bot.telegram.applinks import board_button
from bot.telegram.feature import Feature
from bot.telegram.reply import Button, Reply
from bot.telegram.turn import Turn
from bot.usecases.circular import circular_file
from bot.usecases.exports import export_workbook
from bot.usecases.items import item_line
from bot.usecases.summary import campaign_summary, summary_picture, this_week_changes, unit_report
from storage.models import LedgerItem, saved_id
from workflows.forms.buttons import Action, Verb, callback_data
from workflows.messages import Msg, lines, msg
from workflows.people.roles import CommandName
from workflows.supervision.scores import WEEK, circular_cadence
from workflows.words import CIRCULAR_WORDS, WEEK_WORDS


def cmd_summary(turn: Turn, args: list[str]) -> None:
    """The campaign summary with its chart; `/summary 轮台县` one unit; `/summary week`."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    camp, now = turn.campaign, turn.stamp.at
    kind = circular_cadence(args, CIRCULAR_WORDS)
    if kind is not None:
        send_circular(turn, kind)
        return
    if args and args[0].lower() in WEEK_WORDS:
        turn.say(this_week_changes(turn.session, camp, now, turn.zone))
        return
    if args:
        name = " ".join(args)
        report = unit_report(turn.session, camp, now, turn.zone, name)
        if report is None:
            turn.say(msg("bind.unknown_unit", text=name))
            return
        turn.say(report.said)
        show_unit_items(turn, report.items)
        return
    text, rows = campaign_summary(turn.session, camp, now)
    button = Button(msg("circular.button"), callback_data(Verb.CIRCULAR, saved_id(camp)))
    board = board_button(turn)  # the board, where the Mini App is configured
    turn.say(text, buttons=[[button], [board]] if board is not None else [[button]])
    chart = summary_picture(turn.session, camp, now, rows, turn.text)
    turn.replies.append(Reply(msg("chart.caption", campaign=camp.name), photo=chart))


def send_circular(turn: Turn, kind: str = WEEK) -> None:
    """The circular (the week's, or the month's 调度 or the quarter's 通报), sent in this chat
    as one document."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    caption, document = circular_file(
        turn.session, turn.campaign, turn.stamp.at, document_say(turn), kind
    )
    turn.replies.append(Reply(caption, document=document))


def on_circular(turn: Turn, pressed: Action) -> None:
    """The summary's 下载通报（Word） button."""
    if turn.campaign is None or pressed.ref != saved_id(turn.campaign):
        turn.refuse(msg("form.stale_button"))
        return
    send_circular(turn)


UNIT_LINES = 40  # item lines under /summary <unit>; the rest are counted, and in /export


def show_unit_items(turn: Turn, rows: list[LedgerItem]) -> None:
    """A unit's items (the first 40, and how many more), for /summary <unit>."""
    today = turn.stamp.at.astimezone(turn.zone).date()
    out: list[Msg | str] = [item_line(i, today) for i in rows[:UNIT_LINES]]
    if len(rows) > UNIT_LINES:
        out.append(msg("summary.unit_more", count=len(rows) - UNIT_LINES))
    if out:
        turn.say(lines(out))


def cmd_export(turn: Turn, args: list[str]) -> None:
    """The campaign workbook, sent in this chat."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    out = io.BytesIO()
    done = export_workbook(turn.session, turn.campaign, out, document_say(turn), now=turn.stamp.at)
    turn.replies.append(
        Reply(
            msg("export.caption", campaign=turn.campaign.name),
            document=(done.name, out.getvalue()),
        )
    )


FEATURE = Feature(
    "summary",
    commands={CommandName.SUMMARY: cmd_summary, CommandName.EXPORT: cmd_export},
    presses={Verb.CIRCULAR: on_circular},
)
