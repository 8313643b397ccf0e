"""JSON as it is kept (drafts, campaign columns, a file's proof): its recursive type, and the
narrowing readers that take a value of unknown shape (`object`) to the type a rule needs.

What we build and store is `JSONValue`; what we read back from a draft or a file is `object`
until one of these readers says what it is, so a wrong shape meets a default, not a crash deep
inside a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

JSONValue: TypeAlias = str | int | float | bool | list["JSONValue"] | dict[str, "JSONValue"] | None
JSONObject: TypeAlias = dict[str, JSONValue]


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


def int_of(value: object, default: int = 0) -> int:
    """`value` as a whole number (a number, or digits as text), else `default`."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | str):
        try:
            return int(value)
        except ValueError:
            return default
    return default


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
