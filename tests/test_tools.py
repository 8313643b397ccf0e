"""On a machine without the system tools, their tests are skipped with one line naming the
Debian packages; under TAIZHANG_TEST_STRICT=1 (CI) they fail instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import (
    BROWSER,
    POSTGRES,
    PRINT,
    STRICT,
    Need,
    Tool,
    missing_packages,
    require,
    summary,
)


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A PATH with none of the tools on it (an empty folder), and no strictness."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(STRICT, raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("need", "packages"),
    [
        (BROWSER, "sudo apt-get install chromium chromium-driver"),
        (PRINT, "sudo apt-get install libreoffice-calc libreoffice-writer poppler-utils"),
    ],
)
def test_a_missing_tool_skips_with_one_line_naming_the_packages(
    bare: Path, need: Need, packages: str
) -> None:
    with pytest.raises(pytest.skip.Exception) as skipped:
        require(need)
    line = str(skipped.value)
    assert "\n" not in line and line.startswith(need.what) and packages in line
    assert summary([f"Skipped: {line}", "Skipped: another reason", f"Skipped: {line}"]) == [
        f"skipped 2 test(s): {line}"
    ]


def test_postgresql_is_looked_for_where_debian_keeps_it_too(bare: Path) -> None:
    pg_ctl = Tool("pg_ctl", ("postgresql",), also=(f"{bare}/lib/postgresql/*/bin/pg_ctl",))
    need = Need(POSTGRES.what, (pg_ctl,))
    with pytest.raises(pytest.skip.Exception) as skipped:
        require(need)
    assert str(skipped.value).endswith("need pg_ctl: sudo apt-get install postgresql")
    for version in ("15", "17"):  # the newest of those installed
        found = bare / "lib" / "postgresql" / version / "bin" / "pg_ctl"
        found.parent.mkdir(parents=True)
        found.touch()
    assert require(need) == {"pg_ctl": str(bare / "lib/postgresql/17/bin/pg_ctl")}


def test_in_ci_a_missing_tool_fails_the_test(bare: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STRICT, "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        require(PRINT)
    assert "poppler-utils" in str(failed.value) and STRICT in str(failed.value)


def test_a_tool_on_path_is_found(bare: Path) -> None:
    program = bare / "pdfinfo"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    need = Need("the print tests", (Tool("pdfinfo", ("poppler-utils",)),))
    assert require(need) == {"pdfinfo": str(program)}


def test_ci_is_told_the_packages_of_the_missing_tools(bare: Path) -> None:
    wanted = {"chromium", "chromium-driver", "libreoffice-calc", "libreoffice-writer"}
    assert wanted | {"poppler-utils"} <= set(missing_packages())  # with fonts and PostgreSQL
    # as `.ci/run` asks, with the system's Python, before any venv (so: no pytest there)
    tools = Path(__file__).with_name("tools.py")
    said = subprocess.run([sys.executable, "-S", str(tools)], capture_output=True, text=True)
    assert said.returncode == 0, said.stderr
    assert said.stdout.split() == missing_packages()
