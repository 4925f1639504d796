"""PhraseMatcher: the generic fuzzy matcher (also used for FAQ answers)."""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.intents import PhraseMatcher, TextNormalizer

ENTRIES = {
    "fee": ["物业费怎么交", "管理费多少钱", "How do I pay the management fee"],
    "hours": ["管理处几点上班", "办公时间是什么时候"],
    "card": ["门禁卡丢了怎么补办"],
}


def test_best_labels_first() -> None:
    matcher = PhraseMatcher(ENTRIES, normalizer=TextNormalizer())
    found = matcher.match("请问物业费怎么交")
    assert found[0][0] == "fee"
    assert all(0.0 <= score <= 1.0 for _, score in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_normalizer_applies_to_phrases_and_queries() -> None:
    matcher = PhraseMatcher(ENTRIES, normalizer=TextNormalizer())
    assert matcher.match("管理處幾點上班")[0] == ("hours", 1.0)  # Traditional query
    assert matcher.match("HOW DO I PAY THE MANAGEMENT FEE?")[0][0] == "fee"


def test_limit_and_cutoff() -> None:
    matcher = PhraseMatcher(ENTRIES, normalizer=TextNormalizer(), score_cutoff=0.5)
    assert len(matcher.match("物业费", limit=1)) <= 1
    assert matcher.match("今天天气不错") == []
    assert matcher.match("") == []


def test_one_score_per_label() -> None:
    matcher = PhraseMatcher({"a": ["停水了", "停水了吗", "又停水了"]})
    assert [label for label, _ in matcher.match("停水了", limit=5)] == ["a"]


def test_other_scorers() -> None:
    matcher = PhraseMatcher(ENTRIES, scorer=fuzz.WRatio, score_cutoff=0.6)
    assert matcher.match("物业费")[0][0] == "fee"


def test_labels_and_len() -> None:
    matcher = PhraseMatcher(ENTRIES)
    assert matcher.labels == ["fee", "hours", "card"]
    assert len(matcher) == 6
    assert PhraseMatcher({}).match("anything") == []


def test_normalized_queries_skip_the_normalizer() -> None:
    matcher = PhraseMatcher({"x": ["abc"]}, normalizer=str.upper)
    assert matcher.match("abc")[0] == ("x", 1.0)
    assert matcher.match("abc", normalized=True) == []  # phrases are "ABC"
