"""Every notice's idempotency key, made here and read here: the outbox's wire format.

A key is stored as text (`Notification.key`, unique) and its wire format must not change:
rows planned before a restart or an upgrade are matched by it; two spellings of one key
would lose or double a notice. The keys about a case or a deadline, which `NoticeKey`
reads back, by who makes them:

    case:{id}:posted:chat:{chat}                        the case card in the unit's group
    case:{id}:feedback:chat:{chat}                      the unit's answer, to the staff
    case:{id}:ext{n}:{moment}:chat:{chat}               an extension asked for (the n-th)
    case:{id}:ext_decided:{moment}:chat:{chat}          an extension approved or refused
    case:{id}:{due}:remind:{stage}:chat:{chat}          planner: the unit, on the due day
    case:{id}:{due}:escalate:chat:{chat}                planner: 催办 to the supervisors
    case:{id}:{due}:admins:chat:{chat}                  planner: 督办 to the admins
    case:{id}:{due}:daily:{day}:chat:{chat}             planner: the admins, each working day
    deadline:{id}:{due}:unit:{unit}:chat:{chat}:{stage} planner: countdown or overdue, a unit
    deadline:{id}:{due}:missing:chat:{chat}             planner: who has not submitted
    deadline:{id}:{due}:digest:{day}:chat:{chat}        planner: the daily digest

`{due}` is the schedule stamp (`20261105T100000Z`): a deadline or case moved to a new time
is planned afresh, and what waited for the old time is withdrawn. The other notices are not
about one case or deadline (`parse` answers None for them); their keys are made by the
functions at the end of this module:

    weekly:{report}:{day}:{prompt|remind}:unit:{unit}:chat:{chat}   the weekly prompt
    weekly:{report}:{day}:missing:chat:{chat}                       who has not reported
    weekly:{unit}:{period}:summary:chat:{chat}       a week reported in private, to the groups
    digest:{day}:chat:{chat}                         the weekly digest
    review:{month|quarter}:{first day}:chat:{chat}   the 月调度 or 季通报 of a period
    items:overdue:{day}:chat:{chat}                  items past their 办结时间
    checkpoint:{day}:chat:{chat}                     the 约谈名单 at a checkpoint
    item:{id}:closeout:v{version}:chat:{chat}        a close-out asked for, to the staff
    item:{id}:closed:chat:{chat} · item:{id}:rejected:v{version}:chat:{chat}   its decision
    catchup:chat:{chat}:{newest key}                 what a chat missed, in one message
    morning:chat:{chat}:{first key}                  a working morning's reminders, in one
    owed:{key}                                       a notice told in a catch-up withdrawn
                                                     before it went, still owed (`owed_again`)
    campaign:over:{ends}:admin:{admin}               the campaign is over, to each admin
    calendar.provisional:{year}:admin:{admin}        a year's working days are guessed
    chat.lost:{chat}:admin:{admin}                   the bot can no longer write in a chat
    draft:{user}:{chat}:{created}:{action}           a weekly draft closed for its owner
    notice:{id}:{sent|remind|supervisors}:chat:{chat}   a notice with its 已阅 button, its ladder
    leave:cover:{user}:{key}                         a unit's notice, to who covers a leave
    leave:{id}:{recorded|ended}:chat:{chat}          a leave told to the unit's groups
    leave:nobody:unit:{unit}:{since}:chat:{chat}     a unit with nobody present, to the staff
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum


class Subject(StrEnum):
    """What a notice is about."""

    CASE = "case"
    DEADLINE = "deadline"


# events of a key (the word after the subject, or after its due stamp)
POSTED = "posted"
FEEDBACK = "feedback"
EXTENSION = "ext"
EXTENSION_DECIDED = "ext_decided"
REMIND = "remind"
ESCALATE = "escalate"
ADMINS = "admins"
DAILY = "daily"
UNIT = "unit"
MISSING_UNITS = "missing"
DIGEST = "digest"

CASE_POSTED = "case.posted"  # the Notification.kind of a case card posted to a unit's group


def schedule_of(subject: Subject, subject_id: int) -> str:
    """What a due stamp is kept for: `case:11`, `deadline:7`."""
    return f"{subject}:{subject_id}"


def schedule_stamp(due: datetime) -> str:
    """The due time a key is planned for, in UTC and compact: `20261105T100000Z`."""
    return due.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def in_chat(key: str, chat_id: int) -> str:
    """A notice's key in one chat: one notification a chat, made once."""
    return f"{key}:chat:{chat_id}"


def case_notice(case_id: int, event: str, *, on: str | None = None, n: int | None = None) -> str:
    """The key of a notice bot/ posts about a case (posted, feedback, an extension asked for or
    decided at the moment `on`), before its chat part: `Notice.key`."""
    head = f"{Subject.CASE}:{case_id}"
    if event == EXTENSION:
        return f"{head}:ext{n}:{on}"
    if event == EXTENSION_DECIDED:
        return f"{head}:{EXTENSION_DECIDED}:{on}"
    return f"{head}:{event}"


@dataclass(frozen=True)
class NoticeKey:
    """One notice's key, read: what it is about, which event, for which chat and schedule."""

    subject: Subject
    subject_id: int
    event: str
    chat_id: int
    due: str | None = None  # the schedule stamp of a planner key
    stage: str | None = None  # remind: morning/before; a deadline's unit: r3600, overdue…
    unit_id: int | None = None
    on: str | None = None  # the day (digest, daily) or the moment (extensions), as written
    n: int | None = None  # which extension

    @property
    def text(self) -> str:
        """The key as stored."""
        chat = f"chat:{self.chat_id}"
        if self.due is None:  # only a case's notices have no schedule
            notice = case_notice(self.subject_id, self.event, on=self.on, n=self.n)
            return in_chat(notice, self.chat_id)
        head = f"{self.schedule}:{self.due}"
        if self.event == REMIND:
            return f"{head}:{REMIND}:{self.stage}:{chat}"
        if self.event in (DAILY, DIGEST):
            return f"{head}:{self.event}:{self.on}:{chat}"
        if self.event == UNIT:
            return f"{head}:{UNIT}:{self.unit_id}:{chat}:{self.stage}"
        return f"{head}:{self.event}:{chat}"

    @property
    def schedule(self) -> str:
        """What a due stamp is kept for: `case:11`, `deadline:7`."""
        return schedule_of(self.subject, self.subject_id)

    @property
    def case_id(self) -> int | None:
        """The case it is about, if a case."""
        return self.subject_id if self.subject is Subject.CASE else None

    @property
    def deadline_id(self) -> int | None:
        """The deadline it is about, if a deadline."""
        return self.subject_id if self.subject is Subject.DEADLINE else None

    # --- the notices bot/ posts when something happens to a case
    @classmethod
    def case_posted(cls, case_id: int, chat_id: int) -> NoticeKey:
        """The case card, posted to one of the unit's groups."""
        return cls(Subject.CASE, case_id, POSTED, chat_id)

    # --- the planner's, each for the due time it was planned for
    @classmethod
    def case_remind(cls, case_id: int, due: datetime, stage: str, chat_id: int) -> NoticeKey:
        """The unit reminded on the due day (`morning`, `before`)."""
        return cls(Subject.CASE, case_id, REMIND, chat_id, schedule_stamp(due), stage)

    @classmethod
    def case_escalate(cls, case_id: int, due: datetime, chat_id: int) -> NoticeKey:
        """催办: the supervisors told the case is overdue."""
        return cls(Subject.CASE, case_id, ESCALATE, chat_id, schedule_stamp(due))

    @classmethod
    def case_admins(cls, case_id: int, due: datetime, chat_id: int) -> NoticeKey:
        """督办: the admins told, a working day after the due time."""
        return cls(Subject.CASE, case_id, ADMINS, chat_id, schedule_stamp(due))

    @classmethod
    def case_daily(cls, case_id: int, due: datetime, day: date, chat_id: int) -> NoticeKey:
        """The admins told again on a working day."""
        return cls(Subject.CASE, case_id, DAILY, chat_id, schedule_stamp(due), on=day.isoformat())

    @classmethod
    def deadline_unit(
        cls, deadline_id: int, due: datetime, unit_id: int, chat_id: int, stage: str
    ) -> NoticeKey:
        """A unit's countdown (`r3600`…) or overdue notice, in one of its groups."""
        stamp = schedule_stamp(due)
        return cls(Subject.DEADLINE, deadline_id, UNIT, chat_id, stamp, stage, unit_id)

    @classmethod
    def deadline_missing(cls, deadline_id: int, due: datetime, chat_id: int) -> NoticeKey:
        """The supervisors told who has not submitted."""
        return cls(Subject.DEADLINE, deadline_id, MISSING_UNITS, chat_id, schedule_stamp(due))

    @classmethod
    def deadline_digest(cls, deadline_id: int, due: datetime, day: date, chat_id: int) -> NoticeKey:
        """The daily digest of a deadline past due."""
        stamp = schedule_stamp(due)
        return cls(Subject.DEADLINE, deadline_id, DIGEST, chat_id, stamp, on=day.isoformat())

    @classmethod
    def parse(cls, key: str) -> NoticeKey | None:
        """The key read back; None for a key not about one case or deadline, or not one of ours."""
        for pattern, event in _SHAPES:
            found = pattern.fullmatch(key)
            if found is None:
                continue
            g = found.groupdict()
            return cls(
                Subject(g["subject"]),
                int(g["id"]),
                g.get("event") or event,
                int(g["chat"]),
                due=g.get("due"),
                stage=g.get("stage"),
                unit_id=int(g["unit"]) if g.get("unit") else None,
                on=g.get("on"),
                n=int(g["n"]) if g.get("n") else None,
            )
        return None


_ID = r"(?P<id>\d+)"
_CHAT = r"chat:(?P<chat>-?\d+)"
_DUE = r"(?P<due>\d{8}T\d{6}Z)"
_DAY = r"(?P<on>\d{4}-\d{2}-\d{2})"
_CASE = rf"(?P<subject>case):{_ID}"
_DEADLINE = rf"(?P<subject>deadline):{_ID}"
_EVENTS: tuple[tuple[str, str], ...] = (  # (pattern, event when the pattern names none)
    (rf"{_CASE}:(?P<event>{POSTED}|{FEEDBACK}):{_CHAT}", ""),
    (rf"{_CASE}:ext(?P<n>\d+):(?P<on>[^:].*):{_CHAT}", EXTENSION),
    (rf"{_CASE}:{EXTENSION_DECIDED}:(?P<on>[^:].*):{_CHAT}", EXTENSION_DECIDED),
    (rf"{_CASE}:{_DUE}:{REMIND}:(?P<stage>\w+):{_CHAT}", REMIND),
    (rf"{_CASE}:{_DUE}:(?P<event>{ESCALATE}|{ADMINS}):{_CHAT}", ""),
    (rf"{_CASE}:{_DUE}:{DAILY}:{_DAY}:{_CHAT}", DAILY),
    (rf"{_DEADLINE}:{_DUE}:{UNIT}:(?P<unit>\d+):{_CHAT}:(?P<stage>\w+)", UNIT),
    (rf"{_DEADLINE}:{_DUE}:{MISSING_UNITS}:{_CHAT}", MISSING_UNITS),
    (rf"{_DEADLINE}:{_DUE}:{DIGEST}:{_DAY}:{_CHAT}", DIGEST),
)
_SHAPES = tuple((re.compile(p), event) for p, event in _EVENTS)


# --- the keys of notices not about one case or deadline


def reminder_stage(before: timedelta) -> str:
    """A countdown stage of a deadline, by how long before it is due: `r86400`."""
    return f"r{int(before.total_seconds())}"


def weekly_stage(report: int, day: date, stage: str, unit_id: int, chat_id: int) -> str:
    """The weekly report's prompt or reminder (`stage`) to one unit, in one of its groups."""
    return in_chat(f"weekly:{report}:{day.isoformat()}:{stage}:unit:{unit_id}", chat_id)


def weekly_asked(key: str) -> tuple[int, date, int] | None:
    """A weekly prompt's or reminder's key read back: (report, day, unit); None for others."""
    found = _WEEKLY_STAGE.fullmatch(key)
    if found is None:
        return None
    return int(found[1]), date.fromisoformat(found[2]), int(found[3])


_WEEKLY_STAGE = re.compile(
    r"weekly:(\d+):(\d{4}-\d\d-\d\d):(?:prompt|remind):unit:(\d+):chat:-?\d+"
)
_WEEKLY_TARGET = re.compile(r"(weekly:\d+:\d{4}-\d\d-\d\d):(?:prompt|remind):(unit:\d+:chat:-?\d+)")


def stage_target(key: str) -> str | None:
    """What the stages of one staged notice share (its key without the stage): a deadline's
    countdown and overdue notice to a unit in a chat, a week's prompt and reminder, a case's
    reminders to its unit; None for a notice that has no stages."""
    notice = NoticeKey.parse(key)
    if notice is not None and notice.event in (UNIT, REMIND):
        return replace(notice, stage="").text
    week = _WEEKLY_TARGET.fullmatch(key)
    return f"{week[1]}::{week[2]}" if week is not None else None


def weekly_missing(report: int, day: date, chat_id: int) -> str:
    """The supervisors told who has not reported the week."""
    return in_chat(f"weekly:{report}:{day.isoformat()}:missing", chat_id)


def weekly_summary(unit_id: int, period: date, chat_id: int) -> str:
    """A week reported in private, summed up in one of the unit's groups, once."""
    return in_chat(f"weekly:{unit_id}:{period.isoformat()}:summary", chat_id)


def corrected(submission_id: int, at: datetime) -> str:
    """A submitted week's or deliverable's correction (its one 已更正 line), made at `at`."""
    return f"correction:{submission_id}:{at.isoformat()}"


def correction_request(request_id: int) -> str:
    """A correction asked after the deadline, to the supervisors."""
    return f"correction:request:{request_id}"


def correction_decided(request_id: int) -> str:
    """The decision on a correction request, to the unit's groups."""
    return f"correction:decided:{request_id}"


def digest_key(day: date, chat_id: int) -> str:
    """The weekly digest of a reporting week, to one supervisors' chat."""
    return in_chat(f"digest:{day.isoformat()}", chat_id)


def review(kind: str, start: date, chat_id: int) -> str:
    """The monthly 调度 or the quarterly 通报 of the period starting `start`, to one chat."""
    return in_chat(f"review:{kind}:{start.isoformat()}", chat_id)


def items_overdue(day: date, chat_id: int) -> str:
    """The items that became overdue before `day`, to one supervisors' chat."""
    return in_chat(f"items:overdue:{day.isoformat()}", chat_id)


def item_closeout(item_id: int, version: int) -> str:
    """A close-out asked for (the item at `version`), before its chat part."""
    return f"item:{item_id}:closeout:v{version}"


def item_closed(item_id: int) -> str:
    """A close-out approved, to the unit, before its chat part."""
    return f"item:{item_id}:closed"


def item_rejected(item_id: int, version: int) -> str:
    """A close-out rejected (the item's version after it), before its chat part."""
    return f"item:{item_id}:rejected:v{version}"


def catch_up_key(chat_id: int, newest: str) -> str:
    """What a chat missed, in one message, named by the newest notice it tells."""
    return f"catchup:chat:{chat_id}:{newest}"


OWED_AGAIN = "owed:"


def owed_again(key: str) -> str:
    """The mark of a notice told in a catch-up that was withdrawn unsent while it was still
    owed: its key is free again, and the planner tells it even if a later stage has come."""
    return f"{OWED_AGAIN}{key}"


def owed_again_of(mark: str) -> str | None:
    """The notice an `owed_again` mark is about; None for any other key."""
    return mark.removeprefix(OWED_AGAIN) if mark.startswith(OWED_AGAIN) else None


def morning(chat_id: int, first: str) -> str:
    """A working morning's reminders to a chat, in one message, named by the first it tells
    (unique, as that key is planned once; a chat told again later that day gets another)."""
    return f"morning:chat:{chat_id}:{first}"


def to_admin(key: str, admin_id: int) -> str:
    """A notice's key for one admin's private chat."""
    return f"{key}:admin:{admin_id}"


def campaign_over(ends: datetime, admin_id: int) -> str:
    """The campaign is over, told once to an admin."""
    return to_admin(f"campaign:over:{schedule_stamp(ends)}", admin_id)


def provisional_year(year: int) -> str:
    """A year's working days are only guessed, told once to each admin (`to_admin`)."""
    return f"calendar.provisional:{year}"


def chat_lost(chat_id: int, admin_id: int) -> str:
    """The bot can no longer write in a chat, told once to an admin."""
    return to_admin(f"chat.lost:{chat_id}", admin_id)


def draft_closed(user_id: int, chat_id: int, created: datetime, action: str) -> str:
    """A weekly draft closed (expired, taken over), told once to its owner."""
    return f"draft:{user_id}:{chat_id}:{created.isoformat()}:{action}"


def checkpoint(day: date, chat_id: int) -> str:
    """The 约谈名单 of the checkpoint of `day`, to one supervisors' chat."""
    return in_chat(f"checkpoint:{day.isoformat()}", chat_id)


def urged(unit_id: int, day: date) -> str:
    """A supervisor's 催办 of a unit on a working day, before its chat part."""
    return f"urge:unit:{unit_id}:{day.isoformat()}"


def notice(notice_id: int, stage: str, chat_id: int) -> str:
    """A notice with its 已阅 button in one chat: `sent` to a unit's group, its one `remind`,
    or the `supervisors` told who has not read it."""
    return in_chat(f"notice:{notice_id}:{stage}", chat_id)


def notice_reminded(notice_id: int, key: str) -> bool:
    """Whether `key` is a reminder of the notice (`notice`'s `remind` stage, in any chat)."""
    return key.startswith(f"notice:{notice_id}:remind:")


def leave_cover(key: str, user_id: int) -> str:
    """A notice to a unit, sent too to the private chat of one who covers a liaison's leave."""
    return f"leave:cover:{user_id}:{key}"


def leave_nobody(unit_id: int, since: datetime, chat_id: int) -> str:
    """A unit whose liaisons are all away, told once for the stretch beginning at `since`."""
    return in_chat(f"leave:nobody:unit:{unit_id}:{schedule_stamp(since)}", chat_id)


def leave_told(leave_id: int, event: str, chat_id: int) -> str:
    """A leave `recorded` or `ended` early, told once to one of the unit's groups."""
    return in_chat(f"leave:{leave_id}:{event}", chat_id)
