"""/notice: a supervisor's notice (or `/notice 通报`, the week's circular) to every unit's
group with a 已阅 button; the press, recorded once per unit; `/notice` alone, who has read the
last notices; and the planner's ladder for units that have not (`workflows/notices`).

A press is answered by its toast alone and edits nothing in the group: an edit costs the
group's send budget (20 a minute, shared with every reminder), and the read/unread state is
read from `/notice` and the board, not from the message.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.delivery.outbox import post
from bot.handlers.summary import campaign_summary
from bot.telegram.feature import Feature
from bot.telegram.turn import Turn
from storage import campaigns, planning
from storage import notices as stored
from storage.calendar import work_calendar
from storage.models import Campaign, UnitNotice, saved_id
from workflows import keys
from workflows.buttons import Action, Verb, callback_data
from workflows.messages import Msg, lines, msg
from workflows.notices import NOTICE_TEXT_LIMIT, RECENT, ladder, receipt_answer, status_lines
from workflows.planner import Planned
from workflows.roles import CommandName
from workflows.words import CIRCULAR_WORDS

NOTICES_LISTED = 3  # notices listed by /notice alone


def read_button(notice_id: int) -> tuple[Msg, str]:
    """The 已阅 button a notice carries in each unit's group."""
    return (msg("notices.button"), callback_data(Verb.READ, notice_id))


def issue(
    turn: Turn, camp: Campaign, kind: str, text: str, body: Msg
) -> tuple[UnitNotice, int] | None:
    """Write the notice down and put it, with its 已阅 button, in every unit's groups' outbox;
    the notice and how many units it went to, or None (said why) when no unit has a group."""
    targets = planning.unit_targets(turn.session, camp)
    units = [u for u, t in targets.items() if t.chats]
    if not units:
        turn.say(msg("notices.no_groups"))
        return None
    row = stored.add_notice(
        turn.session, turn.stamp, campaign_id=saved_id(camp), kind=kind, text=text, units=units
    )
    nid = saved_id(row)
    post(
        turn,
        [
            Planned(
                keys.notice(nid, "sent", chat),
                f"notice.{kind}",
                chat,
                body,
                turn.stamp.at,
                buttons=(read_button(nid),),
            )
            for u in units
            for chat in targets[u].chats
        ],
    )
    return row, len(units)


def cmd_notice(turn: Turn, args: list[str]) -> None:
    """`/notice <text>` to every unit's group; `/notice 通报` the week's circular; `/notice`
    alone: who has read the last notices."""
    camp = turn.campaign
    if camp is None:
        turn.say(msg("bind.no_campaign"))
        return
    if not args:
        turn.say(read_status(turn.session, camp, turn.stamp.at))
        return
    if len(args) == 1 and args[0].lower() in CIRCULAR_WORDS:
        count = send_circular_notice(turn, camp)
    elif len(text := " ".join(args)) > NOTICE_TEXT_LIMIT:
        turn.say(msg("notices.text_needed", limit=NOTICE_TEXT_LIMIT))
        return
    else:
        count = send_notice(turn, camp, text)
    if count is not None:
        turn.say(msg("notices.sent", count=count))


def _by(turn: Turn) -> str:
    return turn.person.name or turn.person.display_name


def send_notice(turn: Turn, camp: Campaign, text: str) -> int | None:
    """A supervisor's notice to every unit's group (the chat's /notice, the board's form):
    how many units it went to, or None (said why)."""
    done = issue(turn, camp, "notice", text, msg("notices.body", by=_by(turn), text=text))
    return done[1] if done is not None else None


def send_circular_notice(turn: Turn, camp: Campaign) -> int | None:
    """The week's circular (the summary it reads out) to every unit's group, as a notice."""
    summary, _ = campaign_summary(turn.session, camp, turn.stamp.at)
    body = msg("notices.circular_body", by=_by(turn), body=summary)
    done = issue(turn, camp, "circular", turn.text(msg("notices.circular_title")), body)
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


def on_read(turn: Turn, pressed: Action) -> None:
    """已阅: recorded once for the unit whose group this is, by any of its liaisons; a second
    press says who read it and when; anyone else is refused in words."""
    row = stored.notice_of(turn.session, pressed.ref)
    camp, unit = turn.campaign, turn.unit
    if row is None or camp is None or row.campaign_id != saved_id(camp):
        turn.refuse(msg("form.stale_button"))
        return
    if unit is None or saved_id(unit) not in row.units:
        turn.refuse(msg("notices.not_unit_chat"))
        return
    unit_id = saved_id(unit)
    if unit_id not in turn.actor.units:  # an admin of no unit does not read for it
        turn.refuse(msg("notices.only_unit", unit=unit.name))
        return
    earlier = stored.receipt_of(turn.session, saved_id(row), unit_id)
    if earlier is None and not stored.record_receipt(
        turn.session, turn.stamp, notice_id=saved_id(row), unit_id=unit_id
    ):  # another liaison of the unit pressed at the same moment
        earlier = stored.receipt_of(turn.session, saved_id(row), unit_id)
    turn.notice = turn.text(receipt_answer(unit.name, earlier, turn.stamp.at))


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


FEATURE = Feature(
    "notices", commands={CommandName.NOTICE: cmd_notice}, presses={Verb.READ: on_read}
)
