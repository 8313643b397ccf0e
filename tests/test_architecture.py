"""The house rules that keep the domain pure."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"telegram", "sqlmodel", "sqlalchemy", "alembic", "aiohttp", "bot", "storage"}


def imports_of(path: Path) -> set[str]:
    """Top-level package names a module imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_workflows_import_neither_telegram_nor_the_database() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(imports_of(p) & FORBIDDEN)
        for p in (ROOT / "workflows").rglob("*.py")
        if imports_of(p) & FORBIDDEN
    }
    assert offenders == {}


def test_workflows_never_read_the_clock() -> None:
    clock = re.compile(r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(")
    offenders = [str(p) for p in (ROOT / "workflows").rglob("*.py") if clock.search(p.read_text())]
    assert offenders == []


def test_every_room_of_workflows_says_what_lives_there() -> None:
    """workflows/ is in rooms by capability: each opens with a docstring naming what it holds,
    and re-exports nothing (one home for each name: `from workflows.week.weekly import ...`)."""
    rooms = [p for p in (ROOT / "workflows").iterdir() if (p / "__init__.py").exists()]
    assert len(rooms) >= 8
    for room in rooms:
        tree = ast.parse((room / "__init__.py").read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), room.name
        if room.name != "planner":  # the planner's entry point, `plan`, lives in its __init__
            assert len(tree.body) == 1, f"{room.name}/__init__.py holds more than its docstring"


def test_storage_does_not_import_telegram() -> None:
    offenders = [str(p) for p in (ROOT / "storage").rglob("*.py") if "telegram" in imports_of(p)]
    assert offenders == []


def test_no_chinese_literals_in_bot_code() -> None:
    han = re.compile(r"[\u4e00-\u9fff]")
    # the local API's own bot name; the sandbox's and the demo's simulated people and what they
    # type: data, like the seeds' quotes in tests, not sentences the bot says
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        if path.parent.name == "sandbox":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and id(node) not in docstrings and han.search(text):
                offenders.append(f"{path.name}: {text[:30]}")
    assert offenders == []


def test_no_assert_guards_the_running_code() -> None:
    # `python -O` strips asserts: a check the code relies on must raise on its own
    # (workflows.guards.required, or an explicit error)
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for package in ("bot", "workflows", "storage", "locales")
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert offenders == []


# The rooms of bot/ and whom each may call: lower rooms never reach up, so a change to a
# handler cannot break the adapter, and the sandbox stands on the runtime like production.
ROOMS: dict[str, set[str]] = {
    "config": set(),
    "usecases": {"config"},
    "telegram": {"config", "usecases"},
    "delivery": {"config", "telegram", "usecases"},
    "handlers": {"config", "telegram", "delivery", "usecases"},
    "web": {"config", "telegram", "delivery", "handlers", "usecases"},
    "serve": {"config", "telegram", "delivery", "handlers", "web", "usecases"},
    "sandbox": {"config", "telegram", "serve", "web", "usecases"},
    "cli": {"config", "telegram", "delivery", "handlers", "serve", "sandbox", "web", "usecases"},
}
LAYERS: dict[str, set[str]] = {
    "workflows": set(),
    "storage": {"workflows"},
    "bot": {"workflows", "storage"},
}


def room_of(path: Path) -> str:
    """The room of bot/ a file lives in (a module at the top of bot/ is its own room)."""
    parts = path.relative_to(ROOT / "bot").parts
    return parts[0] if len(parts) > 1 else path.stem


def bot_rooms_imported(path: Path) -> set[str]:
    """The rooms of bot/ a module imports from."""
    rooms: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "bot" else [f"bot.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        rooms |= {n.split(".")[1] for n in names if n.startswith("bot.")}
    return rooms


def test_every_room_of_bot_is_known() -> None:
    found = {room_of(p) for p in (ROOT / "bot").rglob("*.py") if p.parent != ROOT / "bot"}
    found |= {p.stem for p in (ROOT / "bot").glob("*.py") if p.stem != "__init__"}
    assert found == set(ROOMS)


def test_rooms_of_bot_only_call_downwards() -> None:
    offenders = {
        str(p.relative_to(ROOT)): sorted(bad)
        for p in (ROOT / "bot").rglob("*.py")
        if p != ROOT / "bot" / "__init__.py"
        and (bad := bot_rooms_imported(p) - ROOMS[room_of(p)] - {room_of(p)})
    }
    assert offenders == {}


def test_top_level_packages_only_call_downwards() -> None:
    ours = set(LAYERS)
    offenders = {
        str(p.relative_to(ROOT)): sorted(bad)
        for package, allowed in LAYERS.items()
        for p in (ROOT / package).rglob("*.py")
        if (bad := (imports_of(p) & ours) - allowed - {package})
    }
    assert offenders == {}


_PATH = re.compile(r"`?((?:bot|workflows|storage|locales|tests|bench)/[\w/]*\w\.py)")
_DOTTED = re.compile(r"`((?:bot|workflows|storage)\.[\w.]+)`")


def _texts() -> list[Path]:
    """README and every module of the product: the places that name other modules."""
    code = [
        p for pkg in ("bot", "workflows", "storage", "locales") for p in (ROOT / pkg).rglob("*.py")
    ]
    return [ROOT / "README.md", *code]


def test_every_module_path_named_in_readme_and_docstrings_exists() -> None:
    missing = sorted(
        f"{path.relative_to(ROOT)}: {found}"
        for path in _texts()
        for found in _PATH.findall(path.read_text(encoding="utf-8"))
        if not (ROOT / found).exists()
    )
    assert missing == []


def test_every_dotted_module_named_in_readme_and_docstrings_exists() -> None:
    def exists(name: str) -> bool:  # `bot.telegram.turn.Steps`: its module, then names in it
        module = ROOT.joinpath(*name.split(".")[:2])
        return module.with_suffix(".py").exists() or (module / "__init__.py").exists()

    missing = sorted(
        f"{path.relative_to(ROOT)}: {found}"
        for path in _texts()
        for found in _DOTTED.findall(path.read_text(encoding="utf-8"))
        if not exists(found)
    )
    assert missing == []


def test_notice_keys_are_spelled_only_in_workflows_keys() -> None:
    """Keys are the outbox's wire format: two spellings of one would lose or double a notice."""
    shapes = re.compile(r""":chat:|:admin:|f"(?:item|weekly|digest|case|deadline|catchup|draft):""")
    offenders = [
        str(path.relative_to(ROOT))
        for pkg in ("bot", "workflows", "storage")
        for path in (ROOT / pkg).rglob("*.py")
        if path != ROOT / "workflows" / "keys.py"
        and "migrations" not in path.parts
        and shapes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# The names every module of a kind declares for the one place that collects them (Django's
# `urlpatterns`): each handler module's FEATURE and each page's ROUTES (both joined in
# bot/serve/features.py) mean the same thing in every module. No other name may be defined twice.
SAME_IN_EVERY_MODULE = {"FEATURE", "ROUTES"}


def _own_plumbing(node: ast.stmt) -> bool:
    """`logger = logging.getLogger(__name__)` and `T = TypeVar("T")`: each module's own."""
    value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
    if not isinstance(value, ast.Call):
        return False
    called = value.func
    name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
    return name in {"getLogger", "TypeVar"}


def public_definitions() -> dict[str, list[str]]:
    """Every public name a module of bot/, workflows/ or storage/ defines at its top level
    (a function, a class, an assignment; not an import), and the modules that define it."""
    found: dict[str, list[str]] = {}
    for package in ("bot", "workflows", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names = [node.name]
                elif isinstance(node, ast.Assign) and not _own_plumbing(node):
                    names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names = [] if _own_plumbing(node) else [node.target.id]
                else:
                    names = []
                for name in names:
                    if not name.startswith("_"):
                        found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_no_public_name_is_defined_in_two_modules() -> None:
    """One name, one meaning: `Answer` was a step's answer and an HTTP answer. A name wanted
    in a second module is imported from the first, or the new meaning gets a name of its own."""
    twice = {
        name: modules
        for name, modules in public_definitions().items()
        if len(modules) > 1 and name not in SAME_IN_EVERY_MODULE
    }
    assert twice == {}
