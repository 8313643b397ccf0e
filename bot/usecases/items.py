"""The ledger's items: a new problem added to a unit's ledger, and how an item reads (its
card, its line in a list, its progress, the decisions on it), wherever it is shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.usecases.act import Act
from storage import campaigns, decisions, people
from storage import ledger as store
from storage.ledger_import import import_history
from storage.models import Campaign, LedgerItem, ProgressUpdate, Unit, saved_id
from workflows.forms.inputs import Option
from workflows.guards import required
from workflows.messages import Msg, lines, msg
from workflows.problems.ledger import is_overdue, item_columns, status_msg
from workflows.supervision.decisions import decision_line
from workflows.week.weekly import progress_said


def add_item(act: Act, unit: Unit, values: Mapping[str, object], prefix: str = "") -> LedgerItem:
    """A new problem in the unit's ledger, its columns read from `values` (under `prefix`)."""
    camp = required(act.campaign, "the active campaign")
    given = item_columns(values, campaigns.ledger_spec(camp), prefix)
    return store.create_item(act.session, unit, given, act.stamp)


def item_by_id(session: Session, item_id: int) -> LedgerItem | None:
    """A problem by its row id (None if there is none)."""
    return session.get(LedgerItem, item_id)


def history_of(session: Session, item_id: int) -> list[ProgressUpdate]:
    """A problem's progress updates, oldest first (its evidence is in their files)."""
    return store.progress_of(session, item_id)


def card(item: LedgerItem, today: date, last: Msg | str = "") -> Msg:
    """The item's card: id, name, category, status, due date (overdue marked), latest progress."""
    overdue = msg("ledger.overdue_mark") if is_overdue(item.due_on, item.status, today) else ""
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


def progress_text(p: ProgressUpdate) -> Msg | str:
    """What a progress update says: its progress, and a late one's reason and new date."""
    return progress_said(p.status, p.text, p.result, p.reason, p.new_due_on)


def categories(camp: Campaign | None) -> Mapping[str, Sequence[Option]]:
    """The campaign's problem categories as buttons (all the weekly update needs)."""
    if camp is None:
        return {}
    return {"categories": [Option(c, c) for c in camp.categories]}


def decision_lines(made: list[decisions.MadeDecision]) -> list[Msg | str]:
    """The decisions on a problem or a case under their heading, apart from its progress."""
    if not made:
        return []
    return [msg("decision.header"), *(decision_line(d.what, d.by, d.at, d.reason) for d in made)]


def card_with_decisions(
    session: Session, item: LedgerItem, today: date, last: Msg | str = ""
) -> Msg:
    """The card, and under it the supervisors' decisions on the problem (a liaison's page
    shows why a close-out was not approved)."""
    made = decisions.decisions_of(session, item_id=saved_id(item))
    return (
        lines([card(item, today, last), *decision_lines(made)]) if made else card(item, today, last)
    )


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


def items_in_view(act: Act, unit_here: Unit | None) -> list[LedgerItem]:
    """The items a list shows the one acting: this chat's unit's when they see it, else every
    unit's they see; open ones first (soonest due first), then the rest."""
    camp = required(act.campaign, "the active campaign")
    units = campaigns.units_of(act.session, saved_id(camp))
    visible = [saved_id(u) for u in units if act.actor.sees(u.id)]
    if unit_here is not None and unit_here.id in visible:
        visible = [saved_id(unit_here)]
    return store.items_of(act.session, visible)


@dataclass(frozen=True)
class Imported:
    """An import that made or changed an item: when, by whom (None: from the console, or by
    someone unknown) and from which file."""

    at: datetime
    who: str | None
    file: str


@dataclass(frozen=True)
class ItemHistory:
    """Everything that happened to an item: its progress updates (oldest first), the imports
    that made or changed it, and the supervisors' decisions on it."""

    progress: list[ProgressUpdate]
    imports: list[Imported]
    decisions: list[decisions.MadeDecision]


def item_history(session: Session, item: LedgerItem) -> ItemHistory:
    """The item's progress, imports and decisions, as its full card shows them."""
    item_id = saved_id(item)
    imports = []
    for at, user_id, file in import_history(session, item_id):
        who = people.person_by_user(session, user_id) if user_id else None
        imports.append(Imported(at, (who.name or who.display_name) if who else None, file))
    return ItemHistory(
        store.progress_of(session, item_id),
        imports,
        decisions.decisions_of(session, item_id=item_id),
    )
