"""Numbers typed or forged: only plain ones that a database column holds are numbers."""

from __future__ import annotations

import pytest

from workflows.words import ROW_ID, TELEGRAM_ID, whole_number


@pytest.mark.parametrize(
    ("text", "most", "expected"),
    [
        ("7", ROW_ID, 7),
        ("0007", ROW_ID, 7),
        ("-1001234567890", TELEGRAM_ID, -1001234567890),
        ("2147483647", ROW_ID, 2147483647),
        ("2147483648", ROW_ID, None),  # past PostgreSQL's INTEGER
        ("99999999999999999999", TELEGRAM_ID, None),
        ("²", ROW_ID, None),  # str.isdigit() says yes, int() says no
        ("١٢", ROW_ID, None),  # Arabic-Indic digits: not what an id is written with
        ("--5", TELEGRAM_ID, None),
        ("", ROW_ID, None),
        ("1e3", ROW_ID, None),
        (" 7", ROW_ID, None),
    ],
)
def test_whole_numbers(text: str, most: int, expected: int | None) -> None:
    assert whole_number(text, most) == expected
