"""Every message exists in zh_CN and en, with the same placeholders; dates read as specified."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from locales import LOCALES, Translator, load_catalog, load_plurals, placeholders, plural_categories
from workflows.calendar.statutory import statutory_holidays
from workflows.messages import lines, msg
from workflows.people.roles import COMMANDS, Role

ROOT = Path(__file__).resolve().parents[1]


def _constants(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def ids_used_in_code() -> set[str]:
    """Message ids the code names: `msg("…")`, flow steps' prompts, titles, summaries, hints."""
    found: set[str] = set()
    for package in ("bot", "workflows", "storage", "locales"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                    if name in ("msg", "Msg", "DateError") and node.args:
                        found |= _constants(node.args[0])
                    if name in ("Step", "Flow") and len(node.args) > 1:  # prompt / title
                        found |= _constants(node.args[1])
                    for kw in node.keywords:
                        if kw.arg in ("prompt", "title", "summary"):
                            found |= _constants(kw.value)
                elif isinstance(node, ast.Assign) and any(
                    getattr(t, "id", "") == "hint" for t in node.targets
                ):
                    found |= _constants(node.value)
    # dotted ids only (conditions inside a call hold other strings); f-string heads expand below
    found = {f for f in found if "." in f and " " not in f and not f.endswith(".")}
    found |= {f"help.cmd.{c.name}" for c in COMMANDS}
    found |= {f"role.name.{r.value}" for r in Role} | {"role.name.none"}
    found |= {f"weekday.{i}" for i in range(7)}
    found |= {"weekly.prompt", "weekly.remind", "weekly.st.rejected"}
    found |= {f"ledger.status.{s}" for s in ("open", "closing", "closed", "paused")}
    found |= {f"weekly.change.{s}" for s in ("plan", "done", "late", "same")}
    found |= {
        f"timeline.{a}"
        for a in (
            "case.forward",
            "case.sign",
            "case.feedback",
            "case.answered",
            "case.extension_asked",
            "case.extension_approved",
            "case.extension_rejected",
        )
    }
    found |= {"format.datetime", "format.date", "format.datetime_year", "format.date_year"}
    found |= {h.festival for h in statutory_holidays(2027)}
    return found


def test_both_catalogs_have_the_same_messages() -> None:
    zh, en = load_catalog("zh_CN"), load_catalog("en")
    assert set(zh) == set(en)


def test_placeholders_match_between_languages() -> None:
    zh, en = load_catalog("zh_CN"), load_catalog("en")
    assert {k: placeholders(zh[k]) for k in zh} == {k: placeholders(en[k]) for k in zh}


def test_every_message_the_code_uses_is_translated() -> None:
    used = ids_used_in_code()
    assert len(used) > 100
    for loc in LOCALES:
        missing = used - set(load_catalog(loc))
        assert not missing, f"{loc} lacks {sorted(missing)}"


def test_dates_read_the_official_way() -> None:
    tr = Translator.load()
    at = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)
    cst = ZoneInfo("Asia/Shanghai")
    assert tr.when(at, "zh_CN", tz=cst) == "2月6日（周五）18:00"
    assert tr.when(at, "en", tz=cst) == "Fri 6 Feb 18:00"
    assert tr.when(date(2026, 2, 6), "zh_CN") == "2月6日（周五）"
    assert tr.when(date(2025, 12, 31), "zh_CN", year=2026) == "2025年12月31日（周三）"


def test_parameters_are_escaped_for_html_but_templates_are_not() -> None:
    tr = Translator.load()
    text = tr.text(msg("register.done", name="<李&明>", unit="轮台县"), escape=True)
    assert text == "已登记：&lt;李&amp;明&gt;，轮台县联络员。"


def test_nested_messages_lists_and_lines() -> None:
    tr = Translator.load()
    roles = msg("help.header", roles=[msg("role.name.admin"), msg("role.name.liaison")])
    assert tr.text(roles) == "<b>可用命令</b>（您的角色：管理员、联络员）"
    assert tr.text(roles, "en") == "<b>Commands</b> (your role: admin, liaison)"
    assert tr.text(lines([msg("role.name.admin"), "x"])) == "管理员\nx"


def test_an_unknown_locale_falls_back_to_chinese() -> None:
    assert Translator.load().text(msg("lang.done"), "fr") == "已切换为中文。"


def test_each_area_has_its_own_catalog_file_and_no_id_is_defined_twice(tmp_path: Path) -> None:
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text('msgid "a"\nmsgstr "甲"\n', encoding="utf-8")
    (folder / "import.po").write_text('msgid "b"\nmsgstr "乙"\n', encoding="utf-8")
    assert load_catalog("zh_CN", tmp_path) == {"a": "甲", "b": "乙"}
    (folder / "more.po").write_text('msgid "a"\nmsgstr "丙"\n', encoding="utf-8")
    try:
        load_catalog("zh_CN", tmp_path)
    except ValueError as err:
        assert "'a'" in str(err)
    else:
        raise AssertionError("a duplicate id was accepted")


def test_a_message_with_a_count_says_one_and_many_in_english() -> None:
    tr = Translator.load()
    one = msg("form.material_files", files=["a.pdf"], count=1)
    two = msg("form.material_files", files=["a.pdf", "b.pdf"], count=2)
    assert tr.text(one, "en") == "1 file: a.pdf"
    assert tr.text(two, "en") == "2 files: a.pdf, b.pdf"
    assert tr.text(msg("import.done", count=1), "en") == "Imported 1 case."
    assert tr.text(msg("import.done", count=0), "en") == "Imported 0 cases."
    assert tr.text(msg("feedback.late", days=1), "en") == "1 working day late"
    assert tr.text(msg("feedback.late", days=3), "en") == "3 working days late"
    assert tr.text(one, "zh_CN") == tr.template("form.material_files").format(
        count=1, files="a.pdf"
    )


def test_plural_forms_have_the_placeholders_of_their_message() -> None:
    for loc in LOCALES:
        catalog = load_catalog(loc)
        for key, forms in load_plurals(loc).items():
            assert set(forms) == set(plural_categories(loc)), key
            chosen_by = placeholders(forms["other"]) & {"count", "days"}
            assert chosen_by, f"{key}: a form is chosen by {{count}} or {{days}}"
            for form in forms.values():
                assert placeholders(form) == placeholders(catalog[key]), (loc, key, form)
    assert plural_categories("en") == ("one", "other")
    assert plural_categories("zh_CN") == ("other",)
