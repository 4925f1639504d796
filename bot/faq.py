"""Answers to residents' common questions, from `locales/<locale>/faq.yaml`.

Each entry has an id, a short `title` (its button), `keywords` (a hit is strong evidence),
example `questions` (matched fuzzily with the classifier's `PhraseMatcher`) and the `answer`
(Telegram HTML). A question matching nothing well enough returns None: the resident's
question then goes to staff as a ticket.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bot.intents.matcher import PhraseMatcher
from bot.yamlio import load_yaml

MIN_SCORE = 0.62  # a fuzzy match below this is not an answer
# Languages written with spaces: WRatio's partial matching rewards any shared fragment of a
# short text ("lost my cat" ~ "I lost my card"), so the whole message must resemble a question.
SPACED_LOCALES = frozenset({"en"})
MIN_SCORE_SPACED = 0.8
MIN_FUZZY_CHOICE = 6  # shorter titles are matched by their keywords only
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
    keywords: tuple[tuple[re.Pattern[str], int, str], ...]  # (pattern, length, entry id)
    min_score: float


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
            spaced = locale in SPACED_LOCALES
            min_score = MIN_SCORE_SPACED if spaced else MIN_SCORE
            matcher = PhraseMatcher(
                {e.id: [*e.questions, *_long_enough(e.title)] for e in items},
                normalizer=self._normalize,
                scorer=fuzz.ratio if spaced else fuzz.WRatio,
                score_cutoff=min_score,
            )
            normalised = ((self._normalize(k), e.id) for e in items for k in e.keywords)
            keywords = tuple(
                (_keyword_pattern(k), len(k), entry_id) for k, entry_id in normalised if k
            )
            self._by_locale[locale] = _LocaleFaq(by_id, matcher, keywords, min_score)

    @classmethod
    def load(
        cls,
        root: Path,
        locales: Iterable[str] = ("zh", "en"),
        *,
        normalizer: Callable[[str], str] | None = None,
        default: str = "zh",
    ) -> FaqAnswerer:
        files = {locale: Path(root) / locale / "faq.yaml" for locale in locales}
        return cls.from_files(
            {k: v for k, v in files.items() if v.is_file()}, normalizer=normalizer, default=default
        )

    @classmethod
    def from_files(
        cls,
        files: Mapping[str, Path],
        *,
        normalizer: Callable[[str], str] | None = None,
        default: str = "zh",
    ) -> FaqAnswerer:
        """One `faq.yaml` per locale (an estate's own FAQ, `ESTATES_FILE`)."""
        found: dict[str, list[FaqEntry]] = {}
        for locale, path in files.items():
            raw = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
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
        hits: dict[str, list[int]] = {}
        for pattern, length, entry_id in faq.keywords:
            if pattern.search(normalized):
                hits.setdefault(entry_id, []).append(length)
        for entry_id, lengths in hits.items():
            # more hits, then longer (more specific) keywords, score a little higher
            bonus = 0.05 * (len(lengths) - 1) + 0.001 * min(sum(lengths), 40)
            keyword_score = min(0.99, KEYWORD_SCORE + bonus)
            scores[entry_id] = max(scores.get(entry_id, 0.0), keyword_score)
        return scores

    def answer(self, text: str, locale: str) -> FaqEntry | None:
        """The entry answering `text`, or None when nothing matches well enough."""
        scores = self.scores(text, locale)
        if not scores:
            return None
        best = max(scores, key=lambda k: scores[k])
        faq = self._faq(locale)
        return faq.entries[best] if faq and scores[best] >= faq.min_score else None


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Latin keywords match whole words ("pet" is not in "carpet"); CJK ones anywhere."""
    escaped = re.escape(keyword)
    if keyword.isascii():
        return re.compile(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])")
    return re.compile(escaped)


def _long_enough(title: str) -> list[str]:
    """A title as a fuzzy choice only when long enough: WRatio scores a short choice high on
    any text that happens to contain it ("pets" in "drop table tickets")."""
    return [title] if len(title) >= MIN_FUZZY_CHOICE else []


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
