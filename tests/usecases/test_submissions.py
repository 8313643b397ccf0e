"""What a unit can still submit (/submit's list), through the use case, on a real database and
without Telegram."""

from __future__ import annotations

from datetime import date, datetime

from bot.usecases.deadlines import set_deadline
from bot.usecases.submissions import open_deliverables
from storage import campaigns, submissions
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import TZ, said, world
from workflows.outcome import Refused
from workflows.people.roles import Role

LIAISON = 2
SUMMARY = "自查自纠阶段总结及相关印证材料"
CLOSING = "集中整治阶段总结及相关印证材料"


def test_a_unit_is_offered_what_it_owes_and_what_it_sent_to_replace_or_ask_to(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        assert not isinstance(
            set_deadline(
                w.act(1),
                {
                    "deliverable": "尉犁县专报",
                    "due": "2024-05-20T18:00:00",
                    "scope": "some",
                    "units": ["尉犁县"],
                },
                None,
            ),
            Refused,
        )
        act = w.act(LIAISON, (Role.LIAISON,), [saved_id(w.unit)])  # Monday 6 May, 10:00
        every = {d.deliverable: d for d in campaigns.deadlines_of(s, saved_id(w.campaign))}
        offered = open_deliverables(act, w.unit)
        names = [o.name for o in offered]
        # every deadline of the unit's owed (another unit's is not), and this week's report
        assert "尉犁县专报" not in names and "联络员名单" in names
        assert SUMMARY in names and CLOSING in names
        week = offered[-1]
        assert (week.value, week.name) == ("w:0", "工作台账")
        assert week.due == datetime(2024, 5, 6, 18, 0, tzinfo=TZ)
        assert {o.value for o in offered[:-1]} == {
            f"d:{d.id}" for n, d in every.items() if n != "尉犁县专报"
        }
        # sent: before its deadline its material is replaced at once, after it by request;
        # this week's report, once sent, is no longer offered
        for name in (SUMMARY, CLOSING):
            submissions.record_submission(
                s,
                unit_id=saved_id(w.unit),
                stamp=act.stamp,
                on_time=True,
                deadline_id=every[name].id,
            )
        submissions.record_submission(
            s,
            unit_id=saved_id(w.unit),
            stamp=act.stamp,
            on_time=True,
            report_name="工作台账",
            period_start=date(2024, 5, 6),
        )
        again = {o.value: said(act, o.name) for o in open_deliverables(act, w.unit)}
        assert "w:0" not in again
        assert again[f"d:{every[SUMMARY].id}"] == f"{SUMMARY}（已报送，截止后更换材料须经督办同意）"
        assert again[f"d:{every[CLOSING].id}"] == f"{CLOSING}（已报送，截止前可更换材料）"
