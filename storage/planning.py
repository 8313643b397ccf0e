"""What the planner reads, and saving what it planned: once per key, with its outbox message."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import or_
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col, select

from storage import cases, leave, sightings
from storage.campaigns import (
    case_rules,
    checkpoints_of,
    deadlines_of,
    phases_of,
    units_of,
    weekly_reports,
)
from storage.models import (
    Campaign,
    Chat,
    Deadline,
    ForwardedCase,
    LedgerItem,
    Notification,
    OutboxMessage,
    Person,
    RoleGrant,
    Submission,
    Unit,
    saved_id,
)
from storage.summary import checked_items
from storage.unique_inserts import insert_skipping
from workflows import keys
from workflows.deliverables.checkpoints import interview_list, reached
from workflows.json_types import JSONObject
from workflows.keys import NoticeKey, Subject, schedule_stamp
from workflows.message_pieces import PIECE_LIMIT, split_text
from workflows.people.roles import Role
from workflows.planner import (
    CaseState,
    CheckpointState,
    DeadlineState,
    ItemState,
    Planned,
    PlannerState,
    UnitTarget,
    WeeklyState,
)
from workflows.supervision.audience import hearing_chats
from workflows.week.periods import CampaignSpan, campaign_span

# a time left said as of sending may be longer than its marker: room kept for it
NOTICE_LIMIT = PIECE_LIMIT - 512
KEY_WINDOW = timedelta(days=45)  # keys older than this are left to the unique constraint


@dataclass(frozen=True)
class Rendered:
    """A planned notification with its text and buttons in the chat's language."""

    planned: Planned
    text: str
    reply_markup: JSONObject | None
    live: JSONObject | None = None  # a time left to say again when sent (bot.notify)


def role_chats(session: Session, role: Role) -> list[int]:
    """Private chats (user ids) of everyone holding a role."""
    stmt = (
        select(Person.user_id)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(RoleGrant.role == role.value)
        .distinct()
    )
    return sorted(session.exec(stmt))


def supervisors_groups(session: Session) -> list[int]:
    """The group chats bound as the supervisors' group."""
    return sorted(session.exec(select(Chat.chat_id).where(col(Chat.supervisors).is_(True))))


def supervisor_chats(session: Session) -> list[int]:
    """Where the supervisors hear: the supervisors' group, if one is bound, and the private
    chat of each supervisor not seen in it (`workflows/supervision/audience.py`)."""
    return staff_chats(session, role_chats(session, Role.SUPERVISOR))


def staff_chats(session: Session, people: Iterable[int]) -> list[int]:
    """Where these people (user ids) hear what concerns the supervisors: the supervisors'
    group, and the private chat of each one not seen in it."""
    members = sightings.in_supervisors_groups(session)
    return hearing_chats(people, supervisors_groups(session), members)


def admin_chats(session: Session, admin_ids: Iterable[int]) -> list[int]:
    """Admins' private chats: those configured and those given the role."""
    return sorted(set(admin_ids) | set(role_chats(session, Role.ADMIN)))


def unit_targets(session: Session, camp: Campaign) -> dict[int, UnitTarget]:
    """The campaign's active units, in order, with their bound group chats."""
    units = units_of(session, saved_id(camp))
    chats: dict[int, list[int]] = defaultdict(list)
    # a join, not an IN list of thousands of ids: PostgreSQL plans and converts it once
    bound = (
        select(Chat.chat_id, Chat.unit_id)
        .join(Unit, col(Unit.id) == col(Chat.unit_id))
        .where(Unit.campaign_id == camp.id, col(Unit.active))
    )
    for chat_id, unit_id in session.exec(bound):
        if unit_id is not None:  # always, by the join
            chats[unit_id].append(chat_id)
    targets = (UnitTarget(saved_id(u), u.name, tuple(sorted(chats[saved_id(u)]))) for u in units)
    return {t.unit_id: t for t in targets}


def planner_state(
    session: Session, camp: Campaign, *, admin_ids: Iterable[int], now: datetime
) -> PlannerState:
    """Everything the planner needs, in a handful of queries."""
    units = unit_targets(session, camp)
    by_name = {t.name: t.unit_id for t in units.values()}
    deadlines = deadlines_of(session, saved_id(camp))
    done: dict[int, set[int]] = defaultdict(set)
    ids = [d.id for d in deadlines]
    for unit_id, deadline_id in session.exec(
        select(Submission.unit_id, Submission.deadline_id).where(
            col(Submission.deadline_id).in_(ids)
        )
    ):
        if deadline_id is not None:  # always, by the IN list
            done[deadline_id].add(unit_id)
    states = []
    for d in deadlines:
        applies = (
            frozenset(units)
            if d.unit_names is None
            else frozenset(by_name[n] for n in d.unit_names if n in by_name)
        )
        states.append(
            DeadlineState(
                saved_id(d),
                d.deliverable,
                d.due_at,
                d.due_set_at or d.created_at or d.due_at - timedelta(days=3650),
                applies,
                frozenset(done[saved_id(d)]),
            )
        )
    weekly = []
    since = (now - timedelta(days=8)).date()
    for index, report in enumerate(weekly_reports(camp)):
        rows = session.exec(
            select(Submission.unit_id, col(Submission.period_start)).where(
                Submission.report_name == report.name, col(Submission.period_start) >= since
            )
        )
        weekly.append(
            WeeklyState(
                index,
                report.name,
                report.weekday,
                report.at,
                frozenset((u, p) for u, p in rows if p is not None),
            )
        )
    planned = frozenset(
        session.exec(select(Notification.key).where(Notification.created_at >= now - KEY_WINDOW))
    )
    marked = (keys.owed_again_of(k) for k in planned if k.startswith(keys.OWED_AGAIN))
    owed_again = frozenset(k for k in marked if k is not None and k not in planned)
    supervisors = tuple(supervisor_chats(session))
    open_cases = [
        CaseState(saved_id(c), c.code, c.unit_id, c.due_at, c.text[:60])
        for c in cases.open_cases(session, list(units))
    ]
    liaisons, away = leave.who_is_away(session, saved_id(camp), now)
    return PlannerState(
        tz=ZoneInfo(camp.timezone),
        reminders=tuple(timedelta(seconds=s) for s in camp.reminders),
        units=units,
        deadlines=tuple(states),
        weekly=tuple(weekly),
        supervisors=supervisors,
        admins=tuple(admin_chats(session, admin_ids)),
        planned=planned,
        cases=tuple(open_cases),
        items=tuple(overdue_items(session, camp, now, ZoneInfo(camp.timezone))),
        case_rules=case_rules(camp),
        span=span_of(session, camp),
        checkpoints=checkpoints_owed(session, camp, units, supervisors, planned, now),
        liaisons=liaisons,
        owed_again=owed_again,
        absences=away,
    )


def checkpoints_owed(
    session: Session,
    camp: Campaign,
    units: Mapping[int, UnitTarget],
    supervisors: Sequence[int],
    planned: frozenset[str],
    now: datetime,
) -> tuple[CheckpointState, ...]:
    """The checkpoints reached lately whose 约谈名单 a supervisors' chat has not been sent,
    each with the list (the ledger is read only then, not on every planner pass)."""
    tz = ZoneInfo(camp.timezone)
    today = now.astimezone(tz).date()
    owed = [
        c
        for c in reached(checkpoints_of(camp), today)
        if c.day >= today - KEY_WINDOW
        and any(keys.checkpoint(c.day, chat) not in planned for chat in supervisors)
    ]
    if not owed:
        return ()
    items = checked_items(session, {u: t.name for u, t in units.items()}, tz)
    return tuple(CheckpointState(c, tuple(interview_list(items, c))) for c in owed)


def span_of(session: Session, camp: Campaign) -> CampaignSpan:
    """When the campaign begins (its first phase) and ends (its last phase or deadline, or
    the day after its last checkpoint, when that checkpoint's 约谈名单 goes out)."""
    tz = ZoneInfo(camp.timezone)
    phases = [(p.starts_on, p.ends_on) for p in phases_of(session, saved_id(camp))]
    dues = [d.due_at for d in deadlines_of(session, saved_id(camp))]
    dues += [
        datetime.combine(c.day + timedelta(days=2), time(0), tzinfo=tz)
        for c in checkpoints_of(camp)
    ]
    return campaign_span(phases, dues, tz)


def withdraw_moved(session: Session, current: Mapping[str, str]) -> int:
    """Withdraw unsent notices of deadlines and cases planned for a due time they no longer have.

    `current` holds the due stamp of each (`deadline:7` → `20240505T100000Z`; see
    `workflows.planner.schedules`); others are left alone. Returns how many were withdrawn.
    What was sent stays in the history; the new time is planned afresh.
    """
    stmt = (
        select(OutboxMessage, Notification.key)
        .join(Notification, col(Notification.id) == col(OutboxMessage.notification_id))
        .where(
            OutboxMessage.status == "pending",
            or_(col(Notification.deadline_id).is_not(None), col(Notification.case_id).is_not(None)),
        )
        .with_for_update(skip_locked=True, of=OutboxMessage)
    )
    withdrawn = 0
    for row, key in session.exec(stmt):
        notice = NoticeKey.parse(key)
        if notice is None or notice.due is None:  # not planned for a due time: never moved
            continue
        if current.get(notice.schedule, notice.due) != notice.due:
            row.status = "withdrawn"
            session.add(row)
            withdrawn += 1
    return withdrawn


def withdraw_rescheduled(session: Session, row: Deadline | ForwardedCase) -> int:
    """Withdraw at once what waited for a moved deadline's or case's previous due time.

    Called in the unit of work that moved it; the planner's next pass would do it seconds later.
    """
    subject = Subject.DEADLINE if isinstance(row, Deadline) else Subject.CASE
    return withdraw_moved(session, {f"{subject}:{saved_id(row)}": schedule_stamp(row.due_at)})


def _insert_new_keys(session: Session) -> ReturningInsert[int | None, str]:
    """INSERT of notifications that skips the rows whose key is taken."""
    stmt = insert_skipping(session, Notification, "key")
    return stmt.returning(col(Notification.id), col(Notification.key))


def _subject_of(key: str) -> dict[str, int | None]:
    """The case or deadline a notice is about, for its columns (every row has both)."""
    parsed = NoticeKey.parse(key)
    if parsed is None:
        return {"case_id": None, "deadline_id": None}
    return {"case_id": parsed.case_id, "deadline_id": parsed.deadline_id}


def save_planned(session: Session, items: Sequence[Rendered], now: datetime) -> int:
    """Store each notification and its outbox message once; returns how many were new.

    The unique key is the guarantee: a second planner (another process, or a run after a
    restart) that planned the same key finds it taken and adds nothing.
    """
    by_key = {r.planned.key: r for r in items}
    conn = session.connection()
    # Compiled once and sent in batches (SQLAlchemy's insertmanyvalues); taken keys skipped.
    stmt = _insert_new_keys(session)
    rows: list[dict[str, object]] = [
        {
            "key": r.planned.key,
            "kind": r.planned.kind,
            "planned_for": r.planned.not_before,
            "created_at": now,
            "payload": {"chat_id": r.planned.chat_id, "late": r.planned.late},
            **_subject_of(r.planned.key),
        }
        for r in by_key.values()
    ]
    # A catch-up message tells several notifications at once: their keys are taken too, with
    # no message of their own, so that none of them is planned again.
    rows += [
        {
            "key": key,
            "kind": "told",
            "planned_for": r.planned.not_before,
            "created_at": now,
            "payload": {"chat_id": r.planned.chat_id, "told_in": r.planned.key},
            **_subject_of(key),
        }
        for r in by_key.values()
        for key in r.planned.absorbs
        if key not in by_key
    ]
    if not rows:
        return 0
    found = conn.execute(stmt, rows).all() if len(rows) > 1 else conn.execute(stmt, rows[0]).all()
    added = [(note_id, key) for note_id, key in found if key in by_key]
    if added:
        conn.execute(
            sa.insert(OutboxMessage), [m for n, k in added for m in _messages(n, by_key[k], now)]
        )
    return len(added)


def _messages(note_id: int | None, r: Rendered, now: datetime) -> list[dict[str, object]]:
    """A notification's outbox messages: one, or several in order when its text is longer than
    Telegram takes (a catch-up or a digest at a province's size); the buttons on the last."""
    parts = split_text(r.text, NOTICE_LIMIT)
    return [
        {
            "notification_id": note_id,
            "chat_id": r.planned.chat_id,
            "text": part,
            "reply_markup": r.reply_markup if n == len(parts) - 1 else None,
            "live": r.live,
            "not_before": r.planned.not_before,
            "created_at": now,
            "status": "pending",
            "attempts": 0,
            "last_error": "",
            "sent_at": None,
            "telegram_message_id": None,
            "reply": _document(r.planned) if n == len(parts) - 1 else None,
        }
        for n, part in enumerate(parts)
    ]


def _document(planned: Planned) -> JSONObject | None:
    """The file a notice carries (a scheduled 调度), kept in the outbox row until it is sent."""
    if planned.document is None:
        return None
    name, data = planned.document
    return {"document": {"name": name, "data": base64.b64encode(data).decode("ascii")}}


def overdue_items(session: Session, camp: Campaign, now: datetime, tz: ZoneInfo) -> list[ItemState]:
    """Items of the campaign's active units not closed out, due in the last fortnight."""
    today = now.astimezone(tz).date()
    stmt = (
        select(LedgerItem)
        .join(Unit, col(Unit.id) == col(LedgerItem.unit_id))
        .where(
            Unit.campaign_id == camp.id,
            col(Unit.active),
            col(LedgerItem.status).in_(("open", "paused")),
            col(LedgerItem.due_on) < today,
            col(LedgerItem.due_on) >= today - timedelta(days=14),
        )
    )
    return [
        ItemState(saved_id(i), i.code, i.name, i.unit_id, i.due_on)
        for i in session.exec(stmt)
        if i.due_on is not None
    ]
