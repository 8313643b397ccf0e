"""Words people type as command arguments, in either language, and what they mean."""

from __future__ import annotations

import unicodedata

from workflows.roles import Role


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

ROSTER_DELIVERABLE = "联络员名单"  # the deliverable that registering liaisons fulfils (seed 000)
