"""The doors stay thin: no adapter imports another adapter, and the use cases know no door.

An adapter is a door into the use cases (`bot/usecases/`): each chat handler module
(`bot/handlers/*.py`), the Mini App (`bot/web/`, one door whose routes share its helpers), the
planner's jobs (`bot/serve/jobs.py`) and the CLI (`bot/cli/`). What two doors share lives in
the use cases or in a helper room below them (`bot/telegram/`, `bot/delivery/`). The
application (`bot/serve/app.py`, `features.py`) assembles the doors and is none of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOORS_UNKNOWN_TO_USE_CASES = (
    "telegram",
    "aiohttp",
    "bot.handlers",
    "bot.web",
    "bot.serve",
    "bot.cli",
    "bot.sandbox",
    "bot.telegram",  # the Telegram adapter's own kit: turns, rendering, buttons
    "bot.delivery",
)


def module_of(path: Path) -> str:
    """The dotted name of a module file."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module a file imports, function-local imports included; `from bot.x import y`
    counts as `bot.x.y` too, in case `y` is a module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def adapter_of(module: str) -> str | None:
    """The door a module belongs to, or None when it is no door."""
    parts = module.split(".")
    if parts[:2] == ["bot", "handlers"] and len(parts) > 2 and parts[2] != "__init__":
        return ".".join(parts[:3])  # each handler module is a door of its own
    if parts[:2] in (["bot", "web"], ["bot", "cli"]):
        return ".".join(parts[:2])
    if module == "bot.serve.jobs":
        return module
    return None


def _bot_files() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py"))


def crossings() -> set[tuple[str, str]]:
    """(importer, imported) for every adapter module that imports another adapter."""
    out: set[tuple[str, str]] = set()
    for path in _bot_files():
        own = adapter_of(module_of(path))
        if own is None:
            continue
        for name in imported(path):
            other = adapter_of(name)
            if other is not None and other != own and name.startswith(other):
                out.add((module_of(path), other))
    return out


def test_no_adapter_imports_another_adapter() -> None:
    # none is left: a /start deep link reaches its feature through the registry
    # (`Feature.starts`), not by /start importing it
    assert crossings() == set(), "a door imports another door: move the shared piece down"


def test_the_use_cases_know_no_door() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            n
            for n in imported(p)
            if n.split(".")[0] in ("telegram", "aiohttp")
            or any(n == d or n.startswith(d + ".") for d in DOORS_UNKNOWN_TO_USE_CASES)
        )
        for p in (ROOT / "bot" / "usecases").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_adapter_rule_sees_a_crossing(tmp_path: Path) -> None:
    # the rule itself: a handler importing another handler, or the web a handler, is found
    assert adapter_of("bot.handlers.weekly") == "bot.handlers.weekly"
    assert adapter_of("bot.web.board") == adapter_of("bot.web.calls") == "bot.web"
    assert adapter_of("bot.serve.jobs") == "bot.serve.jobs"
    assert adapter_of("bot.usecases.week") is None and adapter_of("bot.serve.app") is None
    door = tmp_path / "door.py"
    door.write_text("from bot.handlers import weekly\nimport bot.web.board\n", encoding="utf-8")
    assert {"bot.handlers.weekly", "bot.web.board"} <= imported(door)


# A chat handler or a Mini App route names the rows it is handed (and `saved_id`); what it reads
# or writes, it asks of a use case (`bot/usecases/`).
DOORS_MAY_IMPORT_FROM_STORAGE = {"storage.models"}
# the once-only record of a page's write, keyed by its action id: the web door's own machinery
CALLS_MAY_ALSO_IMPORT = {"storage.page_actions"}


def storage_modules(path: Path) -> set[str]:
    """The `storage` modules a file imports (function-local imports included): `from storage
    import ledger` is `storage.ledger`, `from storage.models import Unit` is `storage.models`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.split(".")[0] == "storage"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "storage":
                names |= {f"storage.{a.name}" for a in node.names}
            elif node.module.startswith("storage."):
                names.add(node.module)
    return names


def storage_reaches(door: Path) -> dict[str, list[str]]:
    """Per module of a door's folder, the `storage` modules it imports that it may not."""
    out: dict[str, list[str]] = {}
    for path in sorted(door.rglob("*.py")):
        allowed = DOORS_MAY_IMPORT_FROM_STORAGE | (
            CALLS_MAY_ALSO_IMPORT if path.name == "calls.py" else set()
        )
        if found := sorted(storage_modules(path) - allowed):
            out[str(path.relative_to(door))] = found
    return out


def test_chat_handlers_read_and_write_through_the_use_cases() -> None:
    reaches = storage_reaches(ROOT / "bot" / "handlers")
    assert reaches == {}, "a handler reaches into storage: ask a use case instead"


def test_the_mini_app_reads_and_writes_through_the_use_cases() -> None:
    assert storage_reaches(ROOT / "bot" / "web") == {}, "a route reads storage: use a use case"


def test_the_storage_rule_sees_every_way_of_importing(tmp_path: Path) -> None:
    door = tmp_path / "door.py"
    door.write_text(
        "from storage import ledger, drafts as d\n"
        "from storage.cases import cases_of\n"
        "import storage.people\n"
        "from storage.models import Unit, saved_id\n"
        "def f():\n"
        "    from storage import summary\n",
        encoding="utf-8",
    )
    assert storage_modules(door) == {
        "storage.ledger",
        "storage.drafts",
        "storage.cases",
        "storage.people",
        "storage.models",
        "storage.summary",
    }
    (tmp_path / "calls.py").write_text(
        "from storage import page_actions\nfrom storage.models import Chat\n", encoding="utf-8"
    )
    (tmp_path / "board.py").write_text("from storage import page_actions\n", encoding="utf-8")
    assert storage_reaches(tmp_path) == {
        "board.py": ["storage.page_actions"],
        "door.py": [
            "storage.cases",
            "storage.drafts",
            "storage.ledger",
            "storage.people",
            "storage.summary",
        ],
    }


SESSION_CALLS = {"get", "exec", "execute", "scalar", "scalars", "add", "delete", "flush", "merge"}


def session_calls(door: Path) -> list[str]:
    """Where a door's modules query or change rows through a session themselves
    (`turn.session.get(...)`, `session.exec(...)`), as `file:line`."""
    found = []
    for path in sorted(door.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            named = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if named == "session" and node.func.attr in SESSION_CALLS:
                found.append(f"{path.relative_to(door)}:{node.lineno}")
    return found


def test_no_door_queries_rows_itself() -> None:
    for door in ("handlers", "web"):
        assert session_calls(ROOT / "bot" / door) == [], f"bot/{door} reads rows: use a use case"


def test_the_session_rule_sees_a_query(tmp_path: Path) -> None:
    (tmp_path / "door.py").write_text(
        "def f(turn, session):\n"
        "    turn.session.get(Unit, 1)\n"
        "    session.exec(select(Unit))\n"
        "    ask(turn.session, 1)\n",
        encoding="utf-8",
    )
    assert session_calls(tmp_path) == ["door.py:2", "door.py:3"]
