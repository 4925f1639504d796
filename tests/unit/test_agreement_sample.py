"""The label-agreement sample (docs/writers/agreement/) is complete and its script runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.intents.taxonomy import INTENTS

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "docs" / "writers" / "agreement" / "sample.jsonl"


def test_every_message_has_every_reader_and_valid_intents() -> None:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == list(range(600))
    for r in rows:
        for who in ("intent", "annotator_a", "annotator_b", "model_cv"):
            assert r[who] in INTENTS, (r["id"], who)


def test_the_script_prints_the_agreement_table() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "agreement.py")],
        capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout
    assert "600 messages" in out
    assert "writers vs annotator A        0.968" in out
