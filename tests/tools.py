"""The system tools some tests need and the Debian packages that bring them, in one place.

README's test command passes on a bare Debian or Ubuntu machine: a test that needs a tool it
cannot find is skipped with one line naming the packages to install (repeated once at the end
of the run by `tests/conftest.py`). Under TAIZHANG_TEST_STRICT=1, which `.ci/run` sets, such a
skip fails instead, so CI runs everything. Programs are looked for on PATH, as a shell would.
`python3 tests/tools.py` prints the packages of the tools this machine lacks: what `.ci/run`
installs (no third-party import here, so the system's Python runs it before any venv).
"""

from __future__ import annotations

import glob
import os
import shutil
from dataclasses import dataclass

STRICT = "TAIZHANG_TEST_STRICT"


@dataclass(frozen=True)
class Tool:
    """A program looked for on PATH (or, where Debian keeps it off PATH, at `also`), or a file
    looked for at `also` alone; and the Debian packages that bring it."""

    name: str
    packages: tuple[str, ...]
    on_path: bool = True
    also: tuple[str, ...] = ()  # glob patterns, newest version last

    def path(self) -> str | None:
        """Where the tool is, or None."""
        found = shutil.which(self.name) if self.on_path else None
        for pattern in self.also:
            found = found or next(reversed(sorted(glob.glob(pattern, recursive=True))), None)
        return found


@dataclass(frozen=True)
class Need:
    """What a group of tests needs, named for the skip line."""

    what: str
    tools: tuple[Tool, ...]

    def missing(self) -> tuple[Tool, ...]:
        """The tools not found on this machine."""
        return tuple(t for t in self.tools if t.path() is None)

    def line(self, missing: tuple[Tool, ...]) -> str:
        """The one line a skip says: what is missing and what to install."""
        names = ", ".join(t.name for t in missing)
        packages = " ".join(dict.fromkeys(p for t in missing for p in t.packages))
        return f"{self.what} need {names}: sudo apt-get install {packages}"


CJK_FONTS = Tool(
    "Noto CJK fonts",
    ("fonts-noto-cjk",),
    on_path=False,
    also=("/usr/share/fonts/**/NotoSansCJK-Regular.*", "/usr/share/fonts/**/NotoSerifCJK-*"),
)
CHROMIUM = Tool("chromium", ("chromium",))
CHROMEDRIVER = Tool("chromedriver", ("chromium-driver",))
SOFFICE = Tool("soffice", ("libreoffice-calc", "libreoffice-writer"))  # either brings it
LO_CALC = Tool(
    "LibreOffice Calc",
    ("libreoffice-calc",),
    on_path=False,
    also=("/usr/lib/libreoffice/program/libsclo.so",),
)
LO_WRITER = Tool(
    "LibreOffice Writer",
    ("libreoffice-writer",),
    on_path=False,
    also=("/usr/lib/libreoffice/program/libswlo.so",),
)
PDFINFO = Tool("pdfinfo", ("poppler-utils",))
PDFTOTEXT = Tool("pdftotext", ("poppler-utils",))
PG_CTL = Tool("pg_ctl", ("postgresql",), also=("/usr/lib/postgresql/*/bin/pg_ctl",))

BROWSER = Need("the Mini App's browser tests", (CHROMIUM, CHROMEDRIVER, CJK_FONTS))
PRINT = Need("the print tests", (SOFFICE, LO_CALC, LO_WRITER, PDFINFO, PDFTOTEXT, CJK_FONTS))
POSTGRES = Need("the PostgreSQL tests", (PG_CTL,))
NEEDS = (BROWSER, PRINT, POSTGRES)
# the modules whose helpers need a tool: a test module using any of them is skipped before its
# fixtures are set up (tests/conftest.py), not once its world is built
HELPERS = {
    "tests.browser": BROWSER,
    "tests.e2e.reports.test_supervisor_prints_the_export_and_the_circular": PRINT,
}


def strict() -> bool:
    """Whether a missing tool fails the test (CI) rather than skipping it."""
    return os.environ.get(STRICT, "") == "1"


def require(need: Need) -> dict[str, str]:
    """Each tool's path; or the test is skipped with one line naming the packages (failed
    under TAIZHANG_TEST_STRICT=1)."""
    import pytest  # here: the system's Python runs this module as a script, without pytest

    missing = need.missing()
    if missing:
        line = need.line(missing)
        if strict():
            pytest.fail(f"{line} ({STRICT}=1: a missing tool fails)", pytrace=False)
        pytest.skip(line)
    return {t.name: t.path() or "" for t in need.tools}


def summary(reasons: list[str]) -> list[str]:
    """The run's closing lines: each missing tools' line once, with the tests it skipped.

    The lines are made again here, not kept by `require`: under pytest-xdist the tests run in
    worker processes and only their reports come back."""
    lines = sorted(need.line(missing) for need in NEEDS if (missing := need.missing()))
    return [
        f"skipped {count} test(s): {line}"
        for line in lines
        if (count := sum(line in reason for reason in reasons))
    ]


def needs_of(names: dict[str, object]) -> set[Need]:
    """What a test module's names need: the tools of the helpers it defines or imports."""
    modules = {getattr(value, "__module__", None) for value in names.values()}
    return {need for module, need in HELPERS.items() if module in modules}


def missing_packages() -> list[str]:
    """The Debian packages of every tool this machine lacks, each once."""
    return list(dict.fromkeys(p for need in NEEDS for t in need.missing() for p in t.packages))


if __name__ == "__main__":
    print(" ".join(missing_packages()))
