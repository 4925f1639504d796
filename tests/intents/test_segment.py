"""Segmenter (bot/intents/segment.py) gives jieba's own tokens and word graph."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

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


def test_tokenizer_reads_jiebas_cache_as_jieba_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.intents.tokenizer import build_tokenizer, import_jieba

    first = build_tokenizer([], ["电梯困人"], core_words=2_000, cache_dir=tmp_path)  # writes it
    assert list(tmp_path.glob("jieba.u*.cache"))

    def initialize(self: Any, dictionary: Any = None) -> None:
        raise AssertionError("jieba's cache not read")

    monkeypatch.setattr(import_jieba().Tokenizer, "initialize", initialize)
    second = build_tokenizer([], ["电梯困人"], core_words=2_000, cache_dir=tmp_path)  # reads it
    assert second.initialized
    assert second.total == first.total and second.FREQ == first.FREQ
    assert second.lcut("我被困在电梯里了", HMM=False) == first.lcut("我被困在电梯里了", HMM=False)
