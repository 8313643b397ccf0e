"""The callback data codec: what the bot builds parses back; anything else is None."""

from __future__ import annotations

import pytest

from workflows.forms.buttons import (
    CALLBACK_LIMIT,
    MAX_REF,
    SHAPES,
    Action,
    FormPress,
    Verb,
    callback_data,
    parse,
)


def sample_refs(verb: Verb) -> tuple[int | str, ...]:
    return tuple(7 + i if kind is int else f"w{i}" for i, kind in enumerate(SHAPES[verb]))


@pytest.mark.parametrize("verb", list(Verb))
def test_every_verb_round_trips(verb: Verb) -> None:
    pressed = Action(verb, sample_refs(verb))
    assert parse(pressed.data) == pressed
    assert parse(callback_data(verb, *sample_refs(verb))) == pressed


def test_the_wire_format_is_the_one_already_sent() -> None:
    # messages in chats still carry buttons built before the codec
    assert callback_data(Verb.CO_OK, 12, 40) == "a:co_ok:12:40"
    assert callback_data(Verb.IMP_UNIT, 3, 4) == "a:imp_unit:3:4"
    assert FormPress(5, 2, 0).data == "f:5:2:0"
    assert parse("a:items:0") == Action(Verb.ITEMS, (0,))
    assert parse("f:5:2:0") == FormPress(5, 2, 0)


def test_a_close_out_button_sent_before_it_named_its_ask_is_still_read() -> None:
    legacy = parse("a:co_ok:12")
    assert legacy == Action(Verb.CO_OK, (12,))
    assert legacy.ref == 12 and legacy.optional(1) is None
    assert parse("a:co_no:12:40") == Action(Verb.CO_NO, (12, 40))
    assert Action(Verb.CO_NO, (12, 40)).optional(1) == 40
    with pytest.raises(ValueError):  # read, never sent
        callback_data(Verb.CO_OK, 12)


def test_the_first_ref_is_a_number() -> None:
    assert Action(Verb.IMP_UNIT, (3, 4)).ref == 3
    assert Action(Verb.IMP_UNIT, (3, 4)).number(1) == 4


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "a",
        "a:",
        "a:submit",
        "a:submit:",
        "a:submit:x",
        "a:submit:-1",
        "a:submit:1.5",
        "a:submit:1:2",  # one ref too many
        "a:imp_unit:1",  # one too few
        "a:imp_unit:1:x",
        "a:co_ok:1:2:3",
        "a:co_ok:1:x",
        "a:nosuchverb:1",
        "a:SUBMIT:1",
        "b:submit:1",
        "a:submit:１",  # full-width digits are not what the bot sends
        "a:submit:1234567890123",  # more digits than any id
        "a:submit:2147483648",  # past the INTEGER ids of the database
        "f:2147483648:1:0",
        "f:1:2",
        "f:1:2:3:4",
        "f:x:2:3",
        "f:1:2:1234",
        "a:submit:" + "1" * 60,
        "x" * (CALLBACK_LIMIT + 1),
    ],
)
def test_forged_data_parses_to_none(data: str | None) -> None:
    assert parse(data) is None


@pytest.mark.parametrize(
    ("verb", "refs"),
    [
        (Verb.SUBMIT, ()),
        (Verb.SUBMIT, (1, 2)),
        (Verb.SUBMIT, ("1",)),
        (Verb.SUBMIT, (-1,)),
        (Verb.SUBMIT, (True,)),
        (Verb.IMP_UNIT, (1,)),
    ],
)
def test_building_refuses_refs_that_do_not_fit(verb: Verb, refs: tuple[int | str, ...]) -> None:
    with pytest.raises(ValueError):
        Action(verb, refs)


def test_every_verb_fits_telegram_with_the_largest_ids() -> None:
    for verb in Verb:
        largest = tuple(MAX_REF for _ in SHAPES[verb])
        assert len(Action(verb, largest).data.encode()) <= CALLBACK_LIMIT
