"""The campaign's figures read out: the summary and its chart, the on-time weeks, the next
checkpoint (what the circular, the board and the digest read)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.chart import ChartWords, summary_chart
from storage import campaigns, planning
from storage import ledger as store
from storage import summary as figures
from storage.models import Campaign, LedgerItem, saved_id
from storage.scores import ranking_state
from workflows.deliverables.checkpoints import interview_list, next_checkpoint
from workflows.documents.circular import NextCheckpoint
from workflows.documents.summary import (
    UnitSummary,
    WeekShare,
    on_time_weeks,
    problem_bars,
    report_weeks,
    summary_message,
    summary_week,
    week_message,
)
from workflows.messages import Msg, Say, msg
from workflows.supervision.scores import QUARTER
from workflows.supervision.standing import report_state, week_deadline


def campaign_summary(
    session: Session, camp: Campaign, now: datetime
) -> tuple[Msg, list[UnitSummary]]:
    """The whole campaign's figures, and the message that reads them out."""
    tz = ZoneInfo(camp.timezone)
    units = campaigns.units_of(session, saved_id(camp))
    ids = [saved_id(u) for u in units]
    reports = campaigns.weekly_reports(camp)
    week = summary_week(reports, now, tz)
    ledger = figures.ledger_figures(session, ids, now.astimezone(tz).date())
    weekly = figures.weekly_status(session, ids, week.report, week.starts_on)
    # the week's report by the standing rule (the board's): 未报送 only once its deadline passed
    deadline = week_deadline(reports[0] if reports else None, now, tz)
    cases = figures.case_figures(session, ids, now)
    rows = [
        UnitSummary(
            u.name,
            ledger[saved_id(u)],
            report_state(weekly[saved_id(u)], deadline, now),
            cases[saved_id(u)],
        )
        for u in units
    ]
    missing = figures.missing_deliverables(
        session, saved_id(camp), {saved_id(u): u.name for u in units}, now
    )
    text = summary_message(
        camp.name, rows, week.report, [(d.deliverable, d.due_at, m) for d, m in missing]
    )
    return text, rows


def this_week_changes(session: Session, camp: Campaign, now: datetime, tz: tzinfo) -> Msg:
    """What changed in the campaign since this week's reporting day, read out (/summary week)."""
    units = [saved_id(u) for u in campaigns.units_of(session, saved_id(camp))]
    start = summary_week(campaigns.weekly_reports(camp), now, tz).starts_on
    changes = figures.week_counts(session, units, start, now.astimezone(tz).date())
    return week_message(camp.name, changes)


@dataclass(frozen=True)
class UnitReport:
    """One unit's summary: its figures read out, and its items (open ones first)."""

    said: Msg
    items: list[LedgerItem]


def unit_report(
    session: Session, camp: Campaign, now: datetime, tz: tzinfo, name: str
) -> UnitReport | None:
    """The summary of the unit of that name (/summary 轮台县), or None when there is none."""
    _, rows = campaign_summary(session, camp, now)
    row = next((r for r in rows if r.name == name), None)
    if row is None:
        return None
    week = summary_week(campaigns.weekly_reports(camp), now, tz)
    said = summary_message(camp.name, [row], week.report, [])
    unit = campaigns.unit_named(session, saved_id(camp), name)
    return UnitReport(said, store.items_of(session, [saved_id(unit)]) if unit else [])


def weekly_shares(session: Session, camp: Campaign, now: datetime) -> list[WeekShare]:
    """The campaign's first weekly report, week by week: how many units sent it on time."""
    reports = campaigns.weekly_reports(camp)
    if not reports:
        return []
    tz = ZoneInfo(camp.timezone)
    ids = [saved_id(u) for u in campaigns.units_of(session, saved_id(camp))]
    days = report_weeks(
        reports[0],
        since=camp.loaded_at.astimezone(tz).date(),
        span=planning.span_of(session, camp),
        now=now,
        tz=tz,
    )
    return on_time_weeks(days, figures.weekly_counts(session, ids, reports[0].name), len(ids))


def checkpoint_state(
    session: Session, camp: Campaign, names: dict[int, str], today: date
) -> NextCheckpoint:
    """The next checkpoint and its 约谈名单 as it stands today (the circular's, the board's)."""
    points = campaigns.checkpoints_of(camp)
    point = next_checkpoint(points, today)
    behind = (
        interview_list(
            figures.checked_items(session, names, ZoneInfo(camp.timezone)), point, today=today
        )
        if point is not None
        else []
    )
    if point is None:
        return NextCheckpoint(point, behind, bool(points))
    # the 约谈名单 as it stands reads the last quarter's scores (the 季通报's), as of today
    start = datetime.combine(today, time(0), tzinfo=ZoneInfo(camp.timezone))
    return NextCheckpoint(point, behind, True, ranking_state(session, camp, start, QUARTER))


def summary_picture(
    session: Session, camp: Campaign, now: datetime, rows: list[UnitSummary], say: Say
) -> bytes:
    """The summary's chart (problems per unit, the weekly reports on time) as PNG bytes."""
    bars, left_out = problem_bars(rows)
    reports = campaigns.weekly_reports(camp)

    def day(d: date) -> str:
        return say(msg("chart.day", month=d.month, day=d.day))

    words = ChartWords(
        problems_title=say(msg("chart.problems_title")),
        overdue=say(msg("chart.overdue")),
        open=say(msg("chart.open")),
        closed=say(msg("chart.closed")),
        problems_axis=say(msg("chart.problems_axis")),
        weeks_title=say(msg("chart.weeks_title", report=reports[0].name if reports else "")),
        on_time=say(msg("chart.on_time")),
        reported=say(msg("chart.reported")),
        share_axis=say(msg("chart.share_axis")),
        nothing=say(msg("chart.nothing")),
        day=day,
        left_out=say(msg("chart.left_out", count=left_out)) if left_out else "",
    )
    return summary_chart(bars, weekly_shares(session, camp, now), words)
