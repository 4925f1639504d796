"""The text catalogs (`locales/<locale>/texts/*.yaml`) against the code and each other.

- every key the code names (a literal full key such as "tickets.expired", or a key under a
  section it bound with `texts.bind(locale, "manager")`) exists in every locale's own files,
  and every key prefix the code builds keys from at run time (f"safety.{intent}.now") has
  keys in every locale;
- every locale has the same keys, and each key the same placeholders;
- every plural entry has exactly the forms its locale's plural rules use;
- every text renders in every locale (Traditional Chinese included) with values of the
  kinds its placeholders name, nothing left in braces.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import REPO_ROOT
from bot.texts import (
    FORMATS,
    TRADITIONAL,
    Plural,
    Texts,
    babel_locale,
    format_strict,
    load_locale,
)

LOCALES_DIR = REPO_ROOT / "locales"
LOCALES = sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "texts").is_dir())
CATALOG = {loc: load_locale(LOCALES_DIR / loc) for loc in LOCALES}
AREAS = sorted({key.split(".", 1)[0] for keys in CATALOG.values() for key in keys})
FULL_KEY = re.compile(rf"^(?:{'|'.join(AREAS)})(?:\.[A-Za-z0-9_]+)+$")
BOUND_CALLS = ("plain", "has", "raw", "get")
SAMPLE_WHEN = datetime(2026, 12, 6, 9, 5, tzinfo=UTC)


def _defined(locale: str, key: str) -> bool:
    """`key` is a text of `locale`, or a section that holds texts."""
    keys = CATALOG[locale]
    return key in keys or any(k.startswith(key + ".") for k in keys)


# -- what the code names ----------------------------------------------------------------------
def _name(node: ast.AST) -> str | None:
    """`m`, `self.m`, or `self.t()` (a method returning bound texts)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Call):
        inner = _name(node.func)
        return f"{inner}()" if inner else None
    return None


def _section(node: ast.AST | None) -> str | None:
    """The section of `texts.bind(locale, "manager")` / `bound.section("tickets.age")`."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    args = list(node.args)
    args += [kw.value for kw in node.keywords if kw.arg == "section"]
    if node.func.attr == "bind" and len(args) >= 2:
        arg = args[1]
    elif node.func.attr == "section" and args:
        arg = args[0]
    else:
        return None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _bindings(scope: ast.AST) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            section = _section(node.value)
            name = _name(node.targets[0])
            if section is not None and name:
                out[name] = section
        elif isinstance(node, ast.FunctionDef):
            for ret in ast.walk(node):
                section = _section(ret.value) if isinstance(ret, ast.Return) else None
                if section is not None:
                    out[f"self.{node.name}()"] = section
    return out


def _call_target(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in BOUND_CALLS:
        return _name(func.value)
    return _name(func)


def used_keys() -> Iterator[tuple[str, str, bool]]:
    """(where, key, is_prefix) for every text key named in bot/."""
    for path in sorted((REPO_ROOT / "bot").rglob("*.py")):
        if "storage" in path.parts:  # "tickets.id" there is a column, not a text
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(REPO_ROOT))
        module_bindings = {k: v for k, v in _bindings(tree).items() if k.startswith("self.")}
        pieces = {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        for node in ast.walk(tree):
            if id(node) in pieces:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if FULL_KEY.match(node.value):
                    yield where, node.value, False
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if isinstance(head, ast.Constant) and isinstance(head.value, str):
                    prefix = head.value.rsplit(".", 1)[0] if "." in head.value else ""
                    if prefix and FULL_KEY.match(prefix):
                        yield where, prefix, True
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            bindings = {**module_bindings, **_bindings(function)}
            for call in ast.walk(function):
                if not isinstance(call, ast.Call) or not call.args:
                    continue
                target = _call_target(call)
                if target not in bindings or not bindings[target]:
                    continue
                first = call.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield where, f"{bindings[target]}.{first.value}", False
                elif isinstance(first, ast.JoinedStr) and first.values:
                    head = first.values[0]
                    if isinstance(head, ast.Constant) and isinstance(head.value, str):
                        part = head.value.rsplit(".", 1)[0] if "." in head.value else ""
                        prefix = f"{bindings[target]}.{part}" if part else bindings[target]
                        yield where, prefix, True


USED = sorted(set(used_keys()))


def test_the_scan_sees_the_code() -> None:
    keys = {key for _, key, _ in USED}
    # literal keys, keys under a bound section, keys under a method returning bound texts
    assert {"tickets.expired", "manager.help", "dashboard.nav.board", "notices.date"} <= keys
    assert "manager.chart.title_days" in keys  # a section within a section
    assert len(keys) > 300


@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_the_code_names_exists(locale: str) -> None:
    missing = [
        f"{where}: {key}{'.*' if prefix else ''}"
        for where, key, prefix in USED
        if not _defined(locale, key)
    ]
    assert missing == [], f"not in locales/{locale}/texts: {missing}"


# -- the locales against each other ----------------------------------------------------------
def _templates(value: Any) -> list[str]:
    if isinstance(value, Plural):
        return [str(v) for v in value.forms.values()]
    if isinstance(value, list):
        return ["\n".join(str(line) for line in value)]
    return [str(value)]


def placeholders(value: Any) -> set[str]:
    names = set()
    for template in _templates(value):
        for _, name, _, _ in string.Formatter().parse(template):
            if name:
                names.add(name)
    return names


def test_every_locale_has_the_same_keys() -> None:
    default = set(CATALOG["zh"])
    for locale in LOCALES:
        keys = set(CATALOG[locale])
        assert sorted(default - keys) == [], f"missing in {locale}"
        assert sorted(keys - default) == [], f"only in {locale}"


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "zh"])
def test_placeholders_agree_across_locales(locale: str) -> None:
    differ = {
        key: (sorted(placeholders(value)), sorted(placeholders(CATALOG[locale][key])))
        for key, value in CATALOG["zh"].items()
        if key in CATALOG[locale] and placeholders(value) != placeholders(CATALOG[locale][key])
    }
    assert differ == {}, "placeholders (zh, " + locale + ") differ"


def test_lists_agree_across_locales() -> None:
    for key, value in CATALOG["zh"].items():
        for locale in LOCALES:
            other = CATALOG[locale].get(key)
            assert isinstance(other, list) == isinstance(value, list), (locale, key)
    columns = {loc: len(CATALOG[loc]["manager.export_columns"]) for loc in LOCALES}
    assert len(set(columns.values())) == 1, columns


# -- plurals ---------------------------------------------------------------------------------
def plural_forms(locale: str) -> set[str]:
    return set(babel_locale(locale).plural_form.tags) | {"other"}


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_entries_have_exactly_the_locales_forms(locale: str) -> None:
    expected = plural_forms(locale)
    wrong = {
        key: sorted(value.forms)
        for key, value in CATALOG[locale].items()
        if isinstance(value, Plural) and set(value.forms) != expected
    }
    assert wrong == {}, f"{locale} uses the forms {sorted(expected)}"


def test_english_has_plurals_where_a_count_is_shown() -> None:
    """The hand-made "photo(s)" is gone: a count of things in English reads right."""
    en = CATALOG["en"]
    assert isinstance(en["resident.report.photos"], Plural)
    assert not [key for key, value in en.items() if "(s)" in "".join(_templates(value))]


# -- rendering -------------------------------------------------------------------------------
def _fields(value: Any) -> Iterator[tuple[str, str]]:
    for template in _templates(value):
        for _, name, spec, _ in string.Formatter().parse(template):
            if name:
                yield name, spec or ""


def _sample(spec: str) -> object:
    kind = spec.partition(":")[0]
    if kind in ("date", "time", "datetime"):
        return SAMPLE_WHEN
    if kind in ("number", "percent"):
        return 0.5 if kind == "percent" else 1234
    if spec:
        return 1234
    return "x"


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.load(LOCALES_DIR, LOCALES)


@pytest.mark.parametrize("locale", [*LOCALES, TRADITIONAL])
def test_every_text_renders(texts: Texts, locale: str) -> None:
    source = "zh" if locale == TRADITIONAL else locale
    for key, value in CATALOG[source].items():
        fields = dict(_fields(value))
        for spec in fields.values():
            kind = spec.partition(":")[0]
            assert not spec or kind in FORMATS or not spec[0].isalpha(), (key, spec)
            format_strict(_sample(spec), spec, locale)  # raises when the spec is wrong
        values = {name: _sample(spec) for name, spec in fields.items()}
        for count in (1, 2, 5):
            if isinstance(value, Plural):
                values["count" if "count" in values else "n"] = count
            out = texts.get(key, locale, **values)
            assert out.strip(), key
            left = [name for name in fields if "{" + name in out]
            assert left == [], (key, out)


def test_the_catalog_files_parse_to_texts() -> None:
    for locale in LOCALES:
        for path in sorted((LOCALES_DIR / locale / "texts").glob("*.yaml")):
            assert Path(path).stat().st_size > 0
        assert CATALOG[locale], locale
