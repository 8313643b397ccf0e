"""/summary, /summary <unit>, /summary week, /summary 通报 (the circular), /export, and the
weekly digest to supervisors."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.handlers.board import board_button
from bot.handlers.items import item_line
from bot.telegram.chart import ChartWords, summary_chart
from bot.telegram.feature import Feature
from bot.telegram.turn import Button, Reply, Turn
from storage import campaigns, notices, planning
from storage import ledger as items
from storage import summary as figures
from storage.calendar import work_calendar
from storage.circular import write_circular
from storage.export import write_workbook
from storage.models import Campaign, saved_id
from storage.scores import ranking_state
from workflows.buttons import Action, Verb, callback_data
from workflows.checkpoints import interview_list, next_checkpoint
from workflows.circular import NextCheckpoint, Section, period_text, weekly_circular
from workflows.digest import digest_chats, digest_week
from workflows.keys import digest_key
from workflows.messages import Msg, Say, lines, msg
from workflows.notices import RECENT, last_due, late_reads_section
from workflows.planner import Planned
from workflows.roles import CommandName
from workflows.scores import QUARTER, WEEK, circular_cadence
from workflows.standing import report_state, week_deadline
from workflows.summary import (
    UnitSummary,
    WeekShare,
    on_time_weeks,
    problem_bars,
    report_weeks,
    summary_message,
    summary_week,
    week_message,
)
from workflows.words import CIRCULAR_WORDS, WEEK_WORDS


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
        units = [saved_id(u) for u in campaigns.units_of(turn.session, saved_id(camp))]
        start = summary_week(campaigns.weekly_reports(camp), now, turn.zone).starts_on
        changes = figures.week_counts(turn.session, units, start, now.astimezone(turn.zone).date())
        turn.say(week_message(camp.name, changes))
        return
    text, rows = campaign_summary(turn.session, camp, now)
    if args:
        name = " ".join(args)
        row = next((r for r in rows if r.name == name), None)
        if row is None:
            turn.say(msg("bind.unknown_unit", text=name))
            return
        week = summary_week(campaigns.weekly_reports(camp), now, turn.zone)
        turn.say(summary_message(camp.name, [row], week.report, []))
        unit = campaigns.unit_named(turn.session, saved_id(camp), name)
        if unit is not None:
            show_unit_items(turn, saved_id(unit))
        return
    button = Button(msg("circular.button"), callback_data(Verb.CIRCULAR, saved_id(camp)))
    board = board_button(turn)  # the board, where the Mini App is configured
    turn.say(text, buttons=[[button], [board]] if board is not None else [[button]])
    chart = summary_picture(turn.session, camp, now, rows, turn.text)
    turn.replies.append(Reply(msg("chart.caption", campaign=camp.name), photo=chart))


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


def document_say(turn: Turn) -> Say:
    """Documents (the circular, the workbook) are written in the configured default language."""
    tr, lang = turn.services.translator, turn.services.settings.taizhang_locale
    return lambda m: tr.text(m, lang, tz=turn.zone, year=turn.year)


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


def on_circular(turn: Turn, pressed: Action) -> None:
    """The summary's 下载通报（Word） button."""
    if turn.campaign is None or pressed.ref != saved_id(turn.campaign):
        turn.refuse(msg("form.stale_button"))
        return
    send_circular(turn)


UNIT_LINES = 40  # item lines under /summary <unit>; the rest are counted, and in /export


def show_unit_items(turn: Turn, unit_id: int) -> None:
    """A unit's items (the first 40, and how many more), for /summary <unit>."""
    today = turn.stamp.at.astimezone(turn.zone).date()
    rows = items.items_of(turn.session, [unit_id])
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
    write_workbook(turn.session, turn.campaign, out, document_say(turn))
    stamp = turn.stamp.at.astimezone(turn.zone).strftime("%Y%m%d-%H%M")
    turn.replies.append(
        Reply(
            msg("export.caption", campaign=turn.campaign.name),
            document=(f"taizhang-{stamp}.xlsx", out.getvalue()),
        )
    )


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


FEATURE = Feature(
    "summary",
    commands={CommandName.SUMMARY: cmd_summary, CommandName.EXPORT: cmd_export},
    presses={Verb.CIRCULAR: on_circular},
)
