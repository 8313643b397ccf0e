"""Adding and editing a deadline: one live deadline a deliverable; a changed due time is moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from workflows.deliverables.deadlines import DeadlineNow, deadline_save, shown_deadlines, split_args
from workflows.outcome import Refused

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 1, tzinfo=UTC)
VALUES = {"deliverable": "自查自纠阶段总结", "due": "2026-05-05T18:00", "scope": "all"}
DUE = datetime(2026, 5, 5, 10, tzinfo=UTC)


def save(values=VALUES, editing_id=None, editing=None, same_name=None):
    return deadline_save(
        values, editing_id=editing_id, editing=editing, same_name=same_name, tz=CST, now=NOW
    )


def test_a_new_deadline_is_due_at_the_local_time_typed():
    saved = save()
    assert not isinstance(saved, Refused)
    assert (saved.row_id, saved.due_at, saved.unit_names, saved.moved) == (None, DUE, None, False)


def test_a_deadline_for_some_units_names_them():
    saved = save({**VALUES, "scope": "some", "units": ["轮台县"]})
    assert not isinstance(saved, Refused) and saved.unit_names == ["轮台县"]


def test_a_second_live_deadline_of_the_same_deliverable_is_refused():
    live = DeadlineNow(3, "自查自纠阶段总结", DUE, cancelled=False)
    refused = save(same_name=live)
    assert isinstance(refused, Refused) and refused.reason.id == "deadline.exists"


def test_a_cancelled_deadline_of_that_name_comes_back_moved():
    gone = DeadlineNow(3, "自查自纠阶段总结", datetime(2026, 4, 30, tzinfo=UTC), cancelled=True)
    saved = save(same_name=gone)
    assert not isinstance(saved, Refused) and (saved.row_id, saved.moved) == (3, True)


def test_editing_the_due_time_moves_the_deadline_and_keeps_its_row():
    row = DeadlineNow(3, "自查自纠阶段总结", datetime(2026, 4, 30, tzinfo=UTC), cancelled=False)
    saved = save(editing_id=3, editing=row, same_name=row)
    assert not isinstance(saved, Refused) and (saved.row_id, saved.moved) == (3, True)
    same_time = save(editing_id=3, editing=DeadlineNow(3, "自查自纠阶段总结", DUE, False))
    assert not isinstance(same_time, Refused) and not same_time.moved


def test_deadline_arguments_split_into_time_and_deliverable():
    assert split_args(["5月5日18:00", "自查自纠阶段总结"]) == ("5月5日18:00", "自查自纠阶段总结")
    assert split_args(["2026-12-01", "18:00", "总结"]) == ("2026-12-01 18:00", "总结")


def test_deadlines_lists_those_due_from_thirty_days_ago_at_most_fifteen():
    days = [NOW + timedelta(days=n) for n in range(-40, 20)]
    shown = shown_deadlines(days, lambda d: d, NOW)
    assert shown[0] == NOW - timedelta(days=30) and len(shown) == 15
