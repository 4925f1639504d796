"""The classifier engineer's own labelled messages (tests/intents/data/own_messages.tsv).

Written while developing the phrase data, independently of the dev set: `<label>\\t<text>`,
where the label is an intent id, or `confuser:<intent>` / `negated:<intent>` for messages
that must not raise an alarm. A regression guard for the phrase data and the rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.intents import is_emergency

DATA = Path(__file__).parent / "data" / "own_messages.tsv"
MIN_ACCURACY = 0.95


def _rows() -> list[tuple[str, str, bool]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip():
            label, text = line.split("\t", 1)
            rows.append((label.split(":")[-1], text, ":" in label))
    return rows


@pytest.fixture(scope="module")
def results(classifier: Any) -> list[tuple[str, str, bool, Any]]:
    return [(intent, text, calm, classifier.classify(text)) for intent, text, calm in _rows()]


def test_accuracy(results: list[tuple[str, str, bool, Any]]) -> None:
    wrong = [(i, t, r.intent) for i, t, _, r in results if r.intent != i]
    accuracy = 1 - len(wrong) / len(results)
    assert accuracy >= MIN_ACCURACY, "\n".join(f"{i} -> {g}: {t}" for i, t, g in wrong)


def test_safety(results: list[tuple[str, str, bool, Any]]) -> None:
    missed = [t for i, t, _, r in results if is_emergency(i) and not is_emergency(r.intent)]
    alarms = [t for _, t, calm, r in results if calm and is_emergency(r.intent)]
    assert not missed, missed
    assert not alarms, alarms
