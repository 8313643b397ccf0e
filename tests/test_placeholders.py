"""Every `msg("id", name=…)` in the code passes exactly the placeholders its template has."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from locales import Translator, load_catalog, placeholders
from workflows.messages import msg

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "workflows", "storage", "locales")
EXPANSIONS = {  # f-string ids whose family holds other messages: the values the code gives
    "weekly.{stage}": "prompt|remind",
    "weekly.change.{status}": "plan|done|late|same",
}


def _id_pattern(node: ast.expr) -> re.Pattern[str] | None:
    """The message ids a call's first argument can name: itself, or an f-string's expansions."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.compile(re.escape(node.value))
    if not isinstance(node, ast.JoinedStr):
        return None
    source = ast.unparse(node)[2:-1]  # f"weekly.{stage}" → weekly.{stage}
    parts = [
        re.escape(v.value)
        if isinstance(v, ast.Constant)
        else "(" + EXPANSIONS.get(source, r"[\w.]+") + ")"
        for v in node.values
    ]
    return re.compile("".join(parts))


def msg_calls() -> list[tuple[str, re.Pattern[str], set[str], bool]]:
    """(where, id pattern, keyword names, whether `**more` is passed too) of each `msg(…)`."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "msg"
                    and node.args
                ):
                    continue
                pattern = _id_pattern(node.args[0])
                if pattern is None:  # an id held in a variable (a flow step's prompt)
                    continue
                names = {kw.arg for kw in node.keywords if kw.arg is not None}
                splat = any(kw.arg is None for kw in node.keywords)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append((where, pattern, names, splat))
    return found


def test_every_call_passes_the_placeholders_of_its_message() -> None:
    catalog = load_catalog("zh_CN")
    calls = msg_calls()
    assert len(calls) > 200
    wrong = []
    for where, pattern, names, splat in calls:
        ids = [i for i in catalog if pattern.fullmatch(i)]
        if not ids:
            wrong.append(f"{where}: no message matches {pattern.pattern}")
        for message_id in ids:
            wanted = placeholders(catalog[message_id])
            if names - wanted or (not splat and wanted - names):
                wrong.append(f"{where}: {message_id} wants {sorted(wanted)}, gets {sorted(names)}")
    assert wrong == []


def test_a_strict_translator_refuses_a_missing_placeholder() -> None:
    message = msg("register.done", name="李明")  # no unit
    assert Translator.load().text(message) == "已登记：李明，{unit}联络员。"
    with pytest.raises(KeyError, match=r"register\.done"):
        Translator.load(strict=True).text(message)
