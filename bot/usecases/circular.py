"""The circular (工作进展通报, 月调度, 季通报) as a Word document and as a file to send."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.summary import campaign_summary, checkpoint_state
from storage import campaigns, notices
from storage import summary as figures
from storage.calendar import work_calendar
from storage.circular import write_circular
from storage.models import Campaign, saved_id
from storage.scores import ranking_state
from workflows.documents.circular import Section, period_text, weekly_circular
from workflows.documents.notices import RECENT, last_due, late_reads_section
from workflows.documents.summary import (
    summary_week,
)
from workflows.messages import Msg, Say, msg
from workflows.supervision.scores import WEEK


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
