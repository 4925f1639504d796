"""The labelled dev set (tests/data/intents_dev.jsonl): accuracy and the two safety rules.

- accuracy >= 0.92;
- a message labelled with an emergency intent is never classified as a non-emergency;
- a "confuser" message is never classified as an emergency (needs_confirmation included:
  a confirmation question is an emergency answer too).

tests/data/intents_holdout.jsonl is never read here: it measures generalisation.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.config import REPO_ROOT
from bot.intents import is_emergency

DEV = REPO_ROOT / "tests" / "data" / "intents_dev.jsonl"
MIN_ACCURACY = 0.92


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def results(classifier: Any) -> list[tuple[dict[str, Any], Any]]:
    if not DEV.is_file():
        pytest.skip(f"{DEV} not found")
    return [(row, classifier.classify(row["text"])) for row in _rows(DEV)]


def _report(results: list[tuple[dict[str, Any], Any]]) -> str:
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for row, got in results:
        total[row["intent"]] += 1
        right[row["intent"]] += got.intent == row["intent"]
    lines = ["per-intent accuracy:"]
    for intent in sorted(total):
        lines.append(
            f"  {intent:18s} {right[intent] / total[intent]:.3f} ({right[intent]}/{total[intent]})"
        )
    wrong = [(r, g) for r, g in results if g.intent != r["intent"]]
    lines.append(f"{len(wrong)} errors (first 40):")
    for row, got in wrong[:40]:
        lines.append(
            f"  {row['intent']} -> {got.intent} {got.score:.2f} {row.get('tags')} {row['text']}"
        )
    return "\n".join(lines)


def test_accuracy(results: list[tuple[dict[str, Any], Any]]) -> None:
    correct = sum(got.intent == row["intent"] for row, got in results)
    accuracy = correct / len(results)
    print(f"dev accuracy {accuracy:.4f} ({correct}/{len(results)})")
    assert accuracy >= MIN_ACCURACY, f"accuracy {accuracy:.4f} < {MIN_ACCURACY}\n{_report(results)}"


def test_no_emergency_is_missed(results: list[tuple[dict[str, Any], Any]]) -> None:
    missed = [
        f"  {row['intent']} -> {got.intent} ({got.score:.2f}): {row['text']}"
        for row, got in results
        if is_emergency(row["intent"]) and not is_emergency(got.intent)
    ]
    assert not missed, "emergencies classified as non-emergencies:\n" + "\n".join(missed)


def test_no_confuser_raises_an_alarm(results: list[tuple[dict[str, Any], Any]]) -> None:
    alarms = [
        f"  {row['intent']} -> {got.intent} ({got.score:.2f}"
        f"{', needs confirmation' if got.needs_confirmation else ''}): {row['text']}"
        for row, got in results
        if "confuser" in row.get("tags", ()) and is_emergency(got.intent)
    ]
    assert not alarms, "confusers classified as emergencies:\n" + "\n".join(alarms)


def test_every_intent_is_in_the_dev_set(results: list[tuple[dict[str, Any], Any]]) -> None:
    from bot.intents import INTENTS

    assert {row["intent"] for row, _ in results} <= set(INTENTS)
