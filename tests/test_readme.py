"""README's two set-up commands are real: CI runs the test command word for word; every picture
it shows is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def commands_in_readme() -> list[str]:
    """The commands in README's `Two commands` section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_exactly_two_setup_commands() -> None:
    run, test = commands_in_readme()
    assert run.endswith("taizhang start")  # the bot with a token, the demo without
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    _, test = commands_in_readme()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci


def test_every_picture_in_readme_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r'<img src="([^"]+)"|!\[[^\]]*\]\(([^)]+)\)', readme)
    paths = [a or b for a, b in pictures]
    assert len(paths) >= 5
    assert [p for p in paths if not (ROOT / p).is_file()] == []


def test_every_test_file_named_in_readme_and_ci_exists() -> None:
    """A test file moved or renamed takes README's and CI's references with it (CI's
    bare-machine run names two test ids: a stale one would be skipped as "not found")."""
    named = set()
    for doc in ("README.md", ".ci/run"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        named |= set(re.findall(r"tests/[\w/]+\.py(?:::\w+)?", text))
    assert len(named) >= 10
    assert [ref for ref in sorted(named) if not _exists(ref)] == []


def _exists(ref: str) -> bool:
    """A test file, or a test id (`path::name`), that is in the repository."""
    path, _, test = ref.partition("::")
    if not (ROOT / path).is_file():
        return False
    return not test or f"def {test}(" in (ROOT / path).read_text(encoding="utf-8")
