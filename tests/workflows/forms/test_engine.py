"""The form engine: each input kind, back/skip/cancel, errors, confirmation."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from workflows.forms.engine import (
    CONFIRM,
    Ask,
    Cancelled,
    Draft,
    Finished,
    Flow,
    Step,
    advance,
    start,
)
from workflows.forms.inputs import (
    Choice,
    ChoiceAnswer,
    DateInput,
    File,
    FileAnswer,
    FormEnv,
    Number,
    Option,
    Phone,
    Text,
    TextAnswer,
)
from workflows.people.registration import REGISTER

ENV = FormEnv(
    now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),  # Monday 23 Nov 2026, 10:00 in Beijing
    tz=ZoneInfo("Asia/Shanghai"),
    options={
        "categories": [Option("交办未落实类", "交办未落实类"), Option("违规征收类", "违规征收类")]
    },
)

ITEM = Flow(
    "item",
    title="item.title",
    steps=(
        Step("name", "p.name", Text(max_len=10)),
        Step("category", "p.category", Choice(source="categories")),
        Step("households", "p.households", Number(minimum=0, maximum=5000)),
        Step("due", "p.due", DateInput()),
        Step("remarks", "p.remarks", Text(), optional=True),
        Step(
            "evidence",
            "p.evidence",
            File(max_bytes=1000),
            when=lambda v: v.get("category") == "违规征收类",
        ),
    ),
    summary="item.summary",
)


def feed(flow: Flow, draft: Draft | None, *answers: object) -> tuple[Draft | None, object]:
    """Apply answers in turn; returns the last draft and outcome."""
    outcome: object = None
    for a in answers:
        assert draft is not None
        draft, outcome = advance(flow, draft, a, env=ENV)  # type: ignore[arg-type]
    return draft, outcome


def test_a_flow_runs_to_its_confirm_screen_and_finishes() -> None:
    draft, ask = start(ITEM, env=ENV)
    assert isinstance(ask, Ask) and ask.field == "name" and ask.kind == "text"
    draft, ask = feed(ITEM, draft, TextAnswer("拖欠补偿款"), ChoiceAnswer(1))
    assert isinstance(ask, Ask) and ask.field == "households"
    draft, ask = feed(ITEM, draft, TextAnswer("１２"), TextAnswer("12月31日"))
    assert isinstance(ask, Ask) and ask.field == "due" and ask.kind == "choice"
    assert ask.prompt.id == "form.date_confirm" and str(ask.prompt.params["value"]) == "2026-12-31"
    draft, ask = feed(ITEM, draft, ChoiceAnswer(0), "skip")
    assert isinstance(ask, Ask) and ask.field == "evidence"
    evidence = FileAnswer("AgAD", "照片.jpg", "image/jpeg", 900, "photo")
    draft, ask = feed(ITEM, draft, evidence)
    assert isinstance(ask, Ask) and ask.field == CONFIRM and ask.kind == "confirm"
    assert ask.prompt.params["category"] == "违规征收类"
    assert ask.prompt.params["remarks"].id == "form.empty"
    draft, done = feed(ITEM, draft, ChoiceAnswer(0))
    assert draft is None and isinstance(done, Finished)
    assert done.values == {
        "name": "拖欠补偿款",
        "category": "违规征收类",
        "households": 12,
        "due": "2026-12-31",
        "remarks": None,
        # kept with the server's time of receipt, in UTC
        "evidence": {**evidence.as_json(), "received_at": ENV.now.astimezone(UTC).isoformat()},
    }


def test_a_condition_leaves_out_its_step() -> None:
    draft, _ = start(ITEM, env=ENV)
    draft, ask = feed(
        ITEM,
        draft,
        TextAnswer("甲"),
        ChoiceAnswer(0),
        TextAnswer("1"),
        TextAnswer("2026-12-01"),
        ChoiceAnswer(0),
        TextAnswer("无"),
    )
    assert isinstance(ask, Ask) and ask.field == CONFIRM


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (TextAnswer(""), "form.text_too_short"),
        (TextAnswer("一二三四五六七八九十一"), "form.text_too_long"),
        (FileAnswer("x", "a.pdf", "application/pdf", 10, "document"), "form.expect_text"),
    ],
)
def test_text_errors_keep_the_step(answer: object, error: str) -> None:
    draft, _ = start(ITEM, env=ENV)
    after, ask = advance(ITEM, draft, answer, env=ENV)  # type: ignore[arg-type]
    assert isinstance(ask, Ask) and ask.field == "name" and ask.error is not None
    assert ask.error.id == error
    assert after == draft


def test_the_text_limit_is_stated() -> None:
    flow = Flow("t", "t", (Step("x", "p", Text()),))
    draft, _ = start(flow, env=ENV)
    _, ask = advance(flow, draft, TextAnswer("字" * 2001), env=ENV)
    assert isinstance(ask, Ask) and ask.error is not None
    assert dict(ask.error.params) == {"max": 2000, "length": 2001}


@pytest.mark.parametrize(
    ("typed", "error"),
    [("十二", "form.not_a_number"), ("-1", "form.number_range"), ("5001", "form.number_range")],
)
def test_number_errors(typed: str, error: str) -> None:
    draft, _ = start(ITEM, env=ENV)
    draft, _ = feed(ITEM, draft, TextAnswer("甲"), ChoiceAnswer(0))
    _, ask = advance(ITEM, draft, TextAnswer(typed), env=ENV)  # type: ignore[arg-type]
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == error


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13999601234", "13999601234"),
        ("139 9960 1234", "13999601234"),
        ("+86 139-9960-1234", "13999601234"),
        ("0996-2029999", "0996-2029999"),
        ("(0996)2029999", "0996-2029999"),
        ("2229243", "2229243"),
        ("010-62345678转123", "010-62345678转123"),
        ("01062345678", "010-62345678"),
    ],
)
def test_phone_numbers_accepted(typed: str, stored: str) -> None:
    assert Phone().parse(TextAnswer(typed), ENV) == stored


@pytest.mark.parametrize("typed", ["12345", "23999601234", "1399960123", "电话", "0996-123"])
def test_phone_numbers_refused(typed: str) -> None:
    draft, _ = start(REGISTER, env=ENV)
    draft, _ = feed(REGISTER, draft, TextAnswer("李明"), TextAnswer("科长"))
    _, ask = advance(REGISTER, draft, TextAnswer(typed), env=ENV)  # type: ignore[arg-type]
    assert isinstance(ask, Ask) and ask.field == "phone"
    assert ask.error is not None and ask.error.id == "form.bad_phone"


def test_a_choice_takes_a_button_or_the_typed_name_and_refuses_others() -> None:
    draft, _ = start(ITEM, env=ENV)
    draft, _ = feed(ITEM, draft, TextAnswer("甲"))
    _, ask = advance(ITEM, draft, ChoiceAnswer(7), env=ENV)  # type: ignore[arg-type]
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == "form.stale_button"
    _, ask = advance(ITEM, draft, TextAnswer("其他类"), env=ENV)  # type: ignore[arg-type]
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == "form.pick_an_option"
    _, ask = advance(ITEM, draft, TextAnswer("违规征收类"), env=ENV)  # type: ignore[arg-type]
    assert isinstance(ask, Ask) and ask.field == "households"


def test_a_wrong_date_is_explained_and_can_be_typed_again() -> None:
    draft, _ = start(ITEM, env=ENV)
    draft, _ = feed(ITEM, draft, TextAnswer("甲"), ChoiceAnswer(0), TextAnswer("3"))
    draft, ask = feed(ITEM, draft, TextAnswer("2月30日"))
    assert isinstance(ask, Ask) and ask.field == "due" and ask.error is not None
    assert ask.error.id == "date.invalid" and ask.error.params["text"] == "2月30日"
    draft, ask = feed(ITEM, draft, TextAnswer("下周一"), ChoiceAnswer(1))
    assert isinstance(ask, Ask) and ask.prompt.id == "p.due" and ask.error is None
    draft, ask = feed(ITEM, draft, TextAnswer("下周一"), ChoiceAnswer(0))
    assert isinstance(ask, Ask) and ask.field == "remarks"
    assert draft is not None and draft.values["due"] == "2026-11-30"


def test_files_are_checked_for_kind_and_size() -> None:
    big = FileAnswer("x", "录像.mp4", "video/mp4", 21 * 1024 * 1024, "document")
    with pytest.raises(Exception) as err:
        File().parse(big, ENV)
    assert err.value.message.params == {"max_mb": 20, "name": "录像.mp4"}  # type: ignore[attr-defined]
    with pytest.raises(Exception) as err:
        File().parse(TextAnswer("见附件"), ENV)
    assert err.value.message.id == "form.expect_file"  # type: ignore[attr-defined]


def test_back_returns_to_the_previous_step_and_not_before_the_first() -> None:
    draft, ask = start(REGISTER, env=ENV)
    draft, ask = feed(REGISTER, draft, "back")
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == "form.cannot_back"
    draft, ask = feed(REGISTER, draft, TextAnswer("李明"), TextAnswer("科长"), "back")
    assert isinstance(ask, Ask) and ask.field == "position"
    draft, ask = feed(REGISTER, draft, TextAnswer("副科长"), TextAnswer("13999601234"))
    assert isinstance(ask, Ask) and ask.field == CONFIRM
    draft, ask = feed(REGISTER, draft, ChoiceAnswer(1))  # 返回修改
    assert isinstance(ask, Ask) and ask.field == "phone"
    draft, done = feed(REGISTER, draft, TextAnswer("0996-2029999"), ChoiceAnswer(0))
    assert isinstance(done, Finished) and done.values["position"] == "副科长"
    assert done.values["phone"] == "0996-2029999"


def test_skip_only_optional_steps() -> None:
    draft, _ = start(REGISTER, env=ENV)
    _, ask = advance(REGISTER, draft, "skip", env=ENV)
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == "form.cannot_skip"


def test_cancel_anywhere() -> None:
    draft, _ = start(REGISTER, env=ENV)
    draft, _ = feed(REGISTER, draft, TextAnswer("李明"))
    assert feed(REGISTER, draft, "cancel") == (None, Cancelled())
    draft, _ = start(REGISTER, env=ENV)
    draft, _ = feed(
        REGISTER, draft, TextAnswer("李明"), TextAnswer("科长"), TextAnswer("13999601234")
    )
    assert feed(REGISTER, draft, ChoiceAnswer(2)) == (None, Cancelled())


def test_typing_on_the_confirm_screen_asks_for_the_buttons() -> None:
    draft, _ = start(REGISTER, env=ENV)
    draft, _ = feed(
        REGISTER, draft, TextAnswer("李明"), TextAnswer("科长"), TextAnswer("13999601234")
    )
    same, ask = feed(REGISTER, draft, TextAnswer("好的"))
    assert same == draft and isinstance(ask, Ask) and ask.error is not None
    assert ask.error.id == "form.use_buttons"


def test_prefilled_answers_fill_their_steps() -> None:
    flow = Flow("bind", "t", (Step("unit", "p", Choice(source="categories")),))
    draft, done = start(flow, env=ENV, prefill={"unit": TextAnswer("违规征收类")})
    assert draft is None and done == Finished({"unit": "违规征收类"})
    draft, ask = start(flow, env=ENV, prefill={"unit": TextAnswer("不存在")})
    assert isinstance(ask, Ask) and ask.error is not None and ask.error.id == "form.pick_an_option"


def test_every_answer_moves_the_revision_so_old_buttons_go_stale() -> None:
    draft, _ = start(REGISTER, env=ENV)
    assert draft is not None
    after, _ = feed(REGISTER, draft, TextAnswer("李明"))
    assert after is not None and after.rev == draft.rev + 1


def test_a_draft_survives_json() -> None:
    draft, _ = start(ITEM, env=ENV, context={"unit_id": 3})
    draft, _ = feed(
        ITEM, draft, TextAnswer("甲"), ChoiceAnswer(0), TextAnswer("3"), TextAnswer("12月1日")
    )
    assert draft is not None
    assert Draft.from_json(draft.to_json()) == draft
