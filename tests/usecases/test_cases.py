"""Forwarded cases read as /cases and /case show them, through the use cases, on a real
database and without Telegram."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.usecases.cases import case_record, cases_in_view, sign_case
from storage import cases as store
from storage import decisions
from storage.audit import Stamp
from storage.db import Database
from storage.models import ForwardedCase, Unit, saved_id
from tests.usecases.acting import NOW, said, world
from workflows.casework.cases import ANSWERED, CaseChange
from workflows.outcome import Refused
from workflows.people.roles import Role

SUPERVISOR, LIAISON = 1, 2


def _case(s: Session, unit: Unit, text: str, due: datetime) -> ForwardedCase:
    return store.create_case(
        s,
        unit_id=saved_id(unit),
        text=text,
        reference="",
        received_at=NOW - timedelta(days=3),
        due_at=due,
        stamp=Stamp(NOW - timedelta(days=3), SUPERVISOR),
    )


def test_a_list_shows_the_cases_a_person_sees_open_first_each_with_its_unit_and_state(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        yuli = w.unit_named("尉犁县")
        late = _case(s, w.unit, "逾期的件", NOW - timedelta(days=1))
        answered = _case(s, w.unit, "已反馈的件", NOW - timedelta(days=2))
        store.update_case(s, answered, CaseChange(status=ANSWERED), "case.answered", Stamp(NOW))
        soon = _case(s, w.unit, "未到期的件", NOW + timedelta(days=2))
        other = _case(s, yuli, "尉犁县的件", NOW + timedelta(days=3))
        supervisor = w.act(SUPERVISOR, (Role.SUPERVISOR,))
        every = cases_in_view(supervisor)
        # open ones by due time (the answered one, due earliest, last), every unit's
        assert [line.case.id for line in every] == [late.id, soon.id, other.id, answered.id]
        assert [line.unit for line in every] == ["轮台县", "轮台县", "尉犁县", "轮台县"]
        states = [said(supervisor, line.state) for line in every]
        assert "逾期" in states[0] and states[1] == "未签收" and states[3] == "已反馈"
        # a liaison sees their own unit's only
        liaison = w.act(LIAISON, (Role.LIAISON,), [saved_id(w.unit)])
        assert [line.case.id for line in cases_in_view(liaison)] == [late.id, soon.id, answered.id]
        assert cases_in_view(w.act(3, ())) == []  # nobody's liaison sees none


def test_a_case_reads_with_its_unit_its_state_its_timeline_and_the_decisions_on_it(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        case = _case(s, w.unit, "一件转办件", NOW + timedelta(days=2))
        liaison = w.act(LIAISON, (Role.LIAISON,), [saved_id(w.unit)])
        assert not isinstance(sign_case(liaison, case), Refused)
        decisions.record_decision(
            s,
            Stamp(NOW, SUPERVISOR),
            unit_id=saved_id(w.unit),
            what="extension.approved",
            case_id=saved_id(case),
        )
        record = case_record(liaison, case)
        assert record.unit == "轮台县" and said(liaison, record.state) == "已签收"
        assert [e.action for e, _ in record.timeline] == ["case.forward", "case.sign"]
        assert record.timeline[1][1] == "人2"  # who signed, by name
        assert [d.what for d in record.decisions] == ["extension.approved"]
