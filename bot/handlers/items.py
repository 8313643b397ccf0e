"""Ledger items: /new, /items, /item, and how an item reads (its card, its line in a list)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from bot.delivery.acts import act_of
from bot.telegram.applinks import app_button
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.paging import Page
from bot.telegram.turn import Button, Reply, Turn
from bot.usecases.items import add_item
from storage import campaigns, decisions, people
from storage import ledger as store
from storage.ledger_import import import_history
from storage.models import LedgerItem, Unit, saved_id
from workflows.buttons import Action, Verb, callback_data
from workflows.contexts import (
    NewItemContext,
    context_of,
)
from workflows.decisions import decision_line
from workflows.deeplink import NEW_PAGE, AppLink
from workflows.flow_names import FlowName
from workflows.forms import Draft
from workflows.guards import required
from workflows.inputs import Option
from workflows.ledger import is_overdue, status_msg
from workflows.messages import Msg, lines, msg
from workflows.weekly import (
    new_item_flow,
    progress_said,
)
from workflows.words import whole_number

PAGE = 10


def _today(turn: Turn) -> date:
    return turn.stamp.at.astimezone(turn.zone).date()


def card(turn: Turn, item: LedgerItem, last: Msg | str = "") -> Msg:
    """The item's card: id, name, category, status, due date (overdue marked), latest progress."""
    overdue = (
        msg("ledger.overdue_mark") if is_overdue(item.due_on, item.status, _today(turn)) else ""
    )
    return msg(
        "ledger.card",
        code=item.code,
        name=item.name,
        category=item.category or msg("form.empty"),
        status=status_msg(item.status),
        due=item.due_on or msg("form.empty"),
        overdue=overdue,
        measures=item.measures or msg("form.empty"),
        lead=item.lead or msg("form.empty"),
        last=last or msg("weekly.no_progress"),
    )


def progress_text(p: Any) -> Msg | str:
    """What a progress update says: its progress, and a late one's reason and new date."""
    return progress_said(p.status, p.text, p.result, p.reason, p.new_due_on)


def categories(turn: Turn) -> Mapping[str, Any]:
    """The campaign's problem categories as buttons (all the weekly update needs)."""
    if turn.campaign is None:
        return {}
    return {"categories": [Option(c, c) for c in turn.campaign.categories]}


def _options(turn: Turn) -> Mapping[str, Any]:
    """Categories, and the units an admin may add a problem to."""
    if turn.campaign is None:
        return {}
    units = campaigns.units_of(turn.session, saved_id(turn.campaign))
    return {**categories(turn), "units": [Option(u.name, u.name) for u in units]}


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
    turn.begin(FlowName.NEW, context={"unit": unit.name if unit else "", "ledger": camp.ledger})


def _offer_form(turn: Turn, unit: Unit) -> bool:
    """The Mini App's new-problem form, or the steps: one message; False without the app."""
    expires = turn.stamp.at + timedelta(days=1)
    form = app_button(turn, msg("app.button.new"), AppLink(NEW_PAGE, saved_id(unit), 0, expires))
    if form is None:
        return False
    steps = Button(msg("new.button.steps"), callback_data(Verb.NEW, 0))
    turn.say(msg("app.new_offer"), buttons=[[form], [steps]])
    return True


def _finish_new(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    camp = required(turn.campaign, "the active campaign")
    name = context_of(draft, NewItemContext).get("unit") or values.get("unit") or ""
    unit = campaigns.unit_named(turn.session, saved_id(camp), name)
    if unit is None:
        turn.say(msg("bind.unknown_unit", text=name))
        return
    item = add_item(act_of(turn), unit, values)
    turn.say(msg("new.done", code=item.code))
    turn.say(card(turn, item))


def item_for(turn: Turn, ref: str) -> LedgerItem | None:
    """An item the speaker may see, by id or short id; None (with the reason) otherwise."""
    row_id = whole_number(ref)
    item = (
        turn.session.get(LedgerItem, row_id)
        if row_id is not None
        else store.item_by_code(turn.session, ref)
    )
    if item is None:
        turn.refuse(msg("ledger.unknown", code=ref))
        return None
    if not turn.actor.sees(item.unit_id):
        turn.refuse(msg("ledger.not_yours", code=item.code))
        return None
    return item


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
    history = store.progress_of(turn.session, saved_id(item))
    out: list[Msg | str] = [card(turn, item, progress_text(history[-1]) if history else "")]
    out.append(msg("ledger.history_header", count=len(history)))
    files: list[dict[str, Any]] = []
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
    for at, user_id, file in import_history(turn.session, saved_id(item)):
        who = people.person_by_user(turn.session, user_id) if user_id else None
        name = (who.name or who.display_name) if who else msg("ledger_import.console")
        out.append(msg("ledger_import.history_line", at=at, who=name, file=file))
    out += decision_lines(decisions.decisions_of(turn.session, item_id=saved_id(item)))
    turn.say(lines(out))
    if files:
        turn.replies.append(Reply(msg("ledger.files", count=len(files)), files=files))


def decision_lines(made: list[decisions.MadeDecision]) -> list[Msg | str]:
    """The decisions on a problem or a case under their heading, apart from its progress."""
    if not made:
        return []
    return [msg("decision.header"), *(decision_line(d.what, d.by, d.at, d.reason) for d in made)]


def card_with_decisions(turn: Turn, item: LedgerItem, last: Msg | str = "") -> Msg:
    """The card, and under it the supervisors' decisions on the problem (a liaison's page
    shows why a close-out was not approved)."""
    made = decisions.decisions_of(turn.session, item_id=saved_id(item))
    return (
        lines([card(turn, item, last), *decision_lines(made)]) if made else card(turn, item, last)
    )


def cmd_items(turn: Turn, args: list[str]) -> None:
    """The ledger, a page at a time: open items first, overdue ones marked."""
    show_page(turn, (whole_number(args[0]) or 1) - 1 if args else 0)


def show_page(turn: Turn, page: int, edit: bool = False) -> None:
    """One page of /items, with buttons to turn pages."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    units = campaigns.units_of(turn.session, saved_id(turn.campaign))
    visible = [saved_id(u) for u in units if turn.actor.sees(u.id)]
    if turn.unit is not None and turn.unit.id in visible:
        visible = [saved_id(turn.unit)]
    rows = store.items_of(turn.session, visible)
    shown = Page.of(len(rows), page, PAGE)
    out: list[Msg | str] = [
        msg("items.header", count=len(rows), page=shown.number + 1, pages=shown.pages)
    ]
    today = _today(turn)
    out += [item_line(item, today) for item in shown.rows(rows)]
    if not rows:
        out.append(msg("items.none"))
    turn.say(lines(out), buttons=shown.buttons(Verb.ITEMS), edit=edit)


def item_line(item: LedgerItem, today: date) -> Msg:
    """One line of a list of items: id, name, status, due date, overdue marked."""
    mark = msg("ledger.overdue_mark") if is_overdue(item.due_on, item.status, today) else ""
    return msg(
        "items.line",
        code=item.code,
        name=item.name[:20],
        status=status_msg(item.status),
        due=item.due_on or msg("form.empty"),
        overdue=mark,
    )


def on_item_press(turn: Turn, pressed: Action) -> None:
    """Buttons: page through /items, see an item, add a problem step by step."""
    if pressed.verb == Verb.NEW:
        acting = turn.acting_unit()
        if acting.allowed and turn.campaign is not None:
            begin_new(turn, acting.unit)
        return
    if pressed.verb == Verb.ITEMS:
        show_page(turn, pressed.ref, edit=True)
        return
    item = item_for(turn, str(pressed.ref))
    if item is not None:
        show_item(turn, item)


FEATURE = Feature(
    "items",
    commands={"new": cmd_new, "items": cmd_items, "item": cmd_item},
    presses={Verb.ITEMS: on_item_press, Verb.ITEM: on_item_press, Verb.NEW: on_item_press},
    flows={FlowName.NEW: FlowBinding(new_item_flow, _finish_new, _options, context=NewItemContext)},
)
