"""Values of unknown shape (a draft's answers, a file's proof, a campaign file as parsed) read
as the type a rule needs: each reader narrows an `object`, so a wrong shape meets a default
or a `TypeError` where it is read, not a crash deep inside a rule; `json_of` checks that what
is about to be stored is JSON (`workflows/json_types.JSONValue`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from workflows.json_types import JSONObject, JSONValue


def mapping_of(value: object) -> Mapping[str, object]:
    """`value` when it is a mapping (a file kept, a material), else an empty one."""
    return value if isinstance(value, Mapping) else {}


def list_of(value: object) -> list[object]:
    """`value`'s items when it is a list, else none."""
    return list(value) if isinstance(value, list | tuple) else []


def str_of(value: object, default: str = "") -> str:
    """`value` as text: a string as it is, None (or nothing) as `default`, a number written."""
    if value is None:
        return default
    return value if isinstance(value, str) else str(value)


def need_int(value: object) -> int:
    """`value` as a whole number, as `int()` reads it; `TypeError` when it is no number at all."""
    if isinstance(value, int | float | str):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


def need_mapping(value: object) -> Mapping[str, object]:
    """`value` when it is a mapping; `TypeError` otherwise (a draft saved in another shape)."""
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"not a mapping: {value!r}")


def need_list(value: object) -> list[object]:
    """`value`'s items when it is a list; `TypeError` otherwise."""
    if isinstance(value, list | tuple):
        return list(value)
    raise TypeError(f"not a list: {value!r}")


def json_of(value: object) -> JSONValue:
    """`value` as the JSON it is stored as (a tuple is a list, as `json` writes it);
    `TypeError` for anything JSON cannot hold, as storing it would fail."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {_key(k): json_of(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_of(v) for v in value]
    raise TypeError(f"not JSON: {value!r}")


def json_object_of(value: Mapping[str, object]) -> JSONObject:
    """A mapping (a flow's context, a TypedDict) as the JSON object it is stored as."""
    return {key: json_of(item) for key, item in value.items()}


def _key(key: object) -> str:
    """A key as JSON writes it: a number (or None, or a truth) as its text."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, int | float):
        return json.dumps(key)
    raise TypeError(f"not a JSON key: {key!r}")


def need_object(value: JSONValue) -> JSONObject:
    """`value` when it is a JSON object; `TypeError` otherwise (a draft saved in another shape)."""
    if isinstance(value, dict):
        return value
    raise TypeError(f"not an object: {value!r}")
