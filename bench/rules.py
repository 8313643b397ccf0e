"""Counting a province soak against the rules: what was owed, what arrived, what was saved.

Owed is worked out here from the campaign's rules and what the people did, not by the
planner: a deadline's countdown stages (3d, 1d, 2h) and its overdue notice to each unit that
had not submitted by then (for the due time in force then: a deadline moved is owed at its new
time, and nothing more for its old one; of the stages that had passed when the deadline was
set, only the latest), the weekly prompt and its reminder to each unit that had not reported,
a forwarded case's reminders to its unit and its 催办 to each supervisor while unanswered.
A stage counts as "either" (no verdict) when the facts are too close to it to tell: a
submission within the planner's latency of the stage, a database outage over it, or the next
stage coming so soon after it that the planner rightly sends only the latest.

Arrived: a notice is delivered when the local Bot API accepted its outbox message, matched by
Telegram message id, or when a delivered catch-up message told it. Lost: owed (or planned)
and not delivered. Doubled: a delivered message that no outbox row claims but that repeats an
outbox text in its chat (the first send was not recorded), or two answers to one message of
a person. Wrongly sent: delivered after what it asked for was done (its unit submitted, the
case was answered, the weekly report was in) or after its deadline or case had moved.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, text
from sqlmodel import col, select

from bench.people import Seen
from bot.sandbox.api import LocalBotApi
from storage.db import Database
from storage.models import (
    AuditEvent,
    Chat,
    Deadline,
    Feedback,
    ForwardedCase,
    Notification,
    OutboxMessage,
    Submission,
    Unit,
)
from workflows import keys
from workflows.keys import NoticeKey

STAGES = (timedelta(days=3), timedelta(days=1), timedelta(hours=2))
EDGE = timedelta(hours=1)  # notices falling due in the window's last hour are not counted
LIVE = re.compile("\u2060\u23f3\\d*\u2060")  # where an outbox text says a time left


@dataclass
class Plan:
    """The run's window and what happened to the database, on the campaign's clock."""

    begin: datetime
    end: datetime
    speed: float
    outages: list[tuple[datetime, datetime]] = field(default_factory=list)
    kills: list[datetime] = field(default_factory=list)
    at_real: Callable[[float], datetime] | None = None  # a real moment on the campaign's clock

    @property
    def latency(self) -> timedelta:
        """How long the planner may take to notice what fell due (1 real second)."""
        return timedelta(seconds=1.0 * self.speed)

    @property
    def tolerance(self) -> timedelta:
        """A send already under way when what it asked for was done (0.5 real seconds)."""
        return timedelta(seconds=0.5 * self.speed)

    @property
    def late(self) -> timedelta:
        """A notice delivered later than this after its time is late (10 real seconds)."""
        return timedelta(seconds=10.0 * self.speed)

    def outage(self, down: datetime, up: datetime) -> None:
        self.outages.append((down, up))

    def killed(self, at: datetime) -> None:
        self.kills.append(at)

    def slack(self, at: datetime) -> timedelta:
        """How long after `at` the planner may notice it: its latency, and an outage over it."""
        extra = timedelta(0)
        for down, up in self.outages:
            if down - self.latency <= at <= up + self.latency:
                extra = max(extra, up - at)
        return self.latency + extra

    def counted(self, at: datetime) -> bool:
        return self.begin <= at <= self.end - EDGE

    def settled(self, db: Database) -> bool:
        """Whether every outbox message due in the window is settled (one being sent is due
        whatever its not_before, which then holds the sender's claim)."""
        with db.unit_of_work() as s:
            rows = s.exec(
                select(OutboxMessage.id).where(
                    or_(
                        col(OutboxMessage.status) == "sending",
                        and_(
                            col(OutboxMessage.status) == "pending",
                            col(OutboxMessage.not_before) <= self.end,
                        ),
                    )
                )
            ).all()
        return not rows


@dataclass(frozen=True)
class Owed:
    """A notice the rules owe (or not), and why."""

    key: str
    at: datetime
    verdict: str  # owed, either, not
    why: str


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def verdict(plan: Plan, at: datetime, done: datetime | None, next_at: datetime | None) -> str:
    """Owed at `at` unless done before; either when `done`, or the next stage, is too close."""
    slack = plan.slack(at)
    if done is not None and done <= at - plan.tolerance:
        return "not"
    if next_at is not None and next_at <= at + slack:
        return "either"
    if done is None or done >= at + slack:
        return "owed"
    return "either"


def schedules(
    first: datetime, moves: list[tuple[datetime, datetime]], since: datetime
) -> list[tuple[datetime, datetime, datetime | None]]:
    """(due, in force from, until) for a due time moved at the given moments to new ones."""
    out: list[tuple[datetime, datetime, datetime | None]] = []
    due, start = first, since
    for at, new in sorted(moves):
        out.append((due, start, at))
        due, start = new, at
    out.append((due, start, None))
    return out


def staged(
    plan: Plan,
    make_key: Any,
    stages: list[tuple[datetime, str]],
    valid: tuple[datetime, datetime | None],
    done: datetime | None,
    why: str,
) -> list[Owed]:
    """The verdict on each stage of one schedule for one target."""
    start, until = valid
    out = []
    passed = [m for m, _ in stages if m < start]
    for i, (moment, name) in enumerate(stages):
        if moment < start and moment != max(passed):
            continue  # passed before the schedule began: only the latest is told
        at = max(moment, start)
        if not plan.counted(at):
            continue
        nxt = stages[i + 1][0] if i + 1 < len(stages) else None
        if until is not None and at >= until:
            out.append(Owed(make_key(name), at, "not", f"{why} {name}: moved before"))
            continue
        v = verdict(plan, at, done, nxt)
        if until is not None and until - plan.latency < at and v == "owed":
            v = "either"  # the move came before the planner could tell it
        out.append(Owed(make_key(name), at, v, f"{why} {name}"))
    return out


Moves = dict[int, list[tuple[datetime, datetime, datetime]]]  # id: (when, new due, old due)


def deadline_rules(
    plan: Plan, s: Any, chats_of: dict[int, list[int]], moves: Moves
) -> tuple[list[Owed], dict[tuple[int, int], datetime]]:
    """The countdown and overdue notice owed to each unit for each deadline."""
    done = {
        (r.deadline_id, r.unit_id): _utc(r.submitted_at)
        for r in s.exec(select(Submission).where(col(Submission.deadline_id).is_not(None)))
    }
    out: list[Owed] = []
    named = {u.name: u.id for u in s.exec(select(Unit))}
    for d in s.exec(select(Deadline)):
        applies = None if d.unit_names is None else {named.get(n) for n in d.unit_names}
        first = moves.get(d.id, [])
        original = first[0][2] if first else _utc(d.due_at)
        changes = [(at, new) for at, new, _ in first] if first else []
        since = _utc(d.created_at or plan.begin)
        for due, start, until in schedules(original, changes, since):
            stages = [(due - off, keys.reminder_stage(off)) for off in STAGES] + [(due, "overdue")]
            for unit_id, chat_ids in chats_of.items():
                if applies is not None and unit_id not in applies:
                    continue  # a deadline of other units
                for chat in chat_ids:
                    out += staged(
                        plan,
                        lambda name, due=due, u=unit_id, c=chat, i=d.id or 0: (
                            NoticeKey.deadline_unit(i, due, u, c, name).text
                        ),
                        stages,
                        (start, until),
                        done.get((d.id or 0, unit_id)),
                        f"deadline {d.deliverable} unit {unit_id}",
                    )
    return out, done


def weekly_rules(
    plan: Plan, s: Any, chats_of: dict[int, list[int]], tz: Any
) -> tuple[list[Owed], dict[tuple[int, date], datetime]]:
    """The Monday prompt (08:00) and its reminder (16:00) to each unit not yet reported."""
    done = {
        (r.unit_id, r.period_start): _utc(r.submitted_at)
        for r in s.exec(select(Submission).where(col(Submission.report_name) != ""))
    }
    out: list[Owed] = []
    day = plan.begin.astimezone(tz).date()
    while datetime.combine(day, datetime.min.time(), tzinfo=tz) < plan.end:
        if day.weekday() == 0:
            due = datetime.combine(day, datetime.min.time(), tzinfo=tz).replace(hour=18)
            stages = [(due - timedelta(hours=10), "prompt"), (due - timedelta(hours=2), "remind")]
            for unit_id, chat_ids in chats_of.items():
                for chat in chat_ids:
                    out += staged(
                        plan,
                        lambda name, u=unit_id, c=chat, d=day: keys.weekly_stage(0, d, name, u, c),
                        [(m.astimezone(UTC), n) for m, n in stages],
                        (plan.begin, None),
                        done.get((unit_id, day)),
                        f"weekly {day} unit {unit_id}",
                    )
        day += timedelta(days=1)
    return out, done


def case_rules(
    plan: Plan, s: Any, chats_of: dict[int, list[int]], supervisors: list[int], tz: Any
) -> tuple[list[Owed], dict[int, datetime]]:
    """A case's reminders to its unit (09:00 on the due day, 2 hours before) and its 催办 to
    each supervisor at the due time, while it is not answered."""
    moves: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    firsts: dict[int, datetime] = {}
    for e in s.exec(select(AuditEvent).where(AuditEvent.action == "case.extension_approved")):
        before, after = e.before or {}, e.after or {}
        old, new = before.get("due_at"), after.get("due_at")
        if old and new and old != new and e.entity_id is not None:
            firsts.setdefault(e.entity_id, _utc(datetime.fromisoformat(old)))
            moves[e.entity_id].append((_utc(e.at), _utc(datetime.fromisoformat(new))))
    out: list[Owed] = []
    answered: dict[int, datetime] = {}
    for c in s.exec(select(ForwardedCase)):
        cid = c.id or 0
        if c.answered_at is not None:
            answered[cid] = _utc(c.answered_at)
        first = firsts.get(cid, _utc(c.due_at))
        for due, start, until in schedules(first, moves.get(cid, []), _utc(c.received_at)):
            morning = due.astimezone(tz).replace(hour=9, minute=0).astimezone(UTC)
            reminds = [
                (m, n)
                for m, n in ((morning, "morning"), (due - timedelta(hours=2), "before"))
                if m < due
            ]
            for chat in chats_of.get(c.unit_id, []):
                out += staged(
                    plan,
                    lambda name, due=due, c=chat, i=cid: (
                        NoticeKey.case_remind(i, due, name, c).text
                    ),
                    [*sorted(reminds), (due, "_due")],
                    (start, until),
                    answered.get(cid),
                    f"case {c.code}",
                )
            for sup in supervisors:
                out += staged(
                    plan,
                    lambda name, due=due, c=sup, i=cid: NoticeKey.case_escalate(i, due, c).text,
                    [(due, "escalate")],
                    (start, until),
                    answered.get(cid),
                    f"case {c.code} escalate",
                )
    return [o for o in out if ":_due:" not in o.key], answered


def _commit_moments(s: Any, plan: Plan, table: str) -> dict[int, datetime]:
    """When each row of `table` was last committed, on the campaign's clock: empty unless
    PostgreSQL keeps commit times (`track_commit_timestamp`, as tests/pgserver.py starts it)."""
    if plan.at_real is None or s.get_bind().dialect.name != "postgresql":
        return {}
    conn = s.connection()
    if conn.execute(text("SHOW track_commit_timestamp")).scalar() != "on":
        return {}
    rows = conn.execute(text(f"SELECT id, pg_xact_commit_timestamp(xmin) FROM {table}"))
    return {rid: plan.at_real(at.timestamp()) for rid, at in rows if at is not None}


def _as_committed(
    s: Any,
    plan: Plan,
    subs: dict[tuple[int, int], datetime],
    weeks: dict[tuple[int, date], datetime],
    answered: dict[int, datetime],
) -> tuple[dict[tuple[int, int], datetime], dict[tuple[int, date], datetime], dict[int, datetime]]:
    """The moments things were done, as the other processes could first see them: a turn
    that read the clock at 09:30 may commit its submission a loaded second later, and a
    reminder claimed meanwhile was rightly sent (its claim checks what is committed)."""
    submitted = _commit_moments(s, plan, "submission")
    for r in s.exec(select(Submission)):
        at = submitted.get(r.id or 0)
        key_d, key_w = (r.deadline_id or 0, r.unit_id), (r.unit_id, r.period_start)
        if at is None:
            continue
        if r.deadline_id is not None and subs.get(key_d) == _utc(r.submitted_at):
            subs[key_d] = max(subs[key_d], at)
        if r.report_name and r.period_start and weeks.get(key_w) == _utc(r.submitted_at):
            weeks[key_w] = max(weeks[key_w], at)
    for cid, at in _commit_moments(s, plan, "forwardedcase").items():
        if cid in answered:
            answered[cid] = max(answered[cid], at)
    return subs, weeks, answered


def tally(
    plan: Plan,
    db: Database,
    api: LocalBotApi,
    sent: list[dict[str, Any]],
    seen: Seen,
    deadline_ids: dict[str, int],
    aside: frozenset[int] = frozenset(),
    taken_unnoted: Collection[tuple[int, int]] = (),
) -> dict[str, Any]:
    """Every figure of the run; the rules owe nothing in the chats `aside` (a chatter's group,
    whose budget is spent by design: what the bot sends there is still counted sent once).
    A second copy of a message that `taken_unnoted` names (Telegram took it from a process
    killed before it noted it) is counted apart: Telegram takes no idempotency key."""
    delivered = {(m["chat"]["id"], m["message_id"]): m for m in sent}
    with db.unit_of_work() as s:
        notes = {n.id: n for n in s.exec(select(Notification))}
        rows = list(s.exec(select(OutboxMessage)))
        tz = ZoneInfo("Asia/Shanghai")
        chats_of: dict[int, list[int]] = defaultdict(list)
        for chat in s.exec(
            select(Chat).where(col(Chat.unit_id).is_not(None), col(Chat.chat_id).not_in(aside))
        ):
            chats_of[chat.unit_id or 0].append(chat.chat_id)
        supervisors = [u["id"] for u in api.users.values() if u["first_name"].startswith("督办")]
        moves: Moves = defaultdict(list)
        for e in s.exec(select(AuditEvent).where(col(AuditEvent.entity) == "deadline")):
            before, after = e.before or {}, e.after or {}
            old, new = before.get("due_at"), after.get("due_at")
            if old and new and old != new and e.entity_id is not None:
                moves[e.entity_id].append(
                    (
                        _utc(e.at),
                        _utc(datetime.fromisoformat(new)),
                        _utc(datetime.fromisoformat(old)),
                    )
                )
        owed_d, subs = deadline_rules(plan, s, chats_of, moves)
        owed_w, weeks = weekly_rules(plan, s, chats_of, tz)
        owed_c, answered = case_rules(plan, s, chats_of, supervisors, tz)
        subs, weeks, answered = _as_committed(s, plan, subs, weeks, answered)
        saved = saved_once(s, seen, deadline_ids)
        units = {u.id: u.name for u in s.exec(select(Unit))}
    by_key = {n.key: n for n in notes.values()}
    row_of = {r.notification_id: r for r in rows if r.notification_id is not None}

    def arrival(key: str) -> datetime | None:
        """When the notice reached its chat: its own message, or a catch-up that told it."""
        note = by_key.get(key)
        if note is None:
            return None
        if note.kind == "told":
            return arrival(str(note.payload.get("told_in")))
        row = row_of.get(note.id)
        if row is None or row.telegram_message_id is None:
            return None
        m = delivered.get((row.chat_id, row.telegram_message_id))
        return datetime.fromtimestamp(m["date"], UTC) if m else None

    owed = owed_d + owed_w + owed_c

    def done_at(key: str) -> datetime | None:
        """When what the notice asked for was done: the unit's submission, the case's
        answer, the week's report; None if never."""
        parsed = NoticeKey.parse(key)
        week = keys.weekly_asked(key)
        if parsed is not None and parsed.deadline_id is not None and parsed.unit_id is not None:
            return subs.get((parsed.deadline_id, parsed.unit_id))
        if parsed is not None and parsed.case_id is not None:
            return answered.get(parsed.case_id)
        return weeks.get((week[2], week[1])) if week else None

    def withdrawn(key: str) -> bool:
        """Whether the bot withdrew the notice unsent (or the catch-up that told it, the
        notice then marked owed again and done before it was told again)."""
        note = by_key.get(key) or by_key.get(keys.owed_again(key))
        if note is not None and note.kind in ("told", "owed"):
            return withdrawn(str(note.payload.get("told_in")))
        row = row_of.get(note.id) if note is not None else None
        return row is not None and row.status == "withdrawn"

    unsent = [o for o in owed if o.verdict == "owed" and arrival(o.key) is None]
    # owed, held back (the chat's budget, a retry, a dead process's claim) and withdrawn once
    # what it asked for was done: not lost, but late by the time it waited
    overtaken = [o for o in unsent if withdrawn(o.key) and done_at(o.key) is not None]
    lost_rule = [o for o in unsent if o not in overtaken]
    sent_not_owed = [o for o in owed if o.verdict == "not" and arrival(o.key) is not None]

    # the outbox: each notice planned for the window delivered once
    expected = [
        r
        for r in rows
        if r.kind == "notice"
        and r.status != "withdrawn"
        and _utc(r.not_before if r.status != "sent" else r.created_at) <= plan.end
    ]
    # and each reply kept with its turn (the people count the answers they waited for)
    replies = [r for r in rows if r.kind == "reply"]
    replies_unsent = [
        r
        for r in replies
        if not r.telegram_message_id or (r.chat_id, r.telegram_message_id) not in delivered
    ]
    lost_rows = [
        r
        for r in expected
        if not r.telegram_message_id or (r.chat_id, r.telegram_message_id) not in delivered
    ]
    claimed = {(r.chat_id, r.telegram_message_id) for r in rows if r.telegram_message_id}
    texts: dict[int, list[re.Pattern[str]]] = defaultdict(list)
    for r in rows:
        plain = re.sub(r"<[^>]+>", "", r.text)
        parts = [re.escape(p) for p in LIVE.split(plain)]
        texts[r.chat_id].append(re.compile(".+?".join(parts), re.S))
    copies = [
        (key, m)
        for key, m in delivered.items()
        if key not in claimed and any(p.fullmatch(m.get("text", "")) for p in texts[key[0]])
    ]
    doubled = [m for key, m in copies if key not in taken_unnoted]
    doubled_by_kill = [m for key, m in copies if key in taken_unnoted]
    answers: dict[tuple[int, int, str | None], list[tuple[int, int]]] = defaultdict(list)
    for said in sent:
        to = said.get("reply_to_message")
        if to and to["from"]["id"] != said["from"]["id"]:
            answer = (said["chat"]["id"], to["message_id"], said.get("text"))
            answers[answer].append((said["chat"]["id"], said["message_id"]))
    doubled_replies = [
        k for k, ks in answers.items() if len(ks) > 1 and not set(ks) & set(taken_unnoted)
    ]

    # wrongly sent: delivered after what it asked for was done, or after its schedule moved
    wrong: list[str] = []
    dues_now: dict[tuple[str, int], list[tuple[datetime, str]]] = defaultdict(list)
    for did, changes in moves.items():
        for at, new, _old in changes:
            dues_now[("deadline", did)].append((at, keys.schedule_stamp(new)))
    for note in notes.values():
        at = arrival(note.key)
        if at is None:
            continue
        parsed = NoticeKey.parse(note.key)
        late_by = plan.tolerance
        if parsed is not None and parsed.deadline_id is not None and parsed.unit_id is not None:
            sub = subs.get((parsed.deadline_id, parsed.unit_id))
            if sub is not None and at > sub + late_by:
                wrong.append(
                    f"{note.key} delivered {at:%m-%d %H:%M} after submission {sub:%m-%d %H:%M}"
                )
            for moved_at, stamp in dues_now.get(("deadline", parsed.deadline_id), []):
                if (
                    at > moved_at + late_by
                    and parsed.due != stamp
                    and _before_next(moves[parsed.deadline_id], moved_at, parsed.due)
                ):
                    wrong.append(
                        f"{note.key} delivered {at:%m-%d %H:%M} after the move "
                        f"{moved_at:%m-%d %H:%M}"
                    )
        if (
            parsed is not None
            and parsed.case_id is not None
            and parsed.event in ("remind", "escalate")
        ):
            done = answered.get(parsed.case_id)
            if done is not None and at > done + late_by:
                wrong.append(
                    f"{note.key} delivered {at:%m-%d %H:%M} after the answer {done:%m-%d %H:%M}"
                )
        w = keys.weekly_asked(note.key)
        if w:
            done_w = weeks.get((w[2], w[1]))
            if done_w is not None and at > done_w + late_by:
                wrong.append(
                    f"{note.key} delivered {at:%m-%d %H:%M} after the report {done_w:%m-%d %H:%M}"
                )
    wrong += [
        f"{o.key}: {o.why}, not owed" for o in sent_not_owed if not any(o.key in w for w in wrong)
    ]
    wrong = [f"{w}{_trail(w, by_key, row_of)}" for w in wrong]

    delays = []
    for r in expected:
        note = notes.get(r.notification_id)
        m = delivered.get((r.chat_id, r.telegram_message_id or 0))
        if note is None or m is None:
            continue
        delays.append(m["date"] - _utc(note.planned_for).timestamp())
    answered_presses = {a["callback_query_id"] for a in api.callback_answers}
    return {
        "owed": sum(o.verdict == "owed" for o in owed),
        "either": sum(o.verdict == "either" for o in owed),
        "not_owed": sum(o.verdict == "not" for o in owed),
        "lost_rule": lost_rule,
        "overtaken": [(o, (done_at(o.key) or o.at) - o.at) for o in overtaken],
        "expected": len(expected),
        "replies": len(replies),
        "replies_unsent": replies_unsent,
        "delivered": len(expected) - len(lost_rows),
        "lost": lost_rows,
        "doubled": doubled,
        "doubled_by_kill": doubled_by_kill,
        "taken_unnoted": len(taken_unnoted),
        "doubled_replies": doubled_replies,
        "wrong": wrong,
        "late": sum(1 for d in delays if d > plan.late.total_seconds()),
        "worst": max(delays, default=0.0),
        "withdrawn": sum(1 for r in rows if r.status == "withdrawn"),
        "steps": seen.steps,
        "flows": seen.flows,
        "unanswered": seen.unanswered,
        "answered_late": seen.answered_late,
        "unexpected": seen.unexpected,
        "presses": len(seen.presses),
        "presses_unanswered": [q for q in seen.presses if q not in answered_presses],
        "answer_worst": max(api.answer_delays, default=0.0),
        "late_answers": api.late_answers,
        "saved": saved,
        "units": len(units),
        "seen": seen,
    }


def _trail(line: str, by_key: dict[str, Notification], row_of: dict[int, OutboxMessage]) -> str:
    """How the outbox handled the notice a line names: planned, attempts, last error."""
    note = by_key.get(line.split(" ")[0].rstrip(":"))
    row = row_of.get(note.id) if note is not None and note.id is not None else None
    if note is None or row is None:
        return ""
    return (
        f" [planned {_utc(note.planned_for):%m-%d %H:%M}, queued {_utc(row.created_at):%m-%d %H:%M}"
        f", {row.attempts} attempts, last error {row.last_error!r}]"
    )


def _before_next(
    changes: list[tuple[datetime, datetime, datetime]], moved_at: datetime, due: str | None
) -> bool:
    """Whether a key's due stamp is one the deadline had before the move at `moved_at`."""
    return any(keys.schedule_stamp(old) == due for at, _new, old in changes if at == moved_at)


def saved_once(s: Any, seen: Seen, deadline_ids: dict[str, int]) -> dict[str, Any]:
    """What the people saw confirmed, against what the database holds, each once."""
    units = {u.name: u.id for u in s.exec(select(Unit))}
    subs = list(s.exec(select(Submission)))
    by = Counter((r.unit_id, r.deadline_id, r.report_name, r.period_start) for r in subs)
    have = {(r.unit_id, r.deadline_id) for r in subs if r.deadline_id is not None}
    lost = [
        f"{unit} {what}"
        for (unit, what) in seen.submitted
        if (units.get(unit), deadline_ids.get(what)) not in have
    ]
    feedback = Counter(f.case_id for f in s.exec(select(Feedback)))
    codes = {c.code: c.id for c in s.exec(select(ForwardedCase))}
    lost += [
        f"feedback {code}" for code in seen.answered_cases if feedback.get(codes.get(code)) is None
    ]
    events = Counter((e.action, e.entity_id) for e in s.exec(select(AuditEvent)))
    asks = Counter(
        e for (a, e), n in events.items() for _ in range(n) if a == "case.extension_asked"
    )
    decided = Counter(
        e
        for (a, e), n in events.items()
        for _ in range(n)
        if a in ("case.extension_approved", "case.extension_rejected")
    )
    doubled = [k for k, n in by.items() if n > 1]
    doubled += [f"feedback case {k}" for k, n in feedback.items() if n > 1]
    doubled += [f"closed item {e}" for (a, e), n in events.items() if a == "item.closed" and n > 1]
    doubled += [f"extension decisions case {e}" for e, n in decided.items() if n > asks.get(e, 0)]
    return {
        "submissions": len([r for r in subs if r.deadline_id is not None]),
        "weekly": len([r for r in subs if r.report_name]),
        "feedback": sum(feedback.values()),
        "closed": sum(n for (a, _), n in events.items() if a == "item.closed"),
        "extensions_decided": sum(decided.values()),
        "confirmed": len(seen.submitted)
        + sum(seen.weekly_done.values())
        + len(seen.answered_cases),
        "lost": lost,
        "doubled": doubled,
    }
