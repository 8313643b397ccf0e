"""Notice keys: every shape the bot stores, built and read back, in its unchanged wire format."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.casework.cases import CaseNow
from workflows.casework.extension import ask_extension, decide_extension
from workflows.casework.feedback import give_feedback
from workflows.keys import (
    CASE_POSTED,
    EXTENSION,
    EXTENSION_DECIDED,
    FEEDBACK,
    NoticeKey,
    Subject,
    schedule_stamp,
)
from workflows.outcome import Refused

DUE = datetime(2026, 11, 24, 18, 0, tzinfo=timezone(timedelta(hours=8)))
AT = datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=UTC)
GROUP = -1001234567890

SHAPES = [
    (NoticeKey.case_posted(11, GROUP), f"case:11:posted:chat:{GROUP}"),
    (NoticeKey(Subject.CASE, 11, FEEDBACK, 42), "case:11:feedback:chat:42"),
    (
        NoticeKey(Subject.CASE, 11, EXTENSION, 42, on=AT.isoformat(), n=2),
        "case:11:ext2:2026-11-20T09:30:15.123456+00:00:chat:42",
    ),
    (
        NoticeKey(Subject.CASE, 11, EXTENSION_DECIDED, GROUP, on=AT.isoformat()),
        f"case:11:ext_decided:2026-11-20T09:30:15.123456+00:00:chat:{GROUP}",
    ),
    (
        NoticeKey.case_remind(11, DUE, "morning", GROUP),
        f"case:11:20261124T100000Z:remind:morning:chat:{GROUP}",
    ),
    (NoticeKey.case_escalate(11, DUE, 42), "case:11:20261124T100000Z:escalate:chat:42"),
    (NoticeKey.case_admins(11, DUE, 42), "case:11:20261124T100000Z:admins:chat:42"),
    (
        NoticeKey.case_daily(11, DUE, date(2026, 11, 26), 42),
        "case:11:20261124T100000Z:daily:2026-11-26:chat:42",
    ),
    (
        NoticeKey.deadline_unit(7, DUE, 3, GROUP, "r86400"),
        f"deadline:7:20261124T100000Z:unit:3:chat:{GROUP}:r86400",
    ),
    (
        NoticeKey.deadline_unit(7, DUE, 3, GROUP, "overdue"),
        f"deadline:7:20261124T100000Z:unit:3:chat:{GROUP}:overdue",
    ),
    (NoticeKey.deadline_missing(7, DUE, 42), "deadline:7:20261124T100000Z:missing:chat:42"),
    (
        NoticeKey.deadline_digest(7, DUE, date(2026, 11, 25), 42),
        "deadline:7:20261124T100000Z:digest:2026-11-25:chat:42",
    ),
]


@pytest.mark.parametrize(("key", "text"), SHAPES, ids=[t for _, t in SHAPES])
def test_every_shape_is_written_as_before_and_read_back(key: NoticeKey, text: str) -> None:
    assert key.text == text
    assert NoticeKey.parse(text) == key


def test_a_key_names_its_case_or_deadline_and_its_schedule() -> None:
    case = NoticeKey.parse(f"case:11:posted:chat:{GROUP}")
    deadline = NoticeKey.parse("deadline:7:20261124T100000Z:missing:chat:42")
    assert case is not None and deadline is not None
    assert (case.subject, case.case_id, case.deadline_id, case.chat_id) == (
        Subject.CASE,
        11,
        None,
        GROUP,
    )
    assert (deadline.case_id, deadline.deadline_id, deadline.schedule) == (None, 7, "deadline:7")
    assert case.due is None and deadline.due == schedule_stamp(DUE) == "20261124T100000Z"
    assert CASE_POSTED == "case.posted"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "case",
        "case:x:posted:chat:1",
        "case:11:posted:chat:",
        "case:11:posted:chat:1:extra",
        "case:11:moved:chat:1",
        "case:11:20261124T100000Z:remind:chat:1",
        "deadline:7:2026-11-24:missing:chat:1",
        "deadline:7:20261124T100000Z:unit:x:chat:1:r60",
        "weekly:0:2026-11-23:prompt:unit:3:chat:1",
        "item:5:closeout:v2:chat:1",
        "campaign:over:20261124T100000Z:admin:1",
        "catchup:chat:1:case:11:posted:chat:1",
        "morning:chat:1:deadline:7:20261124T100000Z:digest:2026-11-25:chat:1",
        "draft:1:2:2026-11-20T09:30:00+00:00:draft.expired",
    ],
)
def test_other_keys_and_junk_are_none(junk: str) -> None:
    assert NoticeKey.parse(junk) is None


def test_the_use_cases_notices_about_a_case_are_read_back_as_that_case() -> None:
    case = CaseNow(11, "ZB-0011", "轮台县", answered=False, due_at=AT, fields={})
    asked = ask_extension(case, reason="需核查", until=AT + timedelta(days=3), by=1, at=AT)
    assert asked is not None and not isinstance(asked, Refused)
    decided = decide_extension(replace(case, fields=asked.fields), approve=True, by=2, at=AT)
    assert not isinstance(decided, Refused)
    values = {"text": "已处理", "status": "已办结"}
    cal = WorkCalendar(OfficialDays.from_package())
    given = give_feedback(case, values, who="李明", at=AT, cal=cal, tz=ZoneInfo("Asia/Shanghai"))
    assert not isinstance(given, Refused)
    for notice, event in (
        (asked.notice, EXTENSION),
        (decided.notice, EXTENSION_DECIDED),
        (given.report, FEEDBACK),
    ):
        read = NoticeKey.parse(notice.key_in(42))
        assert read is not None and (read.case_id, read.event, read.chat_id) == (11, event, 42)
        assert read.text == notice.key_in(42)
