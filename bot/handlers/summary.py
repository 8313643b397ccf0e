"""/summary, /summary <unit>, /summary week, /export, and the weekly digest to supervisors."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.handlers.ledger import item_line
from bot.telegram.chart import closure_chart
from bot.telegram.turn import Reply, Turn
from storage import campaigns, planning
from storage import ledger as items
from storage import summary as figures
from storage.export import write_workbook
from storage.models import Campaign
from workflows.messages import Msg, lines, msg
from workflows.planner import Planned, reporting_day
from workflows.summary import UnitSummary, summary_message, week_message
from workflows.words import WEEK_WORDS


def campaign_summary(
    session: Session, camp: Campaign, now: datetime
) -> tuple[Msg, list[UnitSummary]]:
    """The whole campaign's figures, and the message that reads them out."""
    tz = ZoneInfo(camp.timezone)
    units = campaigns.units_of(session, camp.id or 0)
    ids = [u.id or 0 for u in units]
    reports = campaigns.weekly_reports(camp)
    name = reports[0].name if reports else ""
    day = reporting_day(reports[0].weekday if reports else 0, now, tz)
    ledger = figures.ledger_figures(session, ids, now.astimezone(tz).date())
    weekly = figures.weekly_status(session, ids, name, day)
    cases = figures.case_figures(session, ids, now)
    rows = [
        UnitSummary(u.name, ledger[u.id or 0], weekly[u.id or 0], cases[u.id or 0]) for u in units
    ]
    missing = figures.missing_deliverables(
        session, camp.id or 0, {u.id or 0: u.name for u in units}, now
    )
    text = summary_message(
        camp.name, rows, name, [(d.deliverable, d.due_at, m) for d, m in missing]
    )
    return text, rows


def cmd_summary(turn: Turn, args: list[str]) -> None:
    """The campaign summary with its chart; `/summary 轮台县` one unit; `/summary week`."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    camp, now = turn.campaign, turn.stamp.at
    if args and args[0].lower() in WEEK_WORDS:
        units = [u.id or 0 for u in campaigns.units_of(turn.session, camp.id or 0)]
        reports = campaigns.weekly_reports(camp)
        start = reporting_day(reports[0].weekday if reports else 0, now, turn.zone)
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
        reports = campaigns.weekly_reports(camp)
        weekly_name = reports[0].name if reports else ""
        turn.say(summary_message(camp.name, [row], weekly_name, []))
        unit = campaigns.unit_named(turn.session, camp.id or 0, name)
        if unit is not None:
            show_unit_items(turn, unit.id or 0)
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


def show_unit_items(turn: Turn, unit_id: int) -> None:
    """A unit's items (the first 40), for /summary <unit>."""
    today = turn.stamp.at.astimezone(turn.zone).date()
    out: list[Msg | str] = [
        item_line(i, today) for i in items.items_of(turn.session, [unit_id])[:40]
    ]
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
    reports = campaigns.weekly_reports(camp)
    if not reports:
        return []
    tz = ZoneInfo(camp.timezone)
    day = reporting_day(reports[0].weekday, now, tz)
    due = datetime.combine(day, reports[0].at, tzinfo=tz)
    if now < due or now > due + timedelta(days=6):
        return []
    chats = planning.supervisor_chats(session)
    keys = {c: f"digest:{day.isoformat()}:chat:{c}" for c in chats}
    todo = [c for c in chats if keys[c] not in planned]
    if not todo:
        return []
    text, _ = campaign_summary(session, camp, now)
    return [Planned(keys[c], "digest", c, text, now) for c in todo]
