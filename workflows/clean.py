"""Text as people send it, cleaned at every door in one way: the chat's messages and captions,
the pages' JSON, the workbooks' cells and the names of files.

Control characters have no place in a ledger. A vertical tab (U+000B, Word's manual line
break pasted into a name) is not allowed in XML 1.0, so one such name broke the circular
(.docx) and the export for the whole campaign; U+0000 cannot be stored in PostgreSQL's text.
So: CR LF and CR become LF, vertical tab and form feed become LF, tab stays, and the other
C0 and C1 controls, DEL, lone surrogates and the non-characters U+FFFE/U+FFFF are dropped.
What people mean to write — markup, RTL marks, zero-width joiners, emoji — is left as it is:
it is escaped where it is shown.
"""

from __future__ import annotations

import re

_NEWLINES = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """The text without control characters; line breaks made `\\n`."""
    if text.isprintable():  # the common case, in one C call
        return text
    return _DROPPED.sub("", _NEWLINES.sub("\n", text))


def clean_json(value: object) -> object:
    """Every string of parsed JSON (keys too) cleaned as `clean_text` cleans it."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


def clean_name(name: str) -> str:
    """A file's name on one line: its line breaks and tabs made spaces, controls dropped."""
    return " ".join(clean_text(name).split("\n")).replace("\t", " ").strip()
