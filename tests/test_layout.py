"""tests/workflows/ mirrors workflows/: a folder per room, named as the room, and at its top only
the tests of the modules every room speaks (workflows/*.py), each named for its module."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES, TESTS = ROOT / "workflows", ROOT / "tests" / "workflows"


def _rooms(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}


def test_each_room_of_workflows_has_its_test_folder_and_no_other() -> None:
    assert _rooms(TESTS) == _rooms(RULES)


def test_a_flat_test_of_workflows_tests_a_module_every_room_speaks() -> None:
    flat = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert flat  # the shared modules are tested
    assert [n for n in flat if not (RULES / n.removeprefix("test_")).is_file()] == []
