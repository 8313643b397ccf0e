"""The planner: which reminders and escalations are due now, each with its idempotency key.

It is a pure function of the campaign's state and the time. It is run every few seconds and
at start-up; the keys make each notification happen once, however often it runs. After
downtime only the latest missed stage of each (deadline, unit) is planned, marked late.
The keys of a deadline or a case name the due time they were planned for
(`deadline:7:20261105T100000Z:…`): moved, it is planned again for its new time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from workflows.buttons import Verb, callback_data
from workflows.calendar import WorkCalendar
from workflows.cases import CaseRules
from workflows.keys import NoticeKey, Subject, schedule_stamp
from workflows.messages import Lines, Msg, msg
from workflows.periods import CampaignSpan, reporting_day

GRACE = timedelta(minutes=10)  # a stage planned later than this after its time is "late"
CATCHUP_BUTTONS = 8
MORNING = time(8, 0)
DIGEST_AT = time(9, 0)


@dataclass(frozen=True)
class QuietHours:
    """Non-urgent messages wait from `start` until `end` (local time)."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    def release(self, at: datetime, tz: tzinfo) -> datetime:
        """`at`, or the end of the quiet hours it falls in."""
        local = at.astimezone(tz)
        t = local.time()
        if self.start <= t or t < self.end:
            day = local.date() + timedelta(days=1) if t >= self.start else local.date()
            return datetime.combine(day, self.end, tzinfo=tz)
        return at


@dataclass(frozen=True)
class UnitTarget:
    """A unit and the group chats bound to it."""

    unit_id: int
    name: str
    chats: tuple[int, ...]


@dataclass(frozen=True)
class DeadlineState:
    """A deliverable, the units it applies to, and those that submitted it."""

    deadline_id: int
    deliverable: str
    due_at: datetime
    created_at: datetime
    units: frozenset[int]
    submitted: frozenset[int]


@dataclass(frozen=True)
class WeeklyState:
    """A weekly report and which units submitted it for which reporting day."""

    index: int
    name: str
    weekday: int
    at: time
    submitted: frozenset[tuple[int, date]]


@dataclass(frozen=True)
class CaseState:
    """An open forwarded case (not yet answered)."""

    case_id: int
    code: str
    unit_id: int
    due_at: datetime
    summary: str


@dataclass(frozen=True)
class ItemState:
    """A ledger item not closed out, with its 办结时间."""

    item_id: int
    code: str
    name: str
    unit_id: int
    due_on: date


@dataclass(frozen=True)
class PlannerState:
    """Everything the planner reads."""

    tz: tzinfo
    reminders: tuple[timedelta, ...]
    units: Mapping[int, UnitTarget]
    deadlines: tuple[DeadlineState, ...] = ()
    weekly: tuple[WeeklyState, ...] = ()
    supervisors: tuple[int, ...] = ()
    admins: tuple[int, ...] = ()
    planned: frozenset[str] = frozenset()
    quiet: QuietHours = field(default_factory=QuietHours)
    cases: tuple[CaseState, ...] = ()
    case_rules: CaseRules = field(default_factory=CaseRules)
    items: tuple[ItemState, ...] = ()  # open items due in the last fortnight
    span: CampaignSpan = field(default_factory=lambda: CampaignSpan(None, None))


@dataclass(frozen=True)
class Planned:
    """One message to one chat, sent once: its key, when it may go, and what it says."""

    key: str
    kind: str
    chat_id: int
    message: Msg
    not_before: datetime
    buttons: tuple[tuple[Msg, str], ...] = ()
    late: bool = False
    stage_at: datetime | None = None  # the moment the stage was due (for catch-up order)
    absorbs: tuple[str, ...] = ()  # keys of the notifications this one tells in their place


class _Plan:
    def __init__(self, state: PlannerState, now: datetime) -> None:
        self.state, self.now = state, now
        self.out: list[Planned] = []
        self.order = {unit_id: i for i, unit_id in enumerate(state.units)}

    def add(
        self,
        key: str,
        kind: str,
        chat: int,
        message: Msg,
        *,
        urgent: bool = False,
        stage_at: datetime | None = None,
        buttons: tuple[tuple[Msg, str], ...] = (),
    ) -> None:
        if key in self.state.planned:
            return
        late = stage_at is not None and self.now - stage_at > GRACE  # only for new keys
        if late:
            message = msg("notify.late", body=message)
        not_before = self.now if urgent else self.state.quiet.release(self.now, self.state.tz)
        self.out.append(
            Planned(key, kind, chat, message, not_before, buttons, late, stage_at or self.now)
        )


def schedule_of(key: str) -> tuple[str, str] | None:
    """(`deadline:7` or `case:11`, its due stamp) of a planner key; None for any other key."""
    notice = NoticeKey.parse(key)
    return (notice.schedule, notice.due) if notice is not None and notice.due else None


def schedules(state: PlannerState) -> dict[str, str]:
    """The due stamp each deadline and open case is planned for now (`NoticeKey.schedule`)."""
    out = {f"{Subject.DEADLINE}:{d.deadline_id}": schedule_stamp(d.due_at) for d in state.deadlines}
    out.update({f"{Subject.CASE}:{c.case_id}": schedule_stamp(c.due_at) for c in state.cases})
    return out


def _chats_of(state: PlannerState, unit_ids: Iterable[int]) -> Iterator[tuple[int, int]]:
    """(unit, chat) for every group chat bound to these units."""
    for unit_id in unit_ids:
        target = state.units.get(unit_id)
        for chat in target.chats if target else ():
            yield unit_id, chat


def due_notifications(state: PlannerState, *, now: datetime, cal: WorkCalendar) -> list[Planned]:
    """Every notification whose time has come and that was not planned before."""
    if state.span.over(now):  # every phase and deadline behind us: only the admins hear so
        return _campaign_over(state, now)
    plan = _Plan(state, now)
    for deadline in state.deadlines:
        _deadline(plan, deadline, cal)
    for report in state.weekly:
        _weekly(plan, report)
    for case in state.cases:
        _case(plan, case, cal)
    _overdue_items(plan, cal)
    return catch_up(plan.out)


def _campaign_over(state: PlannerState, now: datetime) -> list[Planned]:
    """Once, to each admin: the campaign is over, so no reminder or catch-up goes out."""
    ends = state.span.ends_at
    if ends is None:
        return []
    stamp = ends.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = [
        Planned(
            f"campaign:over:{stamp}:admin:{admin}",
            "campaign.over",
            admin,
            msg("notify.campaign_over", ends=ends),
            now,
        )
        for admin in state.admins
    ]
    return [p for p in out if p.key not in state.planned]


def catch_up(planned: list[Planned]) -> list[Planned]:
    """At most one message per chat and moment: what a chat missed comes as one list.

    After downtime, or when a group is bound late, a chat would otherwise get a message for
    every stage it missed, each spending its budget. Newest first; each folded notification
    keeps its key (recorded as told), so none is planned again.
    """
    groups: dict[tuple[int, datetime], list[Planned]] = {}
    for p in planned:
        groups.setdefault((p.chat_id, p.not_before), []).append(p)
    out: list[Planned] = []
    for (chat, not_before), found in groups.items():
        if len(found) == 1 or not any(p.late for p in found):
            out += found
            continue
        newest = sorted(found, key=lambda p: p.stage_at or p.not_before, reverse=True)
        lines_: list[Msg | str] = []
        buttons: list[tuple[Msg, str]] = []
        for n, p in enumerate(newest, 1):
            lines_.append(msg("notify.catchup_line", n=n, body=_unlate(p.message)))
            buttons += [(msg("notify.catchup_button", n=n, label=b), d) for b, d in p.buttons]
        out.append(
            Planned(
                f"catchup:chat:{chat}:{newest[0].key}",
                "catchup",
                chat,
                msg("notify.catchup", count=len(newest), items=Lines(lines_)),
                not_before,
                tuple(buttons[:CATCHUP_BUTTONS]),
                late=True,
                absorbs=tuple(p.key for p in newest),
            )
        )
    return out


def _unlate(message: Msg) -> Msg:
    """The body of a "（补发）…" message: the catch-up list says it once for all."""
    return message.params["body"] if message.id == "notify.late" else message


def _overdue_items(plan: _Plan, cal: WorkCalendar) -> None:
    """Each working day at 09:00, the items that became overdue since the previous one."""
    state, now = plan.state, plan.now
    today = now.astimezone(state.tz).date()
    if not state.items or not cal.is_workday(today) or now.astimezone(state.tz).time() < DIGEST_AT:
        return
    previous = today - timedelta(days=1)
    while not cal.is_workday(previous) and previous > today - timedelta(days=30):
        previous -= timedelta(days=1)
    fresh = sorted(
        (i for i in state.items if previous <= i.due_on < today),
        key=lambda i: (plan.order.get(i.unit_id, 0), i.code),
    )
    if not fresh:
        return
    shown = [
        msg(
            "items.overdue_line",
            code=i.code,
            name=i.name,
            unit=state.units[i.unit_id].name if i.unit_id in state.units else "",
            due=i.due_on,
        )
        for i in fresh[:50]
    ]
    more = msg("items.overdue_more", count=len(fresh) - 50) if len(fresh) > 50 else ""
    for chat in state.supervisors:
        plan.add(
            f"items:overdue:{today.isoformat()}:chat:{chat}",
            "items.overdue",
            chat,
            msg("items.overdue", count=len(fresh), items=Lines(shown), more=more),
        )


@dataclass(frozen=True)
class LiveLeft(Msg):
    """`time_left` as of planning, to be said again as of sending: a held message stays true."""

    due: datetime | None = None


def live_left(due: datetime, now: datetime) -> Msg:
    """The time left until `due`, rendered again when the message is sent."""
    left = time_left(due, now)
    return LiveLeft(left.id, left.params, due=due)


def time_left(due: datetime, now: datetime) -> Msg:
    """`还有3天4小时`, `还有2小时5分`, or `已逾期…`."""
    delta = due - now
    overdue = delta < timedelta(0)
    delta = abs(delta)
    days, rest = divmod(int(delta.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = msg("span.days_hours", days=days, hours=hours)
    elif hours:
        span = msg("span.hours_minutes", hours=hours, minutes=minutes)
    else:
        span = msg("span.minutes", minutes=max(minutes, 0 if overdue else 1))
    return msg("span.overdue" if overdue else "span.left", span=span)


def _deadline(plan: _Plan, d: DeadlineState, cal: WorkCalendar) -> None:
    state, now = plan.state, plan.now
    missing = sorted(d.units - d.submitted, key=lambda u: plan.order.get(u, len(plan.order)))
    if not missing:
        return
    did, due = d.deadline_id, d.due_at
    if now < d.due_at:
        stages = [(d.due_at - off, off) for off in state.reminders if d.due_at - off <= now]
        if not stages:
            return
        stage_at, offset = max(stages)
        stage = f"r{int(offset.total_seconds())}"
        text = msg(
            "deadline.reminder",
            deliverable=d.deliverable,
            due=d.due_at,
            left=live_left(d.due_at, now),
        )
        button = ((msg("deadline.button.submit"), callback_data(Verb.SUBMIT, d.deadline_id)),)
        for unit_id, chat in _chats_of(state, missing):
            plan.add(
                NoticeKey.deadline_unit(did, due, unit_id, chat, stage).text,
                "deadline.reminder",
                chat,
                text,
                stage_at=stage_at if stage_at >= d.created_at else None,
                buttons=button,
            )
        return
    names = [state.units[u].name for u in missing if u in state.units]
    for unit_id, chat in _chats_of(state, missing):
        plan.add(
            NoticeKey.deadline_unit(did, due, unit_id, chat, "overdue").text,
            "deadline.overdue",
            chat,
            msg("deadline.overdue", deliverable=d.deliverable, due=d.due_at),
            urgent=True,
            stage_at=d.due_at,
            buttons=((msg("deadline.button.submit"), callback_data(Verb.SUBMIT, d.deadline_id)),),
        )
    for chat in state.supervisors:
        plan.add(
            NoticeKey.deadline_missing(did, due, chat).text,
            "deadline.missing",
            chat,
            msg("deadline.missing", deliverable=d.deliverable, due=d.due_at, units=names),
            urgent=True,
            stage_at=d.due_at,
        )
    day = _latest_working_morning(d.due_at.astimezone(state.tz).date(), now, state.tz, cal)
    if day is not None:
        for chat in state.supervisors:
            plan.add(
                NoticeKey.deadline_digest(did, due, day, chat).text,
                "deadline.digest",
                chat,
                msg(
                    "deadline.digest",
                    deliverable=d.deliverable,
                    due=d.due_at,
                    units=names,
                    days=cal.working_days_between(d.due_at.astimezone(state.tz).date(), day),
                ),
            )


def _weekly(plan: _Plan, r: WeeklyState) -> None:
    state, now = plan.state, plan.now
    day = reporting_day(r.weekday, now, state.tz)
    if not state.span.started(day):  # no weekly report before the campaign begins
        return
    start = datetime.combine(day, MORNING, tzinfo=state.tz)
    due = datetime.combine(day, r.at, tzinfo=state.tz)
    if now < start:
        return
    ref = f"weekly:{r.index}:{day.isoformat()}"
    missing = [u for u in state.units if (u, day) not in r.submitted]
    if now < due:
        remind_at = due - timedelta(hours=2)
        stage, stage_at = ("remind", remind_at) if now >= remind_at else ("prompt", start)
        text = msg(f"weekly.{stage}", name=r.name, due=due, left=live_left(due, now))
        button = (
            (msg("weekly.button.start"), callback_data(Verb.WEEKLY, r.index)),
            (msg("weekly_form.button"), callback_data(Verb.WFORM, r.index)),
        )
        for unit_id, chat in _chats_of(state, missing):
            plan.add(
                f"{ref}:{stage}:unit:{unit_id}:chat:{chat}",
                f"weekly.{stage}",
                chat,
                text,
                stage_at=stage_at,
                buttons=button,
            )
        return
    if missing:
        names = [state.units[u].name for u in missing]
        for chat in state.supervisors:
            plan.add(
                f"{ref}:missing:chat:{chat}",
                "weekly.missing",
                chat,
                msg("weekly.missing", name=r.name, due=due, units=names),
                urgent=True,
                stage_at=due,
            )


def _latest_working_morning(
    after: date, now: datetime, tz: tzinfo, cal: WorkCalendar
) -> date | None:
    """The latest working day after `after` whose 09:00 has passed."""
    local = now.astimezone(tz)
    day = local.date() if local.time() >= DIGEST_AT else local.date() - timedelta(days=1)
    while day > after:
        if cal.is_workday(day):
            return day
        day -= timedelta(days=1)
    return None


def _case(plan: _Plan, c: CaseState, cal: WorkCalendar) -> None:
    """Remind the unit on the due day; at the due time tell the supervisors (催办), even at
    night; a working day later the admins (督办), then each working day at 09:00."""
    state, now, rules = plan.state, plan.now, plan.state.case_rules
    cid, due = c.case_id, c.due_at
    target = state.units.get(c.unit_id)
    due_local = c.due_at.astimezone(state.tz)
    if now < c.due_at:
        morning = datetime.combine(due_local.date(), rules.morning, tzinfo=state.tz)
        stages = [
            (t, name)
            for t, name in ((morning, "morning"), (c.due_at - rules.before, "before"))
            if t <= now and t < c.due_at
        ]
        if not stages:
            return
        stage_at, stage = max(stages)
        text = msg(
            "case.remind",
            code=c.code,
            due=c.due_at,
            left=live_left(c.due_at, now),
            summary=c.summary,
        )
        for chat in target.chats if target else ():
            plan.add(
                NoticeKey.case_remind(cid, due, stage, chat).text,
                "case.remind",
                chat,
                text,
                stage_at=stage_at,
                buttons=((msg("case.button.feedback"), callback_data(Verb.FB, c.case_id)),),
            )
        return
    unit = target.name if target else ""
    for chat in state.supervisors:
        plan.add(
            NoticeKey.case_escalate(cid, due, chat).text,
            "case.escalate",
            chat,
            msg("case.escalate", code=c.code, unit=unit, due=c.due_at, summary=c.summary),
            urgent=True,
            stage_at=c.due_at,
        )
    admins_day = cal.add_working_days(due_local.date(), rules.admins_after)
    admins_at = datetime.combine(admins_day, due_local.timetz())
    if now < admins_at:
        return
    days = cal.working_days_between(due_local.date(), now.astimezone(state.tz).date())
    day = _latest_working_morning(admins_day, now, state.tz, cal)
    for chat in state.admins:
        first = NoticeKey.case_admins(cid, due, chat).text
        # Only the latest stage of the ladder: after downtime, or for a case imported long
        # overdue, the admins get one 督办, in the first one's words if none went out before.
        kind = "case.daily" if day is not None and first in state.planned else "case.admins"
        plan.add(
            first if day is None else NoticeKey.case_daily(cid, due, day, chat).text,
            kind,
            chat,
            msg(kind, code=c.code, unit=unit, due=c.due_at, days=days, summary=c.summary),
            stage_at=admins_at if day is None else None,
        )
