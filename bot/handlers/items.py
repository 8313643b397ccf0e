"""Ledger items: /new, /items, /item, and how an item reads (its card, its line in a list)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from bot.delivery.acts import act_of
from bot.telegram.applinks import app_button
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.item_lookup import item_for
from bot.telegram.paging import PAGE, Page
from bot.telegram.reply import Button, Reply
from bot.telegram.turn import Turn
from bot.usecases.items import (
    add_item,
    card,
    categories,
    decision_lines,
    item_history,
    item_line,
    items_in_view,
    progress_text,
)
from bot.usecases.units import campaign_unit, campaign_units
from storage.models import LedgerItem, Unit, saved_id
from workflows.forms.buttons import Action, Verb, callback_data
from workflows.forms.contexts import (
    FieldAnswers,
    NewItemContext,
)
from workflows.forms.deeplink import NEW_PAGE, AppLink
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Option
from workflows.guards import required
from workflows.json_types import JSONObject
from workflows.messages import Msg, lines, msg
from workflows.people.roles import CommandName
from workflows.week.weekly import (
    new_item_flow,
)
from workflows.words import whole_number


def _today(turn: Turn) -> date:
    return turn.stamp.at.astimezone(turn.zone).date()


def _options(turn: Turn) -> Mapping[str, Sequence[Option]]:
    """Categories, and the units an admin may add a problem to."""
    if turn.campaign is None:
        return {}
    units = campaign_units(act_of(turn))
    return {**categories(turn.campaign), "units": [Option(u.name, u.name) for u in units]}


def cmd_new(turn: Turn, args: list[str]) -> None:
    """A new problem: in a unit's group with the Mini App, its form is offered first (one
    message; 逐项填写 starts the steps); otherwise step by step."""
    acting = turn.acting_unit()
    unit = acting.unit
    if not acting.allowed or turn.campaign is None:
        return
    if turn.is_group and unit is not None and _offer_form(turn, unit):
        return
    begin_new(turn, unit)


def begin_new(turn: Turn, unit: Unit | None) -> None:
    """A new problem, step by step."""
    camp = required(turn.campaign, "the active campaign")
    turn.begin(
        FlowName.NEW, context=NewItemContext(unit=unit.name if unit else "", ledger=camp.ledger)
    )


def _offer_form(turn: Turn, unit: Unit) -> bool:
    """The Mini App's new-problem form, or the steps: one message; False without the app."""
    expires = turn.stamp.at + timedelta(days=1)
    form = app_button(turn, msg("app.button.new"), AppLink(NEW_PAGE, saved_id(unit), 0, expires))
    if form is None:
        return False
    steps = Button(msg("new.button.steps"), callback_data(Verb.NEW, 0))
    turn.say(msg("app.new_offer"), buttons=[[form], [steps]])
    return True


def _finish_new(turn: Turn, adding: NewItemContext, given: FieldAnswers) -> None:
    name = adding.get("unit") or given.unit
    unit = campaign_unit(act_of(turn), name)
    if unit is None:
        turn.say(msg("bind.unknown_unit", text=name))
        return
    item = add_item(act_of(turn), unit, given.values)
    turn.say(msg("new.done", code=item.code))
    turn.say(card(item, _today(turn)))


def cmd_item(turn: Turn, args: list[str]) -> None:
    """`/item 轮台-007`: the card and the full history of its progress."""
    if not args:
        turn.say(msg("ledger.item_usage"))
        return
    item = item_for(turn, args[0])
    if item is None:
        return
    show_item(turn, item)


def show_item(turn: Turn, item: LedgerItem) -> None:
    """The card, every progress update, and the evidence files."""
    record = item_history(turn.session, item)
    history = record.progress
    out: list[Msg | str] = [card(item, _today(turn), progress_text(history[-1]) if history else "")]
    out.append(msg("ledger.history_header", count=len(history)))
    files: list[JSONObject] = []
    for p in history:
        out.append(
            msg(
                "ledger.history_line",
                week=p.week_of,
                status=msg(f"weekly.st.{p.status}"),
                text=progress_text(p),
            )
        )
        files += p.files
    for imported in record.imports:
        name = imported.who if imported.who is not None else msg("ledger_import.console")
        out.append(msg("ledger_import.history_line", at=imported.at, who=name, file=imported.file))
    out += decision_lines(record.decisions)
    turn.say(lines(out))
    if files:
        turn.replies.append(Reply(msg("ledger.files", count=len(files)), files=files))


def cmd_items(turn: Turn, args: list[str]) -> None:
    """The ledger, a page at a time: open items first, overdue ones marked."""
    show_page(turn, (whole_number(args[0]) or 1) - 1 if args else 0)


def show_page(turn: Turn, page: int, edit: bool = False) -> None:
    """One page of /items, with buttons to turn pages."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    rows = items_in_view(act_of(turn), turn.unit)
    shown = Page.of(len(rows), page, PAGE)
    out: list[Msg | str] = [
        msg("items.header", count=len(rows), page=shown.number + 1, pages=shown.pages)
    ]
    today = _today(turn)
    out += [item_line(item, today) for item in shown.rows(rows)]
    if not rows:
        out.append(msg("items.none"))
    turn.say(lines(out), buttons=shown.buttons(Verb.ITEMS), edit=edit)


def on_new_problem(turn: Turn, pressed: Action) -> None:
    """新增问题 (逐步): a problem added step by step, for the unit this person acts for."""
    acting = turn.acting_unit()
    if acting.allowed and turn.campaign is not None:
        begin_new(turn, acting.unit)


def on_items_page(turn: Turn, pressed: Action) -> None:
    """◀ ▶ under /items."""
    show_page(turn, pressed.ref, edit=True)


def on_item_card(turn: Turn, pressed: Action) -> None:
    """An item's button in a list: its card."""
    item = item_for(turn, str(pressed.ref))
    if item is not None:
        show_item(turn, item)


FEATURE = Feature(
    "items",
    commands={CommandName.NEW: cmd_new, CommandName.ITEMS: cmd_items, CommandName.ITEM: cmd_item},
    presses={Verb.ITEMS: on_items_page, Verb.ITEM: on_item_card, Verb.NEW: on_new_problem},
    flows={
        FlowName.NEW: FlowBinding(
            new_item_flow, _finish_new, _options, context=NewItemContext, answers=FieldAnswers
        )
    },
)
