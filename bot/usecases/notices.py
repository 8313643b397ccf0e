"""Notices to every unit's group with a 已阅 button (a supervisor's text, or the week's
circular), who has read them, and the planner's ladder for the units that have not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.act import Act
from bot.usecases.summary import campaign_summary
from storage import campaigns, planning
from storage import notices as stored
from storage.calendar import work_calendar
from storage.models import Campaign, Unit, UnitNotice, saved_id
from workflows import keys
from workflows.documents.notices import (
    RECENT,
    NoticeState,
    ladder,
    receipt_answer,
    status_lines,
)
from workflows.forms.buttons import Verb, callback_data
from workflows.messages import Msg, lines, msg
from workflows.outcome import Refused
from workflows.planner import Planned

NOTICES_LISTED = 3  # notices listed by /notice alone


def read_button(notice_id: int) -> tuple[Msg, str]:
    """The 已阅 button a notice carries in each unit's group."""
    return (msg("notices.button"), callback_data(Verb.READ, notice_id))


def issue(
    act: Act, camp: Campaign, kind: str, text: str, body: Msg
) -> tuple[UnitNotice, int] | None:
    """Write the notice down and put it, with its 已阅 button, in every unit's groups' outbox;
    the notice and how many units it went to, or None (said why) when no unit has a group."""
    targets = planning.unit_targets(act.session, camp)
    units = [u for u, t in targets.items() if t.chats]
    if not units:
        act.say(msg("notices.no_groups"))
        return None
    row = stored.add_notice(
        act.session, act.stamp, campaign_id=saved_id(camp), kind=kind, text=text, units=units
    )
    nid = saved_id(row)
    act.tell(
        [
            Planned(
                keys.notice(nid, "sent", chat),
                f"notice.{kind}",
                chat,
                body,
                act.stamp.at,
                buttons=(read_button(nid),),
            )
            for u in units
            for chat in targets[u].chats
        ],
    )
    return row, len(units)


def _by(act: Act) -> str:
    return act.person.name or act.person.display_name


def send_notice(act: Act, camp: Campaign, text: str) -> int | None:
    """A supervisor's notice to every unit's group (the chat's /notice, the board's form):
    how many units it went to, or None (said why)."""
    done = issue(act, camp, "notice", text, msg("notices.body", by=_by(act), text=text))
    return done[1] if done is not None else None


def mark_read(act: Act, notice_id: int, unit: Unit | None) -> Msg | Refused:
    """已阅 pressed in `unit`'s group: recorded once for the unit, by any of its liaisons; a
    second press says who read it and when; anyone else, or a notice gone, is refused."""
    row = stored.notice_of(act.session, notice_id)
    if row is None or act.campaign is None or row.campaign_id != saved_id(act.campaign):
        return Refused(msg("form.stale_button"))
    if unit is None or saved_id(unit) not in row.units:
        return Refused(msg("notices.not_unit_chat"))
    unit_id = saved_id(unit)
    if unit_id not in act.actor.units:  # an admin of no unit does not read for it
        return Refused(msg("notices.only_unit", unit=unit.name))
    earlier = stored.receipt_of(act.session, saved_id(row), unit_id)
    if earlier is None and not stored.record_receipt(
        act.session, act.stamp, notice_id=saved_id(row), unit_id=unit_id
    ):  # another liaison of the unit pressed at the same moment
        earlier = stored.receipt_of(act.session, saved_id(row), unit_id)
    return receipt_answer(unit.name, earlier, act.stamp.at)


def send_circular_notice(act: Act, camp: Campaign) -> int | None:
    """The week's circular (the summary it reads out) to every unit's group, as a notice."""
    summary, _ = campaign_summary(act.session, camp, act.stamp.at)
    body = msg("notices.circular_body", by=_by(act), body=summary)
    done = issue(act, camp, "circular", act.text(msg("notices.circular_title")), body)
    return done[1] if done is not None else None


@dataclass(frozen=True)
class NoticeReads:
    """A recent notice and who has read it: its lines say so (its head, then one line per
    unit it went to, in `state.units`' order)."""

    notice: UnitNotice
    state: NoticeState
    lines: list[Msg]


def notice_reads(session: Session, camp: Campaign, now: datetime, limit: int) -> list[NoticeReads]:
    """The last `limit` notices (of the last `RECENT`), newest first, each with the units that
    read it (who, when) and those that have not (since when): /notice's list, the board's."""
    names = {saved_id(u): u.name for u in campaigns.units_of(session, saved_id(camp))}
    recent = stored.recent_notices(session, saved_id(camp), since=now - RECENT, limit=limit)
    return [
        NoticeReads(row, state, status_lines(state, names, kind=row.kind)) for row, state in recent
    ]


def read_status(session: Session, camp: Campaign, now: datetime) -> Msg:
    """The last notices, each with the units that read it (who, when) and those that have not
    (since when)."""
    recent = notice_reads(session, camp, now, NOTICES_LISTED)
    if not recent:
        return msg("notices.none")
    return lines([line for r in recent for line in r.lines])


def notice_ladder(
    session: Session, camp: Campaign, now: datetime, planned: frozenset[str]
) -> list[Planned]:
    """The ladder of the recent notices: one reminder to each unit that has not read one by
    the end of the next working day, in working hours; then the supervisors told."""
    tz = ZoneInfo(camp.timezone)
    cal = work_calendar(session)
    targets = planning.unit_targets(session, camp)
    out: list[Planned] = []
    sups = planning.supervisor_chats(session)
    for row, state in stored.recent_notices(session, saved_id(camp), since=now - RECENT):
        nid = saved_id(row)
        reminded = any(keys.notice_reminded(nid, k) for k in planned)
        for stage in ladder(state, now=now, cal=cal, tz=tz, reminded=reminded):
            if stage.name == "remind":
                for u in stage.units:
                    target = targets.get(u)
                    for chat in target.chats if target else ():
                        text = msg(
                            "notices.remind",
                            unit=target.name if target else "",
                            sent=row.sent_at,
                            title=state.title,
                        )
                        out.append(
                            Planned(
                                keys.notice(nid, "remind", chat),
                                "notice.remind",
                                chat,
                                text,
                                now,
                                buttons=(read_button(nid),),
                            )
                        )
            else:
                names = [targets[u].name for u in stage.units if u in targets]
                text = msg(
                    "notices.unread_supervisors",
                    sent=row.sent_at,
                    title=state.title,
                    count=len(names),
                    units=names,
                )
                out += [
                    Planned(keys.notice(nid, "supervisors", c), "notice.unread", c, text, now)
                    for c in sups
                ]
    return [p for p in out if p.key not in planned]
