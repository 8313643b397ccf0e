"""The ledger's items: a new problem added to a unit's ledger, and how an item reads (its
card, its line in a list, its progress, the decisions on it), wherever it is shown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlmodel import Session

from bot.usecases.act import Act
from storage import campaigns, decisions
from storage import ledger as store
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
