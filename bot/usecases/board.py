"""What the supervisors' board (督办看板) reads, as typed data the Mini App lays out: every
unit's standing (its figures and colour by the standing rule, behind first), the week's report
and its deadline, the decisions waiting (close-outs, extensions, corrections), a unit's ledger
page by page, a problem's history and the decisions on it, the rankings.

A new board panel is one function here (its reads) and its route in `bot/web/board.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.summary import campaign_summary
from storage import board as waiting_store
from storage import campaigns, decisions, people
from storage import corrections as correction_store
from storage import ledger as store
from storage import summary as figures
from storage.board import WaitingCloseout
from storage.calendar import work_calendar
from storage.decisions import MadeDecision as MadeDecision  # the board traces decisions as these
from storage.models import (
    AuditEvent,
    Campaign,
    ForwardedCase,
    LedgerItem,
    Person,
    ProgressUpdate,
    Unit,
    saved_id,
)
from storage.scores import ranking_states
from workflows.documents.circular import RankingState
from workflows.supervision.board import Standing, behind_first, case_days_by_unit, unit_standing
from workflows.supervision.scores import PERIODS
from workflows.supervision.standing import day_bounds, soon_until, week_deadline


def standings(session: Session, camp: Campaign, now: datetime, zone: ZoneInfo) -> list[Standing]:
    """Every unit with its figures and its colour by the standing rule, behind first: its
    problems due soon (working days), its cases due by the end of today, its most overdue
    case's working days late."""
    today = now.astimezone(zone).date()
    _, rows = campaign_summary(session, camp, now)
    units = campaigns.units_of(session, saved_id(camp))
    ids = [saved_id(u) for u in units]
    names = {saved_id(u): u.name for u in units}
    cal = work_calendar(session)
    late = figures.overdue_cases(session, names, now)
    days = case_days_by_unit(((c.unit, c.due) for c in late), now, cal, zone)
    soon = waiting_store.problems_due_soon(session, ids, today, soon_until(today, cal))
    _, day_end = day_bounds(today, zone)
    cases_today = waiting_store.cases_due_between(session, ids, now, day_end)
    return behind_first(
        [
            unit_standing(
                saved_id(u),
                r,
                report=r.weekly,  # the standing rule's, as /summary and the circular say it
                case_days=days.get(u.name, 0),
                problems_due_soon=soon.get(saved_id(u), 0),
                cases_due_today=cases_today.get(saved_id(u), 0),
            )
            for u, r in zip(units, rows, strict=True)
        ]
    )


@dataclass(frozen=True)
class WeekDue:
    """The week's report /summary counts: its name ("" without a weekly report), its deadline."""

    name: str
    deadline: datetime | None


def week_due(camp: Campaign, now: datetime, zone: ZoneInfo) -> WeekDue:
    """The campaign's first weekly report and the deadline of its week as of `now`."""
    reports = campaigns.weekly_reports(camp)
    first = reports[0] if reports else None
    return WeekDue(first.name if first else "", week_deadline(first, now, zone))


@dataclass(frozen=True)
class Waiting:
    """The decisions waiting on the units: close-outs (the first shown, longest waiting first,
    and how many in all), requests for more time on cases, corrections asked late."""

    closeouts: list[WaitingCloseout]
    closeouts_total: int
    extensions: list[ForwardedCase]
    corrections: list[AuditEvent]


def waiting_decisions(session: Session, unit_ids: list[int], *, shown: int) -> Waiting:
    """What waits for a supervisor's decision in these units."""
    asks, total = waiting_store.waiting_closeouts(session, unit_ids, limit=shown)
    return Waiting(
        asks,
        total,
        waiting_store.waiting_extensions(session, unit_ids),
        correction_store.waiting_requests(session, unit_ids),
    )


def decisions_on(
    session: Session, *, item_id: int | None = None, case_id: int | None = None
) -> list[MadeDecision]:
    """The decisions on a problem or a case, oldest first."""
    return decisions.decisions_of(session, item_id=item_id, case_id=case_id)


def person_of(session: Session, user_id: int) -> Person | None:
    """A person by their Telegram id (who asked a correction, whom a download ticket names)."""
    return people.person_by_user(session, user_id)


def unit_of_campaign(session: Session, camp: Campaign, unit_id: int) -> Unit | None:
    """The campaign's unit of this id, if it is one."""
    unit = session.get(Unit, unit_id)
    return unit if unit is not None and unit.campaign_id == camp.id else None


def _unit_name(session: Session, unit_id: int) -> str:
    """A unit's name ("" if it is gone)."""
    unit = session.get(Unit, unit_id)
    return unit.name if unit is not None else ""


@dataclass(frozen=True)
class LedgerPage:
    """A page of a unit's ledger: how many problems in all and pages, this page's problems,
    and each one's latest progress (by item id)."""

    total: int
    pages: int
    items: list[LedgerItem]
    last: dict[int, ProgressUpdate]


def ledger_page(session: Session, unit_id: int, page: int, size: int) -> LedgerPage:
    """The unit's ledger cut to pages of `size`; page `page` (from 1) of it."""
    every = store.items_of(session, [unit_id])
    rows = every[(page - 1) * size : page * size]
    last = store.last_progress(session, [saved_id(i) for i in rows])
    return LedgerPage(len(every), max(1, -(-len(every) // size)), rows, last)


@dataclass(frozen=True)
class ProblemOnBoard:
    """A problem's progress, oldest first; its close-out ask waiting (the update's id) if it
    is 待销号; its unit's name; the decisions on it."""

    history: list[ProgressUpdate]
    ask: int | None
    unit: str
    decisions: list[MadeDecision]


def problem_on_board(session: Session, item: LedgerItem) -> ProblemOnBoard:
    """What the board shows of one problem besides its card."""
    item_id = saved_id(item)
    return ProblemOnBoard(
        store.progress_of(session, item_id),
        store.closeout_ask(session, item_id) if item.status == "closing" else None,
        _unit_name(session, item.unit_id),
        decisions.decisions_of(session, item_id=item_id),
    )


def rankings(session: Session, camp: Campaign, now: datetime) -> list[RankingState]:
    """得分与排名: the last whole week's, month's and quarter's, by the campaign's rule."""
    return ranking_states(session, camp, now, PERIODS)
