"""Extension of a forwarded case: one request at a time; approving moves the due time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.casework.cases import EXTENSION_FLOW, CaseNow
from workflows.casework.extension import (
    ask_extension,
    decide_extension,
    may_ask_extension,
    until_of,
)
from workflows.forms.inputs import FormEnv, InputError, TextAnswer
from workflows.outcome import Refused

SH = ZoneInfo("Asia/Shanghai")
DUE = datetime(2026, 11, 24, 10, tzinfo=UTC)  # Tuesday 18:00 in Shanghai
AT = datetime(2026, 11, 23, 2, tzinfo=UTC)
CASE = CaseNow(3, "ZB-0003", "轮台县", answered=False, due_at=DUE, fields={})


def asked(case: CaseNow = CASE) -> CaseNow:
    until = until_of("2026-11-27T18:00", SH)
    change = ask_extension(case, reason="需现场核查", until=until, by=42, at=AT)
    assert change is not None and not isinstance(change, Refused)
    return replace(case, fields=change.fields)


def test_the_time_asked_for_is_read_in_the_campaigns_zone():
    assert until_of("2026-11-27T18:00", SH) == datetime(2026, 11, 27, 10, tzinfo=UTC)


def test_asking_leaves_a_pending_request_and_asks_the_supervisors():
    until = until_of("2026-11-27T18:00", SH)
    change = ask_extension(CASE, reason="需现场核查", until=until, by=42, at=AT)
    assert change is not None and not isinstance(change, Refused)
    assert change.fields["extension"]["status"] == "pending"
    assert change.fields["extension"]["by"] == 42
    assert change.notice.key == f"case:3:ext1:{AT.isoformat()}"
    assert change.due_at is None


def test_an_answered_case_asks_nothing():
    answered = replace(CASE, answered=True)
    assert ask_extension(answered, reason="x", until=DUE, by=42, at=AT) is None


def test_a_second_request_waits_for_the_first_decision():
    refused = may_ask_extension(asked())
    assert refused is not None and refused.reason.id == "case.extension_pending"
    assert may_ask_extension(CASE) is None


def test_approving_moves_the_due_time_to_the_one_asked_for():
    change = decide_extension(asked(), approve=True, by=7, at=AT)
    assert not isinstance(change, Refused)
    assert change.due_at == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert change.fields["extension"]["status"] == "approved"
    assert change.fields["extensions"][-1]["decided_by"] == 7
    assert change.said.id == "extension.approved"


def until_step(answer: str, due: str) -> str:
    """The extension form's time step, read on Monday 23 Nov 2026 with the case due `due`."""
    step = next(s for s in EXTENSION_FLOW.steps if s.field == "until")
    env = FormEnv(now=AT, tz=SH, values={"due": due})
    return step.kind.parse(TextAnswer(answer), env)


def test_the_time_asked_for_must_be_later_than_the_due_time():
    due = DUE.isoformat()  # Tuesday 24 Nov 18:00 in Shanghai
    assert until_step("11月27日", due) == "2026-11-27T18:00"
    for earlier in ("11月24日9:00", "11月24日18:00", "11月23日"):
        with pytest.raises(InputError) as refused:
            until_step(earlier, due)
        assert refused.value.message.id == "form.date_not_later"
        assert refused.value.message.params["limit"] == DUE
    # stored without a zone (SQLite gives UTC back so), the due time is UTC all the same
    assert until_step("11月24日18:01", "2026-11-24T10:00:00") == "2026-11-24T18:01"


def test_rejecting_keeps_the_due_time_and_frees_the_next_request():
    change = decide_extension(asked(), approve=False, by=7, at=AT, reason="理由不充分")
    assert not isinstance(change, Refused)
    assert change.due_at is None
    assert change.said.id == "extension.rejected_why"
    assert change.said.params["reason"] == "理由不充分"  # the unit is told why
    assert (change.decided, change.reason) == ("extension.rejected", "理由不充分")
    assert may_ask_extension(replace(CASE, fields=change.fields)) is None


def test_a_decided_request_cannot_be_decided_again():
    decided = decide_extension(asked(), approve=True, by=7, at=AT)
    assert not isinstance(decided, Refused)
    again = decide_extension(
        replace(CASE, fields=decided.fields), approve=False, by=8, at=AT, reason="不需要"
    )
    assert isinstance(again, Refused) and again.reason.id == "form.stale_button"


def test_a_time_no_later_than_the_limit_as_it_stands_is_not_asked_for():
    # the form checked the limit it began with; a colleague's extension moved it on since
    moved = replace(CASE, due_at=datetime(2026, 11, 28, 10, tzinfo=UTC))
    until = until_of("2026-11-27T18:00", SH)
    refused = ask_extension(moved, reason="需现场核查", until=until, by=42, at=AT)
    assert isinstance(refused, Refused) and refused.reason.id == "extension.not_later"
    assert refused.reason.params["due"] == moved.due_at


def test_approving_a_request_the_limit_has_passed_since_leaves_the_limit_where_it_is():
    pending = asked()  # 27 Nov 18:00 asked, when the limit was 24 Nov
    moved = replace(pending, due_at=datetime(2026, 11, 30, 10, tzinfo=UTC))
    change = decide_extension(moved, approve=True, by=7, at=AT)
    assert not isinstance(change, Refused)
    assert change.due_at is None and change.fields["extension"]["status"] == "approved"
    assert change.said.params["due"] == moved.due_at


def test_rejecting_without_a_reason_is_refused_in_words_and_changes_nothing():
    for blank in ("", "   "):
        refused = decide_extension(asked(), approve=False, by=7, at=AT, reason=blank)
        assert isinstance(refused, Refused) and refused.reason.id == "extension.reason_needed"
