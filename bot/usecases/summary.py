"""The campaign's figures read out: the summary, the weekly digest to the supervisors, the
circular (工作进展通报, 月调度, 季通报) as a document, the on-time weeks and the next checkpoint."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.chart import ChartWords, summary_chart
from storage import campaigns, notices, planning
from storage import summary as figures
from storage.calendar import work_calendar
from storage.circular import write_circular
from storage.models import Campaign, saved_id
from storage.scores import ranking_state
from workflows.deliverables.checkpoints import interview_list, next_checkpoint
from workflows.documents.circular import NextCheckpoint, Section, period_text, weekly_circular
from workflows.documents.digest import digest_chats, digest_week
from workflows.documents.notices import RECENT, last_due, late_reads_section
from workflows.documents.summary import (
    UnitSummary,
    WeekShare,
    on_time_weeks,
    problem_bars,
    report_weeks,
    summary_message,
    summary_week,
)
from workflows.keys import digest_key
from workflows.messages import Msg, Say, msg
from workflows.planner import Planned
from workflows.supervision.scores import QUARTER, WEEK
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


def circular_docx(
    session: Session, camp: Campaign, now: datetime, say: Say, kind: str = WEEK
) -> bytes:
    """The week's 工作进展通报 as a Word document; for a month or a quarter, its 调度/通报 with
    that period's ranking."""
    tz = ZoneInfo(camp.timezone)
    today = now.astimezone(tz).date()
    _, rows = campaign_summary(session, camp, now)
    names = {saved_id(u): u.name for u in campaigns.units_of(session, saved_id(camp))}
    week = summary_week(campaigns.weekly_reports(camp), now, tz)
    ranking = ranking_state(session, camp, now, kind)
    circular = weekly_circular(
        camp.name,
        rows,
        report=week.report,
        week=week.starts_on,
        cases=figures.overdue_cases(session, names, now),
        checkpoint=checkpoint_state(session, camp, names, today),
        today=today,
        reads=late_reads(session, camp, names, now),
        ranking=ranking,
        title=None
        if kind == WEEK
        else msg(f"scores.title.{kind}", campaign=camp.name, period=period_text(ranking.period)),
    )
    out = io.BytesIO()
    write_circular(circular, say, out)
    return out.getvalue()


def late_reads(
    session: Session, camp: Campaign, names: dict[int, str], now: datetime
) -> Section | None:
    """The circular's 已阅情况: who read the last circular sent to the units late; None when
    none has been sent (`/notice 通报`) whose time to be read is over."""
    tz, cal = ZoneInfo(camp.timezone), work_calendar(session)
    sent = notices.recent_notices(session, saved_id(camp), since=now - RECENT, kind="circular")
    last = last_due([state for _, state in sent], now=now, cal=cal, tz=tz)
    return late_reads_section(last, names, cal, tz) if last is not None else None


def circular_file(
    session: Session, camp: Campaign, now: datetime, say: Say, kind: str = WEEK
) -> tuple[Msg, tuple[str, bytes]]:
    """The circular (the week's, the month's 调度, the quarter's 通报) as a file: its caption,
    and its name and bytes (the chat's `/summary`, the planner's scheduled reviews)."""
    data = circular_docx(session, camp, now, say, kind)
    stamp = now.astimezone(ZoneInfo(camp.timezone)).strftime("%Y%m%d")
    weekly = kind == WEEK
    caption = "circular.caption" if weekly else f"scores.caption.{kind}"
    name = say(msg("circular.file_name" if weekly else f"scores.file_name.{kind}"))
    return msg(caption, campaign=camp.name), (f"{name}-{stamp}.docx", data)


def weekly_digests(
    session: Session, camp: Campaign, now: datetime, planned: frozenset[str]
) -> list[Planned]:
    """After the weekly report's deadline, the summary to the supervisors, once a week."""
    day = digest_week(campaigns.weekly_reports(camp), now, ZoneInfo(camp.timezone))
    if day is None:
        return []
    todo = digest_chats(day, planning.supervisor_chats(session), planned)
    if not todo:
        return []
    text, _ = campaign_summary(session, camp, now)
    return [Planned(digest_key(day, c), "digest", c, text, now) for c in todo]


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
