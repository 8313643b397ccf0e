"""Corrections of a submitted week: direct until its deadline, a request after; one line of
what changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from locales import Translator
from workflows.week.correction import (
    DIRECT,
    REQUEST,
    Said,
    corrected_line,
    correction_kind,
    material_changes,
    week_changes,
)

TR = Translator.load(strict=True)
DUE = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 周一 18:00 in Beijing


def test_a_week_is_corrected_directly_until_its_deadline_the_minute_included() -> None:
    assert correction_kind(DUE, DUE - timedelta(hours=3)) == DIRECT
    assert correction_kind(DUE, DUE) == DIRECT
    assert correction_kind(DUE, DUE + timedelta(seconds=1)) == REQUEST


def test_only_what_changed_is_named_in_one_line() -> None:
    before = {
        "尉犁-003": Said("plan", text="完成主体结构"),
        "尉犁-004": Said("plan", text="已约谈"),
    }
    after = [
        ("尉犁-003", Said("plan", text="完成主体结构验收")),
        ("尉犁-004", Said("plan", text="已约谈")),
    ]
    changes = week_changes(before, after)
    assert [c.code for c in changes] == ["尉犁-003"]
    text = TR.text(corrected_line(changes), "zh_CN", year=2026)
    assert text == "已更正：尉犁-003 整改进展：完成主体结构→完成主体结构验收"


def test_a_status_and_a_new_planned_date_are_named_too() -> None:
    before = {"尉犁-003": Said("plan", text="推进中")}
    after = [
        ("尉犁-003", Said("late", text="推进中", reason="资金未到位", new_due_on=date(2026, 4, 30)))
    ]
    text = TR.text(corrected_line(week_changes(before, after)), "zh_CN", year=2026)
    assert text.startswith("已更正：尉犁-003 状态：按计划推进→进度滞后；")
    assert "尉犁-003 滞后原因：（未填）→资金未到位" in text
    assert "尉犁-003 新的计划完成日期：（未填）→4月30日" in text


def test_the_same_answers_again_change_nothing() -> None:
    said = Said("same")
    assert week_changes({"尉犁-003": said}, [("尉犁-003", said)]) == ()


def test_a_replaced_deliverable_names_its_files_before_and_after() -> None:
    old = {"note": "", "files": [{"name": "总结.pdf"}]}
    new = {"note": "", "files": [{"name": "总结（修订）.pdf"}, {"media": "photo"}]}
    text = TR.text(corrected_line(material_changes("阶段总结", old, new)), "zh_CN")
    assert text == "已更正：阶段总结 材料：总结.pdf→总结（修订）.pdf、photo"
    assert material_changes("阶段总结", old, dict(old)) == ()
