"""催办 (urge a unit): one message to the unit's groups through the outbox, written down, at
most once a working day per unit (`workflows/supervision/urging`). The board's 催办 decides through
this."""

from __future__ import annotations

from sqlmodel import Session

from bot.usecases.act import Act
from bot.usecases.leave import cover_notices
from bot.usecases.summary import campaign_summary
from storage import chats, decisions
from storage.calendar import work_calendar
from storage.models import Campaign, Unit, saved_id
from workflows.messages import Msg, msg
from workflows.planner import Planned
from workflows.supervision import urging


def urged_text(made: decisions.MadeDecision) -> Msg:
    """已催办 3月4日 10:12 王专班: how a 催办 shows on the board."""
    return msg("urge.shown", at=made.at, by=made.by)


def urged_texts(session: Session, unit_ids: list[int]) -> dict[int, Msg]:
    """Each unit's latest 催办 as the board shows it, by unit (none for a unit never urged)."""
    return {u: urged_text(m) for u, m in decisions.last_urgings(session, unit_ids).items()}


def urge(act: Act, camp: Campaign, unit: Unit) -> Msg | None:
    """催办 the unit now: its groups told what is behind, the 催办 written down, the sending
    said here; or why not (no group, urged already this working day), nothing sent."""
    unit_id = saved_id(unit)
    groups = [c.chat_id for c in chats.chats_of_unit(act.session, unit_id)]
    if not groups:
        return msg("urge.no_group", unit=unit.name)
    day = urging.urge_day(act.stamp.at, work_calendar(act.session), act.zone)
    if not decisions.urge_once(act.session, act.stamp, unit_id=unit_id, day=day):
        last = decisions.last_urgings(act.session, [unit_id])[unit_id]
        return urging.already_urged(unit.name, last.at, last.by)
    _, rows = campaign_summary(act.session, camp, act.stamp.at)
    row = next(r for r in rows if r.name == unit.name)
    notice = urging.urge_notice(
        unit_id,
        day,
        unit=unit.name,
        by=act.person.name or act.person.display_name,
        overdue=row.ledger.overdue,
        cases=row.cases.overdue,
        weekly=msg(f"summary.weekly.{row.weekly}"),
    )
    to_groups = [
        Planned(notice.key_in(g), notice.kind, g, notice.text, act.stamp.at) for g in groups
    ]
    act.tell(cover_notices(act, camp, to_groups))  # a liaison away: who covers is pressed
    act.say(msg("urge.sent", unit=unit.name))
    return None
