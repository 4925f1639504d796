"""`Classifier`: one resident message -> one intent id of intents.md.

Pipeline: prepare (width, t2s, case) -> entities cut out -> clean (punctuation, emoji,
repeats) -> typo aliases -> jieba tokens -> keyword/hazard/exclusion hits (also by sound:
same-sounding typos of emergency and outage words, pinyin.py) -> situation
(negated, resolved, past) -> fuzzy similarity to the phrase data's example messages ->
scores -> decision -> a second opinion from the example message files
(locales/*/examples, neighbours.py) where the rules are weak.

The second opinion, only for a non-emergency answer that scores below
`examples_consult_below` without a decisive word (or `unknown`), of a message with at least
`examples_min_content` Chinese characters and English words ("门口" is too little to go by):

a. when the vote of the nearest examples and the intent centroids gives the emergency
   intents together a mass of at least `examples_emergency`, the answer is the emergency
   they favour, with `needs_confirmation` below `examples_sure` (a false alarm costs a
   question, a miss costs more) - unless the rules saw an exclusion, veto or negated hit
   of an emergency intent, or a resolved or past situation, or the message denies what
   emergency examples say ("没人在里面"), or the words the vote rests on are mostly
   negated, over, past or hypothetical (the situation rules, applied to them);
b. a weak repair/complaint/inquiry answer: those three intents get their centroid
   probability (times `examples_weight`) added to their scores, and the decision is taken
   again among them.

Build it with `Classifier.from_locales(Path("locales"))`; it holds its own jieba tokenizer,
OpenCC converter and matchers (no module-level state), and is safe to share between
coroutines (classification is synchronous and does not mutate it).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.intents import english
from bot.intents.classification import Classification
from bot.intents.decision import Decision, decide
from bot.intents.entities import Entities, Region, extract_entities
from bot.intents.keywords import Hit, KeywordIndex
from bot.intents.matcher import PhraseMatcher
from bot.intents.neighbours import (
    NO_VOTE,
    Example,
    Negation,
    NeighbourIndex,
    Vote,
    example_files,
    read_examples,
)
from bot.intents.normalize import TextNormalizer, has_cjk
from bot.intents.phrasebook import PhraseBook, load_phrasebook, make_alias_fixer
from bot.intents.pinyin import PinyinTable
from bot.intents.scoring import Scores, add_distress, add_fuzzy, damp_filler, keyword_scores
from bot.intents.segment import Segmenter
from bot.intents.situation import Situation, SituationRules
from bot.intents.taxonomy import (
    COMPLAINT,
    EMERGENCY_INTENTS,
    INQUIRY,
    REPAIR,
    UNKNOWN,
    URGENT_INTENTS,
    is_emergency,
    severity_of,
)
from bot.intents.tokenizer import CORE_WORDS, build_tokenizer, ensure_words

MAX_MATCH_CHARS = 256
"""Only the first this-many characters of a (normalised) message are matched."""

_GUARDED = EMERGENCY_INTENTS | URGENT_INTENTS
_ORDINARY = frozenset({REPAIR, COMPLAINT, INQUIRY})
"""Intents the examples may reorder among themselves (second opinion, b)."""


class Classifier:
    def __init__(
        self,
        book: PhraseBook,
        *,
        normalizer: TextNormalizer,
        tokenizer: Any,
        region: Region | None = None,
        pinyin: PinyinTable | None = None,
        examples: Sequence[Example] = (),
        cache_dir: Path | None = None,
    ) -> None:
        """`cache_dir`: where the examples' index is cached (neighbours.py); None: built."""
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
            locale: PhraseMatcher(phrases, score_cutoff=cutoff)
            for locale, phrases in book.examples_by_locale.items()
        }
        self.examples: tuple[Example, ...] = tuple(examples)
        self._neighbours = NeighbourIndex(
            [(ex.intent, self.match_text(ex.text)) for ex in self.examples],
            negation=Negation(book.markers["negators"], book.markers["uncertain"]),
            k=int(self.settings.examples_k),
            max_df=self.settings.examples_max_df,
            temperature=self.settings.examples_temperature,
            cache_dir=cache_dir,
        )

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
        examples: Sequence[Example] | None = None,
    ) -> Classifier:
        """Read `<root>/<locale>/intents.yaml` (and `userdict.txt`, `examples/*.txt`) of each
        locale.

        `region=None` accepts mainland and Hong Kong phone numbers. `jieba_core_words`:
        see bot/intents/tokenizer.py (None: jieba's full dictionary). `examples`: instead of
        the example files (tuning on a part of them). `cache_dir`: for jieba's dictionary
        and the examples' index (default: the system's temporary directory).
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
        if examples is None:
            examples = read_examples(example_files(root, locales))
        return cls(
            book,
            normalizer=normalizer,
            tokenizer=tokenizer,
            region=region,
            pinyin=pinyin,
            examples=examples,
            cache_dir=cache_dir or Path(tempfile.gettempdir()),
        )

    # -- classification ---------------------------------------------------------------

    def tokenize(self, normalized: str) -> list[str]:
        result: list[str] = self._tokenizer.lcut(normalized, HMM=False)
        return result

    def match_text(self, text: str) -> str:
        """What is matched of a message: normalised, entities cut out, aliases fixed."""
        return self._split(text)[1]

    def _split(self, text: str) -> tuple[Entities, str]:
        prepared = self._normalizer.prepare(text)
        entities, rest = extract_entities(prepared, self.region)
        return entities, self._fix_aliases(self._normalizer.clean(rest))[:MAX_MATCH_CHARS]

    def _analyse(self, text: str) -> _Analysis:
        entities, matched = self._split(text)
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
        decision, _ = self._decide(found)
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

    def _decide(self, found: _Analysis) -> tuple[Decision, Vote | None]:
        """The rules' decision, with the examples' second opinion where the rules are weak
        (see the module docstring); the examples' vote when it was taken."""
        assert found.scored is not None and found.situation is not None
        scored = found.scored
        settings = self.settings
        decision = decide(scored.scores, scored.hazards, settings)
        intent = decision.intent
        if is_emergency(intent) or not self.examples:
            return decision, None
        if intent != UNKNOWN and (
            intent in scored.decisive or decision.score >= settings.examples_consult_below
        ):
            return decision, None
        if _content(found.matched) < settings.examples_min_content:
            return decision, None  # "门口", "好的", "1": too little to go by
        # the average of two probabilities reaches the threshold only if each reaches 2t - 1
        threshold = settings.examples_emergency
        vote = self._neighbours.vote(found.matched, EMERGENCY_INTENTS, 2.0 * threshold - 1.0)
        if vote is NO_VOTE:
            return decision, vote
        mass = vote.mass(EMERGENCY_INTENTS)
        if vote.complete and mass >= threshold:
            emergency = vote.pick(EMERGENCY_INTENTS)
            if not self._quiet(found, emergency):
                alternatives = [(i, s) for i, s in decision.alternatives if i != emergency]
                if intent != UNKNOWN:
                    alternatives.insert(0, (intent, decision.score))
                return Decision(
                    emergency,
                    round(mass, 4),
                    mass < settings.examples_sure,
                    alternatives[:3],
                ), vote
        if intent in _ORDINARY:
            weight = settings.examples_weight
            scores = dict(scored.scores)
            for other in _ORDINARY & scores.keys():
                boost = weight * vote.centroid.get(other, 0.0)
                scores[other] = 1.0 - (1.0 - scores[other]) * (1.0 - boost)
            again = decide(scores, scored.hazards, settings)
            if again.intent in _ORDINARY:
                return again, vote
        return decision, vote

    def _quiet(self, found: _Analysis, emergency: str) -> bool:
        """Do the rules or the situation words speak against an emergency the examples point
        to: an exclusion, veto or negated hit of some emergency intent, a resolved or past
        situation, or the words the vote rests on mostly negated/over/past/hypothetical?"""
        scored, situation = found.scored, found.situation
        assert scored is not None and situation is not None
        if (scored.excluded | scored.vetoed | situation.negated) & EMERGENCY_INTENTS:
            return True
        if situation.resolved or situation.past:
            return True
        text = found.matched
        said, denied = self._neighbours.evidence(text, emergency, EMERGENCY_INTENTS)
        if not said:
            return bool(denied)
        weight = sum(w for _, _, w in said)
        if sum(w for _, _, w in denied) >= self.settings.examples_denied_share * (
            weight + sum(w for _, _, w in denied)
        ):
            return True
        hits = [Hit(emergency, "keyword", 1.0, s, e, text[s:e]) for s, e, _ in said]
        factors = self._rules.assess(text, hits, _GUARDED, EMERGENCY_INTENTS).factors
        limit = self.settings.examples_quiet_share * weight
        negated = sum(w for (_, _, w), f in zip(said, factors, strict=True) if f <= 0.0)
        calm = sum(w for (_, _, w), f in zip(said, factors, strict=True) if 0.0 < f < 1.0)
        return negated >= limit or calm >= limit

    def classify_many(self, texts: Iterable[str]) -> list[Classification]:
        return [self.classify(t) for t in texts]

    def explain(self, text: str) -> dict[str, Any]:
        """Debugging aid: the hits, situation factors, fuzzy and final scores of a message."""
        found = self._analyse(text)
        factors = found.situation.factors if found.situation else ()
        vote = self._decide(found)[1] if found.scored is not None else None
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
            "examples": vote.as_dict(self.examples) if vote is not None else None,
        }


def _content(matched: str) -> int:
    """Chinese characters and English words of a matched text."""
    return len(_CJK_CHAR_RE.findall(matched)) + len(english.WORD_RE.findall(matched))


_CJK_CHAR_RE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


@dataclass(frozen=True, slots=True)
class _Analysis:
    entities: Entities
    matched: str
    tokens: list[str]
    hits: list[Hit]
    situation: Situation | None
    fuzzy: dict[str, float]
    scored: Scores | None
