"""Notices to every unit's group with a 已阅 button (a supervisor's text, or the week's
circular), who has read them, and the planner's ladder for the units that have not."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.usecases.act import Act
from bot.usecases.summary import campaign_summary
from storage import campaigns, planning
from storage import notices as stored
from storage.calendar import work_calendar
from storage.models import Campaign, UnitNotice, saved_id
from workflows import keys
from workflows.documents.notices import RECENT, ladder, status_lines
from workflows.forms.buttons import Verb, callback_data
from workflows.messages import Msg, lines, msg
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


def send_circular_notice(act: Act, camp: Campaign) -> int | None:
    """The week's circular (the summary it reads out) to every unit's group, as a notice."""
    summary, _ = campaign_summary(act.session, camp, act.stamp.at)
    body = msg("notices.circular_body", by=_by(act), body=summary)
    done = issue(act, camp, "circular", act.text(msg("notices.circular_title")), body)
    return done[1] if done is not None else None


def read_status(session: Session, camp: Campaign, now: datetime) -> Msg:
    """The last notices, each with the units that read it (who, when) and those that have not
    (since when)."""
    names = {saved_id(u): u.name for u in campaigns.units_of(session, saved_id(camp))}
    recent = stored.recent_notices(
        session, saved_id(camp), since=now - RECENT, limit=NOTICES_LISTED
    )
    if not recent:
        return msg("notices.none")
    out: list[Msg | str] = []
    for row, state in recent:
        out += status_lines(state, names, kind=row.kind)
    return lines(out)


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
