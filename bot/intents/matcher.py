"""`PhraseMatcher`: fuzzy matching of a text against labelled phrases (rapidfuzz).

Generic: the intent classifier uses it with example messages per intent, the FAQ uses it
with questions per FAQ id. One `process.extract` call scores the text against every phrase
in C++ (no Python loop over phrases); the best score per label is kept.

    faq = PhraseMatcher({"fee": ["物业费怎么交", "管理费多少钱"]}, normalizer=TextNormalizer())
    faq.match("请问物业费在哪里交")  # -> [("fee", 0.71)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rapidfuzz import fuzz, process

Scorer = Callable[..., float]


class PhraseMatcher:
    """Best fuzzy similarity (0..1) of a text to the phrases of each label.

    `normalizer` is applied to every phrase once and to each query (unless `match` is given
    `normalized=True`). `scorer` is any rapidfuzz scorer returning 0..100 (default
    `fuzz.ratio`: normalised Indel similarity, fast and strict about length; `fuzz.WRatio` or
    `fuzz.token_set_ratio` are looser and several times slower). Phrases scoring below
    `score_cutoff` (0..1) are ignored; queries are cut to `max_query_chars`.
    """

    def __init__(
        self,
        entries: Mapping[str, Sequence[str]],
        *,
        normalizer: Callable[[str], str] | None = None,
        scorer: Scorer = fuzz.ratio,
        score_cutoff: float = 0.5,
        max_query_chars: int = 64,
        candidates: int = 24,
    ) -> None:
        self._normalizer = normalizer
        self._scorer = scorer
        self._cutoff = score_cutoff * 100.0
        self._max_chars = max_query_chars
        self._candidates = candidates
        self._labels: list[str] = []
        self._choices: list[str] = []
        seen: set[tuple[str, str]] = set()
        for label, phrases in entries.items():
            for phrase in phrases:
                text = normalizer(phrase) if normalizer else phrase
                if text and (label, text) not in seen:
                    seen.add((label, text))
                    self._labels.append(label)
                    self._choices.append(text)

    def __len__(self) -> int:
        return len(self._choices)

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(self._labels))

    def scores(self, text: str, *, normalized: bool = False) -> dict[str, float]:
        """Best similarity per label, for labels with a phrase above the cutoff."""
        if not normalized and self._normalizer is not None:
            text = self._normalizer(text)
        if not text or not self._choices:
            return {}
        found: list[Any] = process.extract(
            text[: self._max_chars],
            self._choices,
            scorer=self._scorer,
            processor=None,
            limit=self._candidates,
            score_cutoff=self._cutoff,
        )
        best: dict[str, float] = {}
        labels = self._labels
        for _, score, index in found:
            label = labels[index]
            if label not in best:  # results come best first
                best[label] = score / 100.0
        return best

    def match(
        self, text: str, limit: int = 3, *, normalized: bool = False
    ) -> list[tuple[str, float]]:
        """The `limit` best labels as (label, score in [0, 1]), best first."""
        ranked = sorted(self.scores(text, normalized=normalized).items(), key=lambda kv: -kv[1])
        return [(label, round(score, 4)) for label, score in ranked[:limit]]
