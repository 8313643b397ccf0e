"""Deadlines added, moved, cancelled and read (/deadline, /deadlines, /missing) through the
use cases, on a real database and without Telegram."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.usecases.deadlines import (
    deadline_list,
    live_deadline,
    missing_units,
    set_deadline,
    upcoming,
    withdraw_deadline,
)
from storage import deadlines, submissions
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import said, world
from workflows.forms.contexts import DeadlineAnswers
from workflows.outcome import Refused

REPORT = "整改台账复核"


def test_a_deadline_is_added_refused_twice_moved_and_cancelled(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        act = w.act(1)
        given: DeadlineAnswers = {
            "deliverable": REPORT,
            "due": "2024-05-20T18:00:00",
            "scope": "some",
            "units": ["轮台县"],
        }
        done = set_deadline(act, given, None)
        assert not isinstance(done, Refused) and REPORT in said(act, done)
        row = deadlines.deadline_named(s, saved_id(w.campaign), REPORT)
        assert row is not None and row.unit_names == ["轮台县"]
        assert row.due_at.astimezone(UTC) == datetime(2024, 5, 20, 10, tzinfo=UTC)
        again = set_deadline(act, given, None)  # a live deadline has the name already
        assert isinstance(again, Refused) and again.reason.id == "deadline.exists"
        listed = deadline_list(act)
        assert not isinstance(listed, Refused) and saved_id(row) in listed.ids
        assert REPORT in said(act, listed.text)
        moved = set_deadline(act, {**given, "due": "2024-05-21T18:00:00"}, saved_id(row))
        assert not isinstance(moved, Refused)
        assert row.due_at.astimezone(UTC) == datetime(2024, 5, 21, 10, tzinfo=UTC)
        cancelled = withdraw_deadline(act, saved_id(row))
        assert cancelled is not None and REPORT in said(act, cancelled)
        assert live_deadline(act, saved_id(row)) is None and row.cancelled
        assert withdraw_deadline(act, 10_000) is None


def test_the_countdown_and_who_is_missing_follow_the_submissions(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        act = w.act(1)
        given: DeadlineAnswers = {"deliverable": REPORT, "due": "2024-05-08T18:00:00"}
        assert not isinstance(set_deadline(act, given, None), Refused)
        row = deadlines.deadline_named(s, saved_id(w.campaign), REPORT)
        assert row is not None
        everyone = upcoming(act, None)
        assert not isinstance(everyone, Refused)
        assert f"{REPORT}：5月8日" in said(act, everyone) and "已报送0/10" in said(act, everyone)
        owing = missing_units(act)
        assert not isinstance(owing, Refused) and "轮台县" in said(act, owing)
        submissions.record_submission(
            s, unit_id=saved_id(w.unit), stamp=act.stamp, on_time=True, deadline_id=row.id
        )
        assert "已报送1/10" in said(act, upcoming(act, None))  # type: ignore[arg-type]
        mine = upcoming(act, w.unit)
        assert not isinstance(mine, Refused) and REPORT in said(act, mine)
        # the week's report: the overdue deliverable is the nearest missing one, and 轮台县's
        # week, once in, is no longer owed
        submissions.record_submission(
            s,
            unit_id=saved_id(w.unit),
            stamp=act.stamp,
            on_time=True,
            report_name="工作台账",
            period_start=date(2024, 5, 6),
        )
        text = said(act, missing_units(act))  # type: ignore[arg-type]
        overdue, week = text.splitlines()
        assert "自查自纠阶段总结" in overdue and "未报送10个" in overdue
        assert "本周工作台账" in week and "未报送9个" in week and "轮台县" not in week
        none = upcoming(w.act(1, campaign=None), None)
        assert isinstance(none, Refused) and none.reason.id == "bind.no_campaign"
