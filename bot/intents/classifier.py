"""`Classifier`: one resident message -> one intent id of intents.md.

Pipeline: prepare (width, t2s, case) -> entities cut out -> clean (punctuation, emoji,
repeats) -> typo aliases -> jieba tokens -> keyword/hazard/exclusion hits (also by sound:
same-sounding typos of emergency and outage words, pinyin.py) -> situation
(negated, resolved, past) -> fuzzy similarity to example messages -> scores -> decision.

Build it with `Classifier.from_locales(Path("locales"))`; it holds its own jieba tokenizer,
OpenCC converter and matchers (no module-level state), and is safe to share between
coroutines (classification is synchronous and does not mutate it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.intents.classification import Classification
from bot.intents.decision import decide
from bot.intents.entities import Entities, Region, extract_entities
from bot.intents.keywords import Hit, KeywordIndex
from bot.intents.matcher import PhraseMatcher
from bot.intents.normalize import TextNormalizer, has_cjk
from bot.intents.phrasebook import PhraseBook, load_phrasebook, make_alias_fixer
from bot.intents.pinyin import PinyinTable
from bot.intents.scoring import Scores, add_distress, add_fuzzy, damp_filler, keyword_scores
from bot.intents.segment import Segmenter
from bot.intents.situation import Situation, SituationRules
from bot.intents.taxonomy import EMERGENCY_INTENTS, UNKNOWN, URGENT_INTENTS, severity_of
from bot.intents.tokenizer import CORE_WORDS, build_tokenizer, ensure_words

MAX_MATCH_CHARS = 256
"""Only the first this-many characters of a (normalised) message are matched."""

_GUARDED = EMERGENCY_INTENTS | URGENT_INTENTS


class Classifier:
    def __init__(
        self,
        book: PhraseBook,
        *,
        normalizer: TextNormalizer,
        tokenizer: Any,
        region: Region | None = None,
        pinyin: PinyinTable | None = None,
    ) -> None:
        self.book = book
        self.settings = book.settings
        self.region = region
        self._normalizer = normalizer
        tokenizer.initialize()
        ensure_words(tokenizer, book.words())  # a no-op for tokenizers from build_tokenizer
        self._tokenizer = tokenizer
        self._segmenter = Segmenter(tokenizer)
        self._fix_aliases = make_alias_fixer(book.aliases)
        freq = getattr(tokenizer, "FREQ", {})
        self._keywords = KeywordIndex(
            book,
            pinyin,
            is_word=lambda w: freq.get(w, 0) > 0,
            pinyin_factor=self.settings.pinyin_factor,
        )
        self._rules = SituationRules(
            book.markers,
            {intent: phrases.resolved for intent, phrases in book.intents.items()},
            resolved_factor=self.settings.resolved_factor,
            past_factor=self.settings.past_factor,
        )
        cutoff = self.settings.fuzzy_floor
        self._matchers = {
            locale: PhraseMatcher(examples, score_cutoff=cutoff)
            for locale, examples in book.examples_by_locale.items()
        }

    @classmethod
    def from_locales(
        cls,
        locales_root: Path,
        locales: Sequence[str] = ("zh", "en"),
        *,
        region: Region | None = None,
        normalizer: TextNormalizer | None = None,
        jieba_core_words: int | None = CORE_WORDS,
        cache_dir: Path | None = None,
    ) -> Classifier:
        """Read `<root>/<locale>/intents.yaml` (and `userdict.txt`) of each locale.

        `region=None` accepts mainland and Hong Kong phone numbers. `jieba_core_words`:
        see bot/intents/tokenizer.py (None: jieba's full dictionary).
        """
        root = Path(locales_root)
        normalizer = normalizer or TextNormalizer()
        files = [(loc, root / loc / "intents.yaml") for loc in locales]
        missing = [str(p) for _, p in files if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"phrase data not found: {', '.join(missing)}")
        book = load_phrasebook(files, normalizer.normalize)
        userdicts = [p for p in (root / loc / "userdict.txt" for loc in locales) if p.is_file()]
        tokenizer = build_tokenizer(
            userdicts, book.words(), core_words=jieba_core_words, cache_dir=cache_dir
        )
        table = root / "zh" / "pinyin.txt"
        pinyin = PinyinTable.load(table) if "zh" in locales and table.is_file() else None
        return cls(book, normalizer=normalizer, tokenizer=tokenizer, region=region, pinyin=pinyin)

    # -- classification ---------------------------------------------------------------

    def tokenize(self, normalized: str) -> list[str]:
        result: list[str] = self._tokenizer.lcut(normalized, HMM=False)
        return result

    def _analyse(self, text: str) -> _Analysis:
        prepared = self._normalizer.prepare(text)
        entities, rest = extract_entities(prepared, self.region)
        matched = self._fix_aliases(self._normalizer.clean(rest))[:MAX_MATCH_CHARS]
        if not matched:
            return _Analysis(entities, matched, [], [], None, {}, None)
        cjk = has_cjk(matched)
        if cjk:
            tokens, words = self._segmenter.segment(matched)
            hits = self._keywords.scan(matched, tokens, words)
        else:
            tokens = []
            hits = self._keywords.scan(matched)
        situation = self._rules.assess(matched, hits, _GUARDED, EMERGENCY_INTENTS)
        scored = keyword_scores(hits, situation, self.settings)
        fuzzy: dict[str, float] = {}
        # Fuzzy matching only where the keywords leave doubt (it costs as much as the rest).
        if scored.best < self.settings.fuzzy_skip_above:
            matcher = self._matchers.get("zh" if cjk else "en")
            if matcher is not None:
                fuzzy = matcher.scores(matched, normalized=True)
                add_fuzzy(scored, fuzzy, situation, self.settings, _GUARDED)
        add_distress(scored, situation, EMERGENCY_INTENTS, self.settings)
        damp_filler(scored, self.settings)
        return _Analysis(entities, matched, tokens, hits, situation, fuzzy, scored)

    def classify(self, text: str) -> Classification:
        raw = text if isinstance(text, str) else str(text)
        found = self._analyse(raw)
        if found.scored is None:
            return Classification(raw, found.matched, UNKNOWN, severity_of(UNKNOWN), 1.0, False,
                                  [], found.entities)  # fmt: skip
        decision = decide(found.scored.scores, found.scored.hazards, self.settings)
        return Classification(
            text=raw,
            normalized=found.matched,
            intent=decision.intent,
            severity=severity_of(decision.intent),
            score=decision.score,
            needs_confirmation=decision.needs_confirmation,
            alternatives=decision.alternatives,
            entities=found.entities,
        )

    __call__ = classify

    def classify_many(self, texts: Iterable[str]) -> list[Classification]:
        return [self.classify(t) for t in texts]

    def explain(self, text: str) -> dict[str, Any]:
        """Debugging aid: the hits, situation factors, fuzzy and final scores of a message."""
        found = self._analyse(text)
        factors = found.situation.factors if found.situation else ()
        return {
            "matched": found.matched,
            "tokens": found.tokens,
            "hits": [
                (h.word, h.intent, h.kind, h.weight, f)
                for h, f in zip(found.hits, factors, strict=True)
            ],
            "fuzzy": found.fuzzy,
            "scores": dict(sorted(found.scored.scores.items(), key=lambda kv: -kv[1]))
            if found.scored
            else {},
            "hazards": sorted(found.scored.hazards) if found.scored else [],
        }


@dataclass(frozen=True, slots=True)
class _Analysis:
    entities: Entities
    matched: str
    tokens: list[str]
    hits: list[Hit]
    situation: Situation | None
    fuzzy: dict[str, float]
    scored: Scores | None
