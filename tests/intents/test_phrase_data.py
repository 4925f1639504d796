"""The phrase data files (locales/*/intents.yaml, userdict.txt) are well formed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import REPO_ROOT
from bot.intents import INTENTS, TextNormalizer
from bot.intents.phrasebook import load_phrasebook

LOCALES = REPO_ROOT / "locales"
FILES = [LOCALES / "zh" / "intents.yaml", LOCALES / "en" / "intents.yaml"]


class _StrictLoader(yaml.SafeLoader):
    """Fails on a repeated mapping key (PyYAML keeps the last one silently)."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise AssertionError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.parent.name)
def test_no_duplicate_keys(path: Path) -> None:
    with path.open(encoding="utf-8") as fh:
        yaml.load(fh, Loader=_StrictLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.parent.name)
def test_no_yaml_booleans_or_numbers_as_words(path: Path) -> None:
    """`no`, `on`, `yes` would load as booleans; every word must be text."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    for intent, spec in data["intents"].items():
        for weight, words in (spec.get("keywords") or {}).items():
            assert not any(isinstance(w, bool) for w in words), (intent, weight)
        for key in ("exclude", "veto", "hazards", "resolved", "examples"):
            assert not any(isinstance(w, bool) for w in spec.get(key) or []), (intent, key)
    for kind, words in (data.get("markers") or {}).items():
        assert not any(isinstance(w, bool) for w in words), kind


def test_rich_phrase_data() -> None:
    book = load_phrasebook([("zh", FILES[0]), ("en", FILES[1])], TextNormalizer().normalize)
    assert set(book.intents) == set(INTENTS)
    for intent, phrases in book.intents.items():
        if intent == "unknown":
            continue
        assert len(phrases.keywords) >= 30, intent
        assert len(phrases.examples) >= 12, intent
    for intent in ("gas_leak", "fire", "elevator_trapped", "flooding", "medical"):
        assert book.intents[intent].hazards, intent
    assert "燃气费" in book.intents["gas_leak"].exclude


def test_aliases_do_not_rewrite_other_keywords() -> None:
    """A typo alias must not be part of a correct keyword (然气 -> 燃气 would break 天然气).

    Single characters are deliberate dialect rewrites (咗 -> 了, 喺 -> 在) and exempt."""
    book = load_phrasebook([("zh", FILES[0]), ("en", FILES[1])], TextNormalizer().normalize)
    with FILES[0].open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    written = {
        str(w) for spec in raw["intents"].values() for ws in (spec.get("keywords") or {}).values()
        for w in ws
    }  # fmt: skip
    clashes = {
        (alias, word) for alias in book.aliases for word in written
        if len(alias) > 1 and alias in word and alias != word and book.aliases[alias] not in word
    }  # fmt: skip
    assert not clashes


def test_userdict_format() -> None:
    for line in (LOCALES / "zh" / "userdict.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            word, freq, *_ = line.split()
            assert int(freq) > 0 and word


def test_unknown_settings_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "intents.yaml"
    bad.write_text("settings: {threshold: 0.4, no_such_knob: 1}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_knob"):
        load_phrasebook([("zh", bad)], str)


def test_unknown_intents_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "intents.yaml"
    bad.write_text("intents: {gas_leek: {keywords: {0.9: [x]}}}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="gas_leek"):
        load_phrasebook([("zh", bad)], str)


def test_english_phrases_keep_their_meaning() -> None:
    """Stop words are dropped from English phrases: "smoke from" would become just "smoke"."""
    from bot.intents import english

    with FILES[1].open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    collapsed = []
    for intent, spec in data["intents"].items():
        for key in ("keywords", "exclude", "hazards", "veto"):
            raw = spec.get(key) or []
            words = [w for ws in raw.values() for w in ws] if isinstance(raw, dict) else raw
            for word in map(str, words):
                if len(word.split()) > 1 and len(english.key(word).split()) < 2:
                    collapsed.append((intent, key, word))
    assert not collapsed
