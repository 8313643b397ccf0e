"""The scheduled 月调度 and 季通报 (`workflows/documents/cadence.py`): each period's document,
to the supervisors, once per period and chat, on its working day."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.circular import circular_file
from locales import Translator
from storage import campaigns, planning
from storage.calendar import work_calendar
from storage.models import Campaign
from workflows import keys
from workflows.documents.cadence import due_reviews
from workflows.documents.circular import period_text
from workflows.messages import Msg, msg
from workflows.planner import Planned
from workflows.week.periods import CampaignSpan


def scheduled_reviews(
    session: Session,
    camp: Campaign,
    now: datetime,
    planned: frozenset[str],
    span: CampaignSpan,
    tr: Translator,
    lang: str,
) -> list[Planned]:
    """The 月调度 and 季通报 whose day has come and that some supervisors' chat has not had;
    each document written once, in the documents' language `lang`, for every chat still owed
    it."""
    cadences = campaigns.cadences_of(camp)
    if not cadences or span.over(now):
        return []
    tz = ZoneInfo(camp.timezone)
    year = now.astimezone(tz).year

    def say(m: Msg | str) -> str:  # documents are written in the configured default language
        return tr.text(m, lang, tz=tz, year=year)

    due = due_reviews(cadences, now, tz, work_calendar(session), starts_on=span.starts_on)
    out: list[Planned] = []
    for review in due:
        kind, start = review.cadence.kind, review.period.start
        chats = [
            c
            for c in planning.supervisor_chats(session)
            if keys.review(kind, start, c) not in planned
        ]
        if not chats:
            continue
        _, document = circular_file(session, camp, now, say, kind)
        caption = msg(
            f"cadence.caption.{kind}", campaign=camp.name, period=period_text(review.period)
        )
        key, name = keys.review, f"review.{kind}"
        out += [
            Planned(key(kind, start, c), name, c, caption, now, document=document) for c in chats
        ]
    return out
