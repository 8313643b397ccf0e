"""What the scores' rule reads of the database: each unit's reports, problems and cases in a
period, counted by `workflows.scores` (the rule lives there)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.calendar import work_calendar
from storage.campaigns import phases_of, score_rule, units_of, weekly_reports
from storage.models import Campaign, ForwardedCase, Submission
from storage.summary import checked_items
from workflows.calendar import WorkCalendar
from workflows.circular import RankingState
from workflows.scores import (
    WEEK,
    Period,
    Ranked,
    UnitRecord,
    last_complete,
    ranking,
    report_deadlines,
    unit_record,
)


def campaign_ranking(
    session: Session, camp: Campaign, period: Period, now: datetime, cal: WorkCalendar
) -> list[Ranked]:
    """Every unit of the campaign scored for `period` as seen at `now`, best first."""
    tz = ZoneInfo(camp.timezone)
    units = {u.id: u.name for u in units_of(session, camp.id or 0) if u.id is not None}
    starts_on = min((p.starts_on for p in phases_of(session, camp.id or 0)), default=None)
    reports = weekly_reports(camp)
    deadlines = (
        report_deadlines(period, reports[0].weekday, reports[0].at, tz, starts_on=starts_on)
        if reports
        else []
    )
    sent: dict[tuple[int, date], bool] = {}
    if reports and deadlines:
        stmt = sa.select(
            col(Submission.unit_id), col(Submission.period_start), col(Submission.on_time)
        ).where(
            col(Submission.unit_id).in_(list(units)),
            col(Submission.report_name) == reports[0].name,
            col(Submission.period_start) >= period.start,
            col(Submission.period_start) < period.end,
        )
        sent = {(u, day): bool(on_time) for u, day, on_time in session.execute(stmt)}
    items = checked_items(session, units, tz)
    start = datetime.combine(period.start, time(0), tzinfo=tz)
    end = datetime.combine(period.end, time(0), tzinfo=tz)
    cases_stmt = sa.select(
        col(ForwardedCase.unit_id), col(ForwardedCase.due_at), col(ForwardedCase.answered_at)
    ).where(
        col(ForwardedCase.unit_id).in_(list(units)),
        col(ForwardedCase.due_at) >= start,
        col(ForwardedCase.due_at) < end,
    )
    cases: dict[int, list[tuple[datetime, datetime | None]]] = {}
    for unit_id, due_at, answered_at in session.execute(cases_stmt):
        cases.setdefault(unit_id, []).append((due_at, answered_at))
    records: list[tuple[str, UnitRecord]] = []
    for unit_id, name in units.items():
        records.append(
            (
                name,
                unit_record(
                    period,
                    now,
                    tz,
                    cal,
                    reports=[(d, sent.get((unit_id, d.date()))) for d in deadlines],
                    problems=[i for i in items if i.unit == name],
                    cases=cases.get(unit_id, []),
                ),
            )
        )
    return ranking(records, score_rule(camp))


def ranking_state(
    session: Session, camp: Campaign, now: datetime, kind: str = WEEK
) -> RankingState:
    """The ranking of the last whole week (month, quarter) before `now`: the circular's, the
    board's."""
    period = last_complete(kind, now.astimezone(ZoneInfo(camp.timezone)).date())
    rows = campaign_ranking(session, camp, period, now, work_calendar(session))
    return RankingState(period, rows, score_rule(camp))
