"""A week's answers read through one accessor, whichever door wrote them."""

from __future__ import annotations

from datetime import date

from workflows.week.week_answers import (
    ItemAnswer,
    answer_of,
    files_of,
    item_answer,
    item_field,
    status_of,
)

EVIDENCE = {"files": [{"file_id": "F1", "name": "凭证.pdf", "media": "document", "size": 1}]}


def test_an_items_answers_are_read_back_from_the_flows_values() -> None:
    values = {
        item_answer(12, "status"): "late",
        item_answer(12, "progress"): "评估机构更换",
        item_answer(12, "reason"): "资质被暂停",
        item_answer(12, "planned"): "2024-03-31",
        item_answer(13, "status"): "done",
        item_answer(13, "result"): "已补发到户",
        item_answer(13, "evidence"): EVIDENCE,
        "new": "no",
    }
    assert answer_of(values, 12) == ItemAnswer(
        "late", "评估机构更换", "", "资质被暂停", date(2024, 3, 31)
    )
    assert answer_of(values, 13) == ItemAnswer(
        "done", result="已补发到户", files=tuple(EVIDENCE["files"])
    )
    assert answer_of(values, 14) == ItemAnswer()  # not answered
    assert (status_of(values, 13), files_of(values, 12)) == ("done", [])


def test_a_note_stands_for_the_progress_of_older_drafts() -> None:
    assert answer_of({"i5.status": "plan", "i5.note": "按计划推进"}, 5).progress == "按计划推进"


def test_keys_name_their_item_and_field() -> None:
    assert item_answer(12, "status") == "i12.status"
    assert item_field("i12.status") == (12, "status")
    assert [item_field(k) for k in ("new", "new.name", "ix.status", "i.status")] == [None] * 4
