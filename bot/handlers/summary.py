"""/summary, /summary <unit>, /summary week, /export, and the weekly digest to supervisors."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.handlers.items import item_line
from bot.telegram.chart import closure_chart
from bot.telegram.feature import Feature
from bot.telegram.turn import Reply, Turn
from storage import campaigns, planning
from storage import ledger as items
from storage import summary as figures
from storage.export import write_workbook
from storage.models import Campaign, saved_id
from workflows.digest import digest_chats, digest_key, digest_week
from workflows.messages import Msg, lines, msg
from workflows.planner import Planned
from workflows.summary import UnitSummary, summary_message, summary_week, week_message
from workflows.words import WEEK_WORDS


def campaign_summary(
    session: Session, camp: Campaign, now: datetime
) -> tuple[Msg, list[UnitSummary]]:
    """The whole campaign's figures, and the message that reads them out."""
    tz = ZoneInfo(camp.timezone)
    units = campaigns.units_of(session, saved_id(camp))
    ids = [saved_id(u) for u in units]
    week = summary_week(campaigns.weekly_reports(camp), now, tz)
    ledger = figures.ledger_figures(session, ids, now.astimezone(tz).date())
    weekly = figures.weekly_status(session, ids, week.report, week.starts_on)
    cases = figures.case_figures(session, ids, now)
    rows = [
        UnitSummary(u.name, ledger[saved_id(u)], weekly[saved_id(u)], cases[saved_id(u)])
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
    if args and args[0].lower() in WEEK_WORDS:
        units = [saved_id(u) for u in campaigns.units_of(turn.session, saved_id(camp))]
        start = summary_week(campaigns.weekly_reports(camp), now, turn.zone).starts_on
        changes = figures.week_changes(turn.session, units, start, now.astimezone(turn.zone).date())
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
    turn.say(text)
    chart = closure_chart(
        [r.name for r in rows],
        [r.ledger.rate for r in rows],
        [r.ledger.overdue for r in rows],
        title=turn.text(msg("chart.title")),
        rate_label=turn.text(msg("chart.rate")),
        overdue_label=turn.text(msg("chart.overdue")),
    )
    turn.replies.append(Reply(msg("chart.caption", campaign=camp.name), photo=chart))


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
    write_workbook(turn.session, turn.campaign, out)
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


FEATURE = Feature("summary", commands={"summary": cmd_summary, "export": cmd_export})
