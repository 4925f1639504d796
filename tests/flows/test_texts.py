"""Every text key the resident flows use exists in Chinese and English, and renders."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.config import REPO_ROOT
from bot.handlers.resident.base import EMERGENCY_MENU
from bot.intents.taxonomy import EMERGENCY_INTENTS, URGENT_INTENTS
from bot.texts import Texts

TEXTS = Texts.load(REPO_ROOT / "locales")
SOURCES = [
    *sorted((REPO_ROOT / "bot" / "flows").glob("*.py")),
    *sorted((REPO_ROOT / "bot" / "handlers" / "resident").glob("*.py")),
]
KEY = re.compile(r'"((?:resident|safety)\.[a-z_.{}]+)"')
SAFETY_PARTS = ("name", "button", "now", "full", "next")


def _keys_in_code() -> set[str]:
    keys: set[str] = set()
    for path in SOURCES:
        for key in KEY.findall(path.read_text(encoding="utf-8")):
            if "{" not in key and not key.endswith("."):
                keys.add(key)
    return keys


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_key_used_in_the_code_exists(locale: str) -> None:
    table = TEXTS._by_locale[locale]
    missing = sorted(k for k in _keys_in_code() if k not in table)
    assert not missing


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_hazard_has_its_safety_texts(locale: str) -> None:
    table = TEXTS._by_locale[locale]
    for intent in sorted(EMERGENCY_INTENTS | URGENT_INTENTS | set(EMERGENCY_MENU)):
        for part in SAFETY_PARTS:
            assert f"safety.{intent}.{part}" in table, f"{locale}: safety.{intent}.{part}"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_english_and_chinese_have_the_same_keys(locale: str) -> None:
    for area in ("resident", "safety", "console"):
        zh = {k for k in TEXTS._by_locale["zh"] if k.startswith(area + ".")}
        en = {k for k in TEXTS._by_locale["en"] if k.startswith(area + ".")}
        assert zh == en, sorted(zh ^ en)


WHOLE_LABELS = {"resident.button.mine"}  # "📋 我的工单": ends with 工单 and is whole


@pytest.mark.parametrize("locale", ["zh", "en"])
@pytest.mark.parametrize("area", ["resident", "safety", "console"])
def test_values_are_text_not_yaml_accidents(locale: str, area: str) -> None:
    """`no:` as a key is False in YAML; ` #` starts a comment: both silently break a text."""
    raw = yaml.safe_load(
        (REPO_ROOT / "locales" / locale / "texts" / f"{area}.yaml").read_text("utf-8")
    )

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                assert isinstance(key, str), f"{where}: key {key!r}"
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)
        else:
            assert isinstance(node, str) and node.strip(), f"{where}: {node!r}"
            if where not in WHOLE_LABELS:
                assert not node.rstrip().endswith(("工单", "Ticket", "·")), f"{where}: cut at #?"

    walk(raw, area)


def test_emergency_numbers_are_filled_in_for_hong_kong() -> None:
    text = TEXTS.get("safety.fire.now", "zh", police="999", fire="999", ambulance="999")
    assert "999" in text and "{" not in text
