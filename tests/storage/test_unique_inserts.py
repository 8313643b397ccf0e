"""What the database allows once: a stale change is refused, a taken number skipped, a second
submission answered with the first; the unit of work goes on in each case."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns, ledger, submissions
from storage.audit import Stamp
from storage.db import Database
from storage.models import LedgerItem, Unit
from workflows.campaign import read_campaign_yaml
from workflows.problems.ledger import ItemChanges, LedgerSpec, item_columns

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # Monday 6 May 2024, 10:00 in Beijing


@pytest.fixture
def unit_id(db: Database) -> int:
    """轮台县 of the bazhou-2024 campaign."""
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW))
        return campaigns.unit_named(s, camp.id or 0, "轮台县").id


def test_a_change_from_a_stale_read_is_refused_and_the_unit_of_work_goes_on(
    db: Database, unit_id: int
) -> None:
    with db.unit_of_work() as s:
        item = ledger.create_item(
            s, s.get(Unit, unit_id), item_columns({"name": "拖欠补偿款"}, LedgerSpec()), Stamp(NOW)
        )
    with db.unit_of_work() as slow:
        stale = slow.get(LedgerItem, item.id)
        with db.unit_of_work() as fast:  # another process closes it meanwhile
            fresh = fast.get(LedgerItem, item.id)
            ledger.change_item(
                fast,
                fresh,
                ItemChanges(status="closed"),
                expected_version=1,
                action="item.closed",
                stamp=Stamp(NOW),
            )
        with pytest.raises(ledger.Conflict, match="轮台-001"):
            ledger.change_item(
                slow,
                stale,
                ItemChanges(status="open"),
                expected_version=None,
                action="t",
                stamp=Stamp(NOW),
            )
        ledger.create_item(
            slow,
            slow.get(Unit, unit_id),
            item_columns({"name": "另一个问题"}, LedgerSpec()),
            Stamp(NOW),
        )
    with db.unit_of_work() as s:
        rows = {i.code: (i.status, i.version) for i in s.exec(select(LedgerItem))}
    assert rows == {"轮台-001": ("closed", 2), "轮台-002": ("open", 1)}


def test_a_number_taken_by_a_unit_with_the_same_short_name_is_skipped(
    db: Database, unit_id: int
) -> None:
    with db.unit_of_work() as s:
        town = Unit(campaign_id=s.get(Unit, unit_id).campaign_id, name="轮台市", name_key="轮台市")
        s.add(town)
        s.flush()
        first = ledger.create_item(s, town, item_columns({"name": "甲"}, LedgerSpec()), Stamp(NOW))
        second = ledger.create_item(
            s, s.get(Unit, unit_id), item_columns({"name": "乙"}, LedgerSpec()), Stamp(NOW)
        )
    assert (first.code, second.code, second.seq) == ("轮台-001", "轮台-002", 2)


def test_a_second_submission_is_answered_with_the_first(db: Database, unit_id: int) -> None:
    week = {"report_name": "工作台账", "period_start": date(2024, 5, 6)}
    with db.unit_of_work() as s:
        submissions.record_submission(
            s, unit_id=unit_id, stamp=Stamp(NOW), on_time=True, note="甲", **week
        )
    with db.unit_of_work() as s:
        with pytest.raises(submissions.AlreadySubmitted) as already:
            submissions.record_submission(
                s, unit_id=unit_id, stamp=Stamp(NOW), on_time=True, note="乙", **week
            )
        assert already.value.first.note == "甲"
        submissions.record_submission(
            s, unit_id=unit_id, stamp=Stamp(NOW), on_time=True, deadline_id=1
        )
        with pytest.raises(submissions.AlreadySubmitted):
            submissions.record_submission(
                s, unit_id=unit_id, stamp=Stamp(NOW), on_time=False, deadline_id=1
            )
