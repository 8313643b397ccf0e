"""What the scores' rule reads of the database: each unit's reports, problems and cases in a
period, counted by `workflows.supervision.scores` (the rule lives there)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.calendar import work_calendar
from storage.campaigns import phases_of, score_rule, units_of, weekly_reports
from storage.models import Campaign, ForwardedCase, Submission
from storage.summary import checked_items
from workflows.calendar.working_days import WorkCalendar
from workflows.deliverables.checkpoints import CheckedItem
from workflows.documents.circular import RankingState
from workflows.supervision.scores import (
    WEEK,
    Period,
    Ranked,
    last_complete,
    ranking,
    report_deadlines,
    unit_record,
)


def campaign_ranking(
    session: Session, camp: Campaign, period: Period, now: datetime, cal: WorkCalendar
) -> list[Ranked]:
    """Every unit of the campaign scored for `period` as seen at `now`, best first."""
    return campaign_rankings(session, camp, [period], now, cal)[0]


def campaign_rankings(
    session: Session,
    camp: Campaign,
    periods: Sequence[Period],
    now: datetime,
    cal: WorkCalendar,
) -> list[list[Ranked]]:
    """The campaign's ranking for each period, the ledger read once for all of them."""
    tz = ZoneInfo(camp.timezone)
    units = {u.id: u.name for u in units_of(session, camp.id or 0) if u.id is not None}
    problems: dict[str, list[CheckedItem]] = {}
    for item in checked_items(session, units, tz):
        problems.setdefault(item.unit, []).append(item)
    starts_on = min((p.starts_on for p in phases_of(session, camp.id or 0)), default=None)
    reports = weekly_reports(camp)
    rule = score_rule(camp)
    out = []
    for period in periods:
        # every weekly report counts (seed 003 has a Monday ledger and a Wednesday briefing)
        due = [
            (spec.name, d)
            for spec in reports
            for d in report_deadlines(period, spec.weekday, spec.at, tz, starts_on=starts_on)
        ]
        sent = _reports_sent(session, list(units), [r.name for r in reports], period) if due else {}
        cases = _cases_due(session, list(units), period, tz)
        records = [
            (
                name,
                unit_record(
                    period,
                    now,
                    tz,
                    cal,
                    reports=[(d, sent.get((unit_id, report, d.date()))) for report, d in due],
                    problems=problems.get(name, []),
                    cases=cases.get(unit_id, []),
                ),
            )
            for unit_id, name in units.items()
        ]
        out.append(ranking(records, rule))
    return out


def _reports_sent(
    session: Session, unit_ids: list[int], reports: list[str], period: Period
) -> dict[tuple[int, str, date], bool]:
    """Per (unit, report, reporting day) in the period: whether the report came on time."""
    stmt = sa.select(
        col(Submission.unit_id),
        col(Submission.report_name),
        col(Submission.period_start),
        col(Submission.on_time),
    ).where(
        col(Submission.unit_id).in_(unit_ids),
        col(Submission.report_name).in_(reports),
        col(Submission.period_start) >= period.start,
        col(Submission.period_start) < period.end,
    )
    return {(u, r, day): bool(on_time) for u, r, day, on_time in session.execute(stmt)}


def _cases_due(
    session: Session, unit_ids: list[int], period: Period, tz: tzinfo
) -> dict[int, list[tuple[datetime, datetime | None]]]:
    """Per unit: its forwarded cases due in the period, (time limit, answered at)."""
    stmt = sa.select(
        col(ForwardedCase.unit_id), col(ForwardedCase.due_at), col(ForwardedCase.answered_at)
    ).where(
        col(ForwardedCase.unit_id).in_(unit_ids),
        col(ForwardedCase.due_at) >= datetime.combine(period.start, time(0), tzinfo=tz),
        col(ForwardedCase.due_at) < datetime.combine(period.end, time(0), tzinfo=tz),
    )
    cases: dict[int, list[tuple[datetime, datetime | None]]] = {}
    for unit_id, due_at, answered_at in session.execute(stmt):
        cases.setdefault(unit_id, []).append((due_at, answered_at))
    return cases


def ranking_state(
    session: Session, camp: Campaign, now: datetime, kind: str = WEEK
) -> RankingState:
    """The ranking of the last whole week (month, quarter) before `now`: the circular's, the
    board's."""
    return ranking_states(session, camp, now, (kind,))[0]


def ranking_states(
    session: Session, camp: Campaign, now: datetime, kinds: Sequence[str]
) -> list[RankingState]:
    """The rankings of the last whole period of each kind before `now`, read together."""
    today = now.astimezone(ZoneInfo(camp.timezone)).date()
    periods = [last_complete(kind, today) for kind in kinds]
    rows = campaign_rankings(session, camp, periods, now, work_calendar(session))
    rule = score_rule(camp)
    return [RankingState(p, r, rule) for p, r in zip(periods, rows, strict=True)]
