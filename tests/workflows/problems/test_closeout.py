"""Close-out (销号): who may ask, what approving and rejecting change, what they say."""

from __future__ import annotations

from datetime import UTC, date, datetime

from workflows.outcome import Refused
from workflows.problems.closeout import (
    CLOSEOUT_REJECTED,
    CloseoutItem,
    approve_closeout,
    ask_closeout,
    closeout_request,
    may_ask_closeout,
    may_reject_closeout,
    reject_closeout,
)
from workflows.problems.ledger import ItemChanges, Status
from workflows.week.weekly import DONE

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)
WEEK = date(2026, 11, 23)
OPEN = CloseoutItem(7, "轮台-007", "安置房未交付", Status.OPEN, 3)
CLOSING = CloseoutItem(7, "轮台-007", "安置房未交付", Status.CLOSING, 4, ask_id=40)
CLOSED = CloseoutItem(7, "轮台-007", "安置房未交付", Status.CLOSED, 5)


def test_only_the_units_liaison_asks_for_a_close_out():
    refused = may_ask_closeout(OPEN, reports_for_unit=False)
    assert refused == Refused(refused.reason) and refused.reason.id == "ledger.not_yours"
    assert may_ask_closeout(OPEN, reports_for_unit=True) is None


def test_an_item_already_closing_is_not_asked_again():
    refused = may_ask_closeout(CLOSING, reports_for_unit=True)
    assert refused is not None and refused.reason.id == "close.not_open"


def test_asking_puts_the_item_in_closing_and_records_the_result_as_done():
    files = [{"name": "验收单.pdf", "file_id": "f1"}]
    d = ask_closeout(OPEN, expected_version=3, result="已交付", files=files, week_of=WEEK)
    assert d.changes == ItemChanges(status=Status.CLOSING)
    assert d.expected_version == 3
    assert d.progress is not None
    assert (d.progress.status, d.progress.result, d.progress.week_of) == (DONE, "已交付", WEEK)
    assert d.progress.files == tuple(files)
    assert d.said.id == "close.sent"


def test_the_request_to_supervisors_is_keyed_by_the_items_version():
    ask = closeout_request(CLOSING, unit="轮台县", result="已交付", files=[])
    assert ask.key == "item:7:closeout:v4"
    assert ask.text.params["files"].id == "missing.none"


def test_approving_closes_the_item_at_that_moment_and_tells_the_unit():
    d = approve_closeout(CLOSING, asked=40, at=AT)
    assert not isinstance(d, Refused)
    assert d.changes == ItemChanges(status=Status.CLOSED, closed_at=AT)
    assert d.to_unit is not None and d.to_unit.key == "item:7:closed"
    assert d.said.id == "closeout.approved"


def test_an_item_no_longer_closing_cannot_be_approved_or_rejected():
    for item in (OPEN, CLOSED):
        approved = approve_closeout(item, asked=40, at=AT)
        assert isinstance(approved, Refused) and approved.reason.id == "closeout.decided"
        assert may_reject_closeout(item, asked=40) is not None
    assert may_reject_closeout(CLOSING, asked=40) is None


def test_the_buttons_of_an_earlier_ask_do_not_decide_the_item_asked_again():
    # rejected, then asked again with new evidence: the first request's buttons are stale
    again = CloseoutItem(7, "轮台-007", "安置房未交付", Status.CLOSING, 6, ask_id=41)
    approved = approve_closeout(again, asked=40, at=AT)
    assert isinstance(approved, Refused) and approved.reason.id == "closeout.superseded"
    assert approved.reason.params == {"code": "轮台-007"}
    refused = may_reject_closeout(again, asked=40)
    assert refused is not None and refused.reason.id == "closeout.superseded"
    late = reject_closeout(again, asked=40, expected_version=None, reason="证据不足")
    assert isinstance(late, Refused) and late.reason.id == "closeout.superseded"
    assert not isinstance(approve_closeout(again, asked=41, at=AT), Refused)


def test_a_button_sent_before_buttons_named_their_ask_decides_the_waiting_ask():
    assert not isinstance(approve_closeout(CLOSING, asked=None, at=AT), Refused)
    assert may_reject_closeout(CLOSING, asked=None) is None


def test_an_edit_of_the_item_does_not_stale_the_reason_step_opened_on_its_ask():
    edited = CloseoutItem(7, "轮台-007", "安置房未交付", Status.CLOSING, 5, ask_id=40)  # imported
    d = reject_closeout(edited, asked=40, expected_version=4, reason="证据不足")
    assert not isinstance(d, Refused) and d.expected_version is None


def test_rejecting_reopens_the_item_with_the_decision_and_its_reason_recorded_and_sent():
    d = reject_closeout(CLOSING, asked=40, expected_version=4, reason="证据不足")
    assert not isinstance(d, Refused)
    assert d.changes == ItemChanges(status=Status.OPEN)
    # the reason is the decision's, not the problem's progress (its 最新进展 stays the ask's)
    assert d.progress is None and (d.decided, d.reason) == (CLOSEOUT_REJECTED, "证据不足")
    assert d.to_unit is not None and d.to_unit.key == "item:7:rejected:v5"


def test_a_reason_step_from_an_older_draft_is_refused_once_the_item_moved_on():
    later = CloseoutItem(7, "轮台-007", "安置房未交付", Status.CLOSING, 6)  # asked again since
    d = reject_closeout(later, asked=None, expected_version=4, reason="证据不足")
    assert isinstance(d, Refused) and d.reason.id == "closeout.decided"
