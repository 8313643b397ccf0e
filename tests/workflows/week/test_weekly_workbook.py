"""Whether a filled weekly form may be read, here, by this person, into this week."""

from __future__ import annotations

from workflows.week.weekly_workbook import FormOrigin, form_origin, is_this_week, may_read_form

FORM = FormOrigin(unit_id=10, report=0, period="2026-11-23")


def test_the_note_of_the_form_is_read_with_care() -> None:
    assert form_origin({"unit_id": 10, "report": 1, "period": "2026-11-23"}) == FormOrigin(
        10, 1, "2026-11-23"
    )
    # an edited note: no unit, the first weekly report, no week
    assert form_origin({"unit_id": "10", "report": -2}) == FormOrigin(None, 0, "")
    assert form_origin({"unit_id": 0}).unit_id is None


def test_the_units_liaison_may_send_it_in_the_units_group_or_in_private() -> None:
    for in_group in (True, False):
        assert (
            may_read_form(
                FORM,
                unit="轮台县",
                chat_unit=10 if in_group else None,
                in_group=in_group,
                reports_for_unit=True,
            )
            is None
        )


def test_a_form_of_no_unit_here_is_not_ours() -> None:
    refused = may_read_form(FORM, unit=None, chat_unit=10, in_group=True, reports_for_unit=True)
    assert refused is not None and refused.reason.id == "weekly_form.not_ours"


def test_a_form_sent_in_another_units_group_names_its_unit() -> None:
    refused = may_read_form(FORM, unit="轮台县", chat_unit=11, in_group=True, reports_for_unit=True)
    assert refused is not None
    assert (refused.reason.id, refused.reason.params) == (
        "weekly_form.other_unit",
        {"unit": "轮台县"},
    )


def test_someone_who_does_not_report_for_the_unit_is_refused() -> None:
    refused = may_read_form(
        FORM, unit="轮台县", chat_unit=None, in_group=False, reports_for_unit=False
    )
    assert refused is not None and refused.reason.id == "submit.not_liaison"


def test_a_form_of_an_earlier_week_is_not_read_into_this_one() -> None:
    assert is_this_week(FORM, "2026-11-23", "工作台账") is None
    refused = is_this_week(FORM, "2026-11-30", "工作台账")
    assert refused is not None
    assert (refused.reason.id, refused.reason.params) == (
        "weekly_form.old_week",
        {"name": "工作台账"},
    )
