"""Segmenter (bot/intents/segment.py) gives jieba's own tokens and word graph."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.config import REPO_ROOT

_HAN = re.compile("[\u4e00-\u9fff]+")


def test_same_tokens_and_words_as_jieba(classifier: Any) -> None:
    tokenizer, segmenter = classifier._tokenizer, classifier._segmenter
    with (REPO_ROOT / "tests" / "data" / "intents_dev.jsonl").open(encoding="utf-8") as fh:
        texts = [classifier.match_text(json.loads(line)["text"]) for line in fh if line.strip()]
    runs = [run for text in texts for run in _HAN.findall(text)]
    runs += ["电梯困人了救命", "我被困在电梯里出不来", "一", "的的的"]
    assert len(runs) > 500
    for run in runs:
        tokens, words = segmenter.segment(run)
        assert tokens == tokenizer.lcut(run, HMM=False), run
        graph = tokenizer.get_DAG(run)
        expected = {(i, j + 1) for i, ends in graph.items() for j in ends if j > i}
        assert sorted(words) == sorted(expected), run
