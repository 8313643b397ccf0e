"""Control characters are cleaned the same way at every door; what people mean stays."""

from __future__ import annotations

import pytest

from workflows.clean import clean_json, clean_name, clean_text


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("违规\x0b强拆", "违规\n强拆"),  # Word's manual line break: broke the circular
        ("名\x00称", "名称"),  # NUL: PostgreSQL's text cannot hold it
        ("一\r\n二\r三\x0c四", "一\n二\n三\n四"),
        ("\x1b[31m红\x7f\x85\x9f", "[31m红\n"),
        ("\ud800孤\udfff", "孤"),  # lone surrogates (JSON's \\ud800) cannot be encoded
        ("\ufffe\uffff", ""),
        (
            "<b>粗</b> &amp; </script> javascript:alert(1)",
            "<b>粗</b> &amp; </script> javascript:alert(1)",
        ),
        ("\u202e逆\u200b零\u200d👨‍👩‍👧\t制表", "\u202e逆\u200b零\u200d👨‍👩‍👧\t制表"),
        ("", ""),
    ],
)
def test_controls_are_cleaned_and_what_people_mean_is_kept(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept
    assert clean_text(kept) == kept  # once is enough


def test_page_json_is_cleaned_keys_and_all() -> None:
    given = {"name\x00": ["a\x0bb", {"c": "d\x01"}, 3, None, True]}
    assert clean_json(given) == {"name": ["a\nb", {"c": "d"}, 3, None, True]}


def test_a_file_name_is_one_line() -> None:
    assert clean_name("回执\r\nSet-Cookie: x=1\t.pdf\x00") == "回执 Set-Cookie: x=1 .pdf"
