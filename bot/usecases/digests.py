"""The weekly digest to the supervisors, planned once a week after the report's deadline."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.summary import campaign_summary
from storage import campaigns, planning
from storage.models import Campaign
from workflows.documents.digest import digest_chats, digest_week
from workflows.keys import digest_key
from workflows.planner import Planned


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
