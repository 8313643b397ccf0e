"""The ledger's fields and rules, and every path through the weekly update."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.workflows.test_campaign import GOOD, errors_of
from workflows.forms.engine import CONFIRM, Ask, Finished, Noted, advance, start
from workflows.forms.inputs import ChoiceAnswer, FileAnswer, FormEnv, Option, TextAnswer
from workflows.problems.ledger import (
    FieldSpec,
    ItemColumns,
    LedgerSpec,
    is_overdue,
    item_code,
    item_columns,
    parse_rule,
    spec_to_json,
    unit_short,
)
from workflows.week.weekly import snapshot_item, weekly_flow

ENV = FormEnv(
    now=datetime(2026, 11, 23, 2, tzinfo=UTC),
    tz=ZoneInfo("Asia/Shanghai"),
    options={"categories": [Option("违规征收类", "违规征收类")]},
)
PROJECT = LedgerSpec(
    (
        FieldSpec("项目名称", "name"),
        FieldSpec("应安置棚改居民户数", "应安置棚改居民户数", "number"),
        FieldSpec("开工套数", "开工套数", "number"),
        FieldSpec("已安置棚改居民户数", "已安置", "number"),
        FieldSpec("逾期未交付使用户数", "逾期", "number"),
    ),
    (
        parse_rule("开工套数 >= 应安置棚改居民户数", "开工套数应大于等于应安置棚改居民户数"),
        parse_rule(
            "逾期未交付使用户数 = 应安置棚改居民户数 - 已安置棚改居民户数",
            "逾期未交付使用应等于应安置户数减已安置户数",
        ),
    ),
)


def test_rules_hold_only_when_their_fields_are_known() -> None:
    more, gap = PROJECT.rules
    assert more.holds({"应安置棚改居民户数": 100}) is None
    assert more.holds({"应安置棚改居民户数": 100, "开工套数": 120}) is True
    assert more.holds({"应安置棚改居民户数": 100, "开工套数": 80}) is False
    full = {"逾期未交付使用户数": 40, "应安置棚改居民户数": 100, "已安置棚改居民户数": 60}
    assert gap.holds(full) is True and gap.holds({**full, "逾期未交付使用户数": 41}) is False


@pytest.mark.parametrize("text", ["开工套数", "开工套数 >=", "a >= b >= c"])
def test_unreadable_rules(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rule(text)


def test_a_broken_rule_is_named_when_the_number_is_typed() -> None:
    from workflows.forms.engine import Flow
    from workflows.problems.ledger import item_steps

    flow = Flow("p", "p", item_steps(PROJECT)[:5])
    draft, _ = start(flow, env=ENV)
    for answer in ("金村棚改项目", "100"):
        draft, _ = advance(flow, draft, TextAnswer(answer), env=ENV)
    _, ask = advance(flow, draft, TextAnswer("80"), env=ENV)
    assert isinstance(ask, Ask) and ask.error is not None
    assert ask.error.params == {"rule": "开工套数应大于等于应安置棚改居民户数"}
    draft, ask = advance(flow, draft, TextAnswer("100"), env=ENV)
    draft, _ = advance(flow, draft, TextAnswer("60"), env=ENV)
    _, ask = advance(flow, draft, TextAnswer("41"), env=ENV)
    assert isinstance(ask, Ask) and ask.error is not None
    assert ask.error.params["rule"] == "逾期未交付使用应等于应安置户数减已安置户数"


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ("轮台县", "轮台-007"),
        ("库尔勒市", "库尔勒-007"),
        ("泽州县住建局", "泽州-007"),
        ("库尔勒经济技术开发区", "库尔勒经开-007"),
        ("城区住建局", "城-007"),
        ("县财政局", "县财政局-007"),
    ],
)
def test_short_ids(unit: str, code: str) -> None:
    assert item_code(unit, 7) == code
    assert unit_short(unit) == code.removesuffix("-007")


def test_overdue() -> None:
    today = datetime(2026, 11, 23).date()
    assert is_overdue(datetime(2026, 11, 22).date(), "open", today)
    assert not is_overdue(datetime(2026, 11, 22).date(), "closed", today)
    assert not is_overdue(today, "open", today) and not is_overdue(None, "open", today)


def test_the_ledger_section_of_a_campaign_file_is_validated() -> None:
    data = {
        **GOOD,
        "ledger": {
            "fields": [
                {"name": "项目名称"},
                {"name": "开工套数", "kind": "integer"},
                {"name": "建成套数", "kind": "number"},
                {"name": "项目名称"},
            ],
            "rules": [{"check": "建成套数 >= 开工套数"}, {"check": "建成套数"}],
        },
    }
    assert errors_of(data) == [
        "ledger.fields[1].kind: 未知的字段类型“integer”，"
        "应为 text、date、number、category、choice 之一",
        "ledger.fields[3].name: 重复：“项目名称”",
        "ledger.rules[0].check: 规则引用了不存在或非数值的字段：开工套数",
        "ledger.rules[1].check: 无法识别的规则“建成套数”，应如“开工套数 >= 应安置棚改居民户数”",
    ]


def test_values_split_into_columns_and_extra_fields() -> None:
    given = item_columns({"name": "金村", "应安置棚改居民户数": 100, "source": "信访"}, PROJECT)
    assert given == ItemColumns(
        name="金村",
        source="信访",
        extra={"应安置棚改居民户数": 100},
        given=frozenset({"name", "source"}),
    )


def test_a_date_and_a_cleared_cell_are_given_as_such() -> None:
    given = item_columns({"due_on": "2024-06-30", "remarks": None}, LedgerSpec())
    assert (given.due_on, given.remarks) == (date(2024, 6, 30), "")
    assert given.given == {"due_on", "remarks"}  # an import changes exactly these


ITEMS = [
    snapshot_item({"id": 1, "code": "轮台-001", "name": "未按期回迁", "version": 3}, "主体封顶"),
    snapshot_item({"id": 2, "code": "轮台-002", "name": "过渡费拖欠", "version": 1}, ""),
    snapshot_item({"id": 3, "code": "轮台-003", "name": "产权证", "version": 1}, ""),
    snapshot_item({"id": 4, "code": "轮台-004", "name": "评估", "version": 1}, ""),
]
CONTEXT = {"unit": "轮台县", "items": ITEMS, "ledger": spec_to_json(LedgerSpec())}
PHOTO = FileAnswer("AgAD", "photo_x.jpg", "image/jpeg", 1000, "photo")


def run(answers: list[object]) -> tuple[object, object]:
    flow = weekly_flow(CONTEXT)
    draft, ask = start(flow, env=ENV, context=CONTEXT)
    for a in answers:
        assert draft is not None, ask
        draft, ask = advance(flow, draft, a, env=ENV)  # type: ignore[arg-type]
    return draft, ask


def test_every_status_path_then_the_confirm_screen() -> None:
    draft, ask = run(
        [
            ChoiceAnswer(0),
            TextAnswer("主体验收完成"),  # 按计划推进: progress
            ChoiceAnswer(1),
            TextAnswer("已全部补发"),
            ChoiceAnswer(0),  # 已完成: 完成 without a file
        ]
    )
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == "form.need_material"
    draft, ask = run(
        [
            ChoiceAnswer(0),
            TextAnswer("主体验收完成"),
            ChoiceAnswer(1),
            TextAnswer("已全部补发"),
            PHOTO,
            ChoiceAnswer(0),
            ChoiceAnswer(2),
            TextAnswer("推进中"),
            TextAnswer("资金未到位"),
            TextAnswer("12月31日"),
            ChoiceAnswer(0),
            ChoiceAnswer(3),
            ChoiceAnswer(1),
        ]
    )
    assert isinstance(ask, Ask) and ask.field == CONFIRM
    changes = [m.params.get("code", m.id) for m in ask.prompt.params["changes"]]
    assert changes == ["轮台-001", "轮台-002", "轮台-003", "轮台-004"]
    _, done = advance(weekly_flow(CONTEXT), draft, ChoiceAnswer(0), env=ENV)  # type: ignore[arg-type]
    assert isinstance(done, Finished)
    v = done.values
    assert (v["i1.status"], v["i1.progress"]) == ("plan", "主体验收完成")
    assert v["i2.evidence"]["files"][0]["file_id"] == "AgAD"
    assert (v["i3.reason"], v["i3.planned"]) == ("资金未到位", "2026-12-31")
    assert v["i4.status"] == "same" and "i4.progress" not in v and v["new"] == "no"


def test_a_status_that_needs_progress_is_noted_and_the_card_stays_the_prompt() -> None:
    draft, outcome = run([ChoiceAnswer(2)])  # 进度滞后: a toast, no new message
    assert isinstance(outcome, Noted) and outcome.notice.id == "form.noted"
    assert draft is not None and draft.step == 0 and draft.rev == 0
    draft, outcome = run([ChoiceAnswer(2), ChoiceAnswer(0)])  # changed their mind: still noted
    assert isinstance(outcome, Noted) and draft is not None and draft.pending == "plan"
    draft, ask = run([ChoiceAnswer(2), TextAnswer("资金未到位，停工")])
    assert isinstance(ask, Ask) and ask.field == "i1.reason"
    assert draft is not None and draft.values["i1.status"] == "late"
    assert draft.values["i1.progress"] == "资金未到位，停工"


def test_a_reply_to_the_card_without_a_press_is_progress_on_schedule() -> None:
    draft, ask = run([TextAnswer("主体验收完成")])
    assert isinstance(ask, Ask) and ask.field == "i2.status" and ask.kind == "card"
    assert draft is not None and draft.values["i1.status"] == "plan"
    _, ask = run([TextAnswer("  ")])
    assert isinstance(ask, Ask) and ask.field == "i1.status" and ask.error is not None


def test_progress_cannot_be_skipped() -> None:
    _, ask = run([ChoiceAnswer(0), "skip"])
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == "form.cannot_skip"


def test_a_new_problem_is_asked_for_after_the_items() -> None:
    skip_all = [ChoiceAnswer(3) for _ in ITEMS]
    _, ask = run([*skip_all, ChoiceAnswer(0)])
    assert isinstance(ask, Ask) and ask.field == "new.name"
