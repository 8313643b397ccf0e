"""A week found again through the use cases, on a real database and without Telegram: the
week /correct corrects, the report a link's day names, an update begun in the group carried
on in private (私聊填写)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.usecases.week import carry_over_week, latest_submitted_week, report_index
from storage import drafts, submissions
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import NOW, world
from workflows.forms.engine import Draft
from workflows.forms.flow_names import FlowName
from workflows.people.roles import Role

LIAISON, GROUP = 2, -1001


def test_correct_finds_the_latest_week_sent_and_a_links_day_its_report(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        act = w.act(LIAISON, (Role.LIAISON,), [saved_id(w.unit)])
        assert latest_submitted_week(act, w.unit) is None  # nothing to correct
        for week in (date(2024, 4, 29), date(2024, 5, 6)):
            submissions.record_submission(
                s,
                unit_id=saved_id(w.unit),
                stamp=act.stamp,
                on_time=True,
                report_name="工作台账",
                period_start=week,
            )
        assert latest_submitted_week(act, w.unit) == (0, date(2024, 5, 6))
        # bazhou's one weekly report is on Mondays; a day no report falls on reads as the first
        assert report_index(act, date(2024, 5, 13)) == 0 == report_index(act, date(2024, 5, 14))


def test_an_update_begun_in_the_group_is_carried_to_the_private_chat_once(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        act = w.act(LIAISON, (Role.LIAISON,), [saved_id(w.unit)])  # in private: chat = user
        assert carry_over_week(act, w.unit, 5) is None  # nothing begun
        week = Draft(
            FlowName.WEEKLY, 2, {"i1.status": "plan"}, context={"unit_id": saved_id(w.unit)}
        )
        drafts.save_draft(s, GROUP, LIAISON, week, now_at=NOW - timedelta(minutes=3), after=9)
        moved = carry_over_week(act, w.unit, 5)
        assert moved is not None and moved.chat_id == act.chat_id
        assert moved.state["step"] == 2 and moved.state["values"] == {"i1.status": "plan"}
        assert moved.state["after"] == 5  # its prompts here come after the message that moved it
        assert drafts.draft_of(s, GROUP, LIAISON) is None
        assert carry_over_week(act, w.unit, 6) is None  # here already: nothing to carry
        other = w.act(3, (Role.LIAISON,), [saved_id(w.unit)])
        assert carry_over_week(other, w.unit, 7) is None  # nobody else's is taken
