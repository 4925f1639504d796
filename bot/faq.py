"""Answers to residents' common questions, from `locales/<locale>/faq.yaml`.

Each entry has an id, a short `title` (its button), `keywords` (a hit is strong evidence),
example `questions` (matched fuzzily with the classifier's `PhraseMatcher`) and the `answer`
(Telegram HTML). A question matching nothing well enough returns None: the resident's
question then goes to staff as a ticket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from bot.intents.matcher import PhraseMatcher

MIN_SCORE = 0.62  # a fuzzy match below this is not an answer
KEYWORD_SCORE = 0.8  # a keyword hit scores this (several hits a little more)


@dataclass(frozen=True, slots=True)
class FaqEntry:
    id: str
    title: str
    answer: str
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _LocaleFaq:
    entries: Mapping[str, FaqEntry]
    matcher: PhraseMatcher
    keywords: tuple[tuple[str, str], ...]  # (normalised keyword, entry id), longest first


class FaqAnswerer:
    def __init__(
        self,
        entries: Mapping[str, Sequence[FaqEntry]],
        *,
        normalizer: Callable[[str], str] | None = None,
        default: str = "zh",
    ) -> None:
        self._normalize = normalizer or (lambda text: text.casefold().strip())
        self.default = default
        self._by_locale: dict[str, _LocaleFaq] = {}
        for locale, items in entries.items():
            by_id = {e.id: e for e in items}
            matcher = PhraseMatcher(
                {e.id: [*e.questions, e.title] for e in items},
                normalizer=self._normalize,
                scorer=fuzz.WRatio,
                score_cutoff=MIN_SCORE,
            )
            keywords = sorted(
                ((self._normalize(k), e.id) for e in items for k in e.keywords if k.strip()),
                key=lambda kv: -len(kv[0]),
            )
            self._by_locale[locale] = _LocaleFaq(by_id, matcher, tuple(k for k in keywords if k[0]))

    @classmethod
    def load(
        cls,
        root: Path,
        locales: Iterable[str] = ("zh", "en"),
        *,
        normalizer: Callable[[str], str] | None = None,
        default: str = "zh",
    ) -> FaqAnswerer:
        found: dict[str, list[FaqEntry]] = {}
        for locale in locales:
            path = Path(root) / locale / "faq.yaml"
            if path.is_file():
                raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                found[locale] = [_entry(str(key), value) for key, value in raw.items()]
        return cls(found, normalizer=normalizer, default=default)

    def _faq(self, locale: str) -> _LocaleFaq | None:
        return self._by_locale.get(locale) or self._by_locale.get(self.default)

    def topics(self, locale: str) -> list[FaqEntry]:
        faq = self._faq(locale)
        return list(faq.entries.values()) if faq else []

    def entry(self, entry_id: str, locale: str) -> FaqEntry | None:
        faq = self._faq(locale)
        return faq.entries.get(entry_id) if faq else None

    def scores(self, text: str, locale: str) -> dict[str, float]:
        faq = self._faq(locale)
        if faq is None or not text:
            return {}
        normalized = self._normalize(text)
        scores = faq.matcher.scores(normalized, normalized=True)
        hits: dict[str, int] = {}
        for keyword, entry_id in faq.keywords:
            if keyword in normalized:
                hits[entry_id] = hits.get(entry_id, 0) + 1
        for entry_id, count in hits.items():
            keyword_score = min(0.99, KEYWORD_SCORE + 0.05 * (count - 1))
            scores[entry_id] = max(scores.get(entry_id, 0.0), keyword_score)
        return scores

    def answer(self, text: str, locale: str) -> FaqEntry | None:
        """The entry answering `text`, or None when nothing matches well enough."""
        scores = self.scores(text, locale)
        if not scores:
            return None
        best = max(scores, key=lambda k: scores[k])
        faq = self._faq(locale)
        return faq.entries[best] if faq and scores[best] >= MIN_SCORE else None


def _entry(entry_id: str, raw: Any) -> FaqEntry:
    if not isinstance(raw, Mapping) or "answer" not in raw:
        raise ValueError(f"faq entry {entry_id!r}: needs at least an 'answer'")
    return FaqEntry(
        id=entry_id,
        title=str(raw.get("title") or entry_id),
        answer=str(raw["answer"]).strip(),
        keywords=tuple(str(k) for k in raw.get("keywords") or ()),
        questions=tuple(str(q) for q in raw.get("questions") or ()),
    )
