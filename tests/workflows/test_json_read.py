"""Reading values of unknown shape, and checking that what is stored is JSON."""

import json
from datetime import date

import pytest

from workflows.forms.engine import Draft
from workflows.forms.inputs import FileAnswer
from workflows.json_read import json_of, list_of, mapping_of, need_int, need_list, str_of


def test_json_is_kept_as_the_json_module_writes_it() -> None:
    value = {"a": (1, 2.5, True, None), 3: ["x", {"y": "z"}]}
    assert json_of(value) == json.loads(json.dumps(value))


def test_what_json_cannot_hold_is_refused_where_it_is_checked() -> None:
    with pytest.raises(TypeError):
        json_of({"day": date(2026, 1, 1)})
    with pytest.raises(TypeError):
        json_of({(1, 2): "a tuple is no key"})


def test_a_wrong_shape_meets_a_default_or_a_type_error() -> None:
    assert mapping_of(["not", "a", "mapping"]) == {}
    assert list_of({"not": "a list"}) == []
    assert str_of(None) == "" and str_of(7) == "7"
    assert need_int("12") == 12
    with pytest.raises(TypeError):
        need_int(None)
    with pytest.raises(TypeError):
        need_list("abc")


def test_a_draft_saved_in_another_shape_does_not_load() -> None:
    with pytest.raises(TypeError):
        Draft.from_json({"flow": "weekly", "step": 0, "values": ["a", "list"]})
    with pytest.raises(TypeError):
        Draft.from_json({"flow": "weekly", "step": 0, "trail": "12"})


def test_a_files_proof_is_kept_as_json() -> None:
    kept = FileAnswer("id", "a.jpg", "image/jpeg", 10, "photo", {"unique_id": "u", "by": (1,)})
    assert kept.as_json()["by"] == [1]
    assert FileAnswer.of(kept.as_json()) == FileAnswer(
        "id", "a.jpg", "image/jpeg", 10, "photo", {"unique_id": "u", "by": [1]}
    )
