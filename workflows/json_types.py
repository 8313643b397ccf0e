"""JSON as it is stored and sent: one recursive type, so that a column or a Telegram payload
says what it holds, and a reader narrows what it takes out of it (`json_int`, `json_str`, …)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from typing_extensions import TypeAliasType

if TYPE_CHECKING:
    JSONValue: TypeAlias = (
        str | int | float | bool | list["JSONValue"] | dict[str, "JSONValue"] | None
    )
else:  # pydantic (the tables' models) needs a named alias to follow the recursion
    JSONValue = TypeAliasType(
        "JSONValue",
        str | int | float | bool | list["JSONValue"] | dict[str, "JSONValue"] | None,
    )

JSONObject: TypeAlias = dict[str, JSONValue]
JSONArray: TypeAlias = list[JSONValue]


def json_object(value: JSONValue) -> JSONObject:
    """`value` if it is a JSON object, else an empty one (a key absent from what was stored)."""
    return value if isinstance(value, dict) else {}


def json_int(value: JSONValue) -> int | None:
    """`value` if it is a whole number (never a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def json_ints(value: JSONValue) -> list[int]:
    """The whole numbers of a stored list (none if it is absent)."""
    items = value if isinstance(value, list) else []
    return [v for v in items if isinstance(v, int) and not isinstance(v, bool)]


def json_str(value: JSONValue, default: str = "") -> str:
    """`value` if it is a string, else `default`."""
    return value if isinstance(value, str) else default


def json_number(value: JSONValue) -> float | None:
    """`value` if it is a number (never a bool), else None; a whole number stays whole."""
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None
