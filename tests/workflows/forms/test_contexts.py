"""A draft's context and answers are checked against its flow's types when read."""

from __future__ import annotations

import pytest

from workflows.forms.contexts import (
    FeedbackAnswers,
    RegisterContext,
    Unreadable,
    WeeklyContext,
    answers_of,
    checked,
)


def test_what_a_flow_saved_reads_back_as_its_types() -> None:
    assert checked(RegisterContext, {"unit": "轮台县", "unit_id": 3}) == {
        "unit": "轮台县",
        "unit_id": 3,
    }
    skipped = answers_of({"text": "已约谈", "status": "done", "material": None}, FeedbackAnswers)
    assert skipped["material"] is None  # an optional step, skipped


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (RegisterContext, {"unit": "轮台县"}),  # a key this version needs is missing
        (RegisterContext, {"unit": "轮台县", "unit_id": "three"}),
        (WeeklyContext, {"unit": "轮台县", "items": "none"}),
        (FeedbackAnswers, {"material": "发放凭证.pdf"}),  # a file where files are kept
    ],
)
def test_what_this_version_cannot_read_is_refused(kind: type, data: dict) -> None:
    with pytest.raises(Unreadable):
        checked(kind, data)
