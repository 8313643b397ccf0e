"""Words people type as command arguments, in either language, and what they mean."""

from __future__ import annotations

import re
import unicodedata

from workflows.people.roles import Role

ROW_ID = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL
TELEGRAM_ID = 2**63 - 1  # user and chat ids are 64-bit
_WHOLE = re.compile(r"-?[0-9]{1,19}")


def whole_number(text: str, most: int = ROW_ID) -> int | None:
    """`123` (ASCII digits, maybe a minus) as a number no larger than `most` either way; or None.

    What people type and what a forged button carries: `²`, `--5` or `99999999999` are not
    ids, and must not reach a query that the database would refuse.
    """
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if abs(value) <= most else None


def name_key(name: str) -> str:
    """A name as compared: full-width folded, case-insensitive, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


ROLE_WORDS: dict[str, Role | None] = {
    "liaison": Role.LIAISON,
    "联络员": Role.LIAISON,
    "supervisor": Role.SUPERVISOR,
    "督办": Role.SUPERVISOR,
    "专班": Role.SUPERVISOR,
    "admin": Role.ADMIN,
    "管理员": Role.ADMIN,
    "none": None,
    "无": None,
}

WORKDAY_WORDS: dict[str, bool] = {"on": True, "上班": True, "off": False, "休息": False}

MAKEUP_NOTE = "调休上班"  # the note an imported make-up working day is stored with

LANGUAGE_WORDS = {"zh": "zh_CN", "zh_cn": "zh_CN", "中文": "zh_CN", "en": "en", "english": "en"}

WEEK_WORDS = {"week", "本周", "周"}  # /summary week
CIRCULAR_WORDS = {"circular", "通报", "word", "docx"}  # /summary 通报: the circular as .docx

ROSTER_DELIVERABLE = "联络员名单"  # the deliverable that registering liaisons fulfils (seed 000)
