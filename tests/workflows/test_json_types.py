"""Reading what a JSON column or payload holds: a value of the wrong kind is not taken."""

from __future__ import annotations

from workflows.json_types import json_int, json_ints, json_number, json_object, json_str


def test_a_whole_number_is_taken_and_a_bool_is_not() -> None:
    assert json_int(7) == 7
    assert json_int(True) is None
    assert json_int("7") is None
    assert json_int(None) is None


def test_a_stored_list_keeps_its_whole_numbers_only() -> None:
    assert json_ints([3, "4", 5.0, False, 6]) == [3, 6]
    assert json_ints(None) == []


def test_a_number_stays_as_it_was_stored() -> None:
    assert json_number(39) == 39 and isinstance(json_number(39), int)
    assert json_number(39.5) == 39.5
    assert json_number(False) is None
    assert json_number("39") is None


def test_an_object_or_a_string_of_the_wrong_kind_reads_as_empty() -> None:
    assert json_object({"a": 1}) == {"a": 1}
    assert json_object([1]) == {}
    assert json_str("x") == "x"
    assert json_str(1) == ""
    assert json_str(None, "-") == "-"
