"""`Classifier`: one resident message -> one intent id of intents.md.

Pipeline: prepare (width, Traditional -> Simplified, case) -> building, room and phone cut
out (entities.py) -> features (jieba words, character n-grams, pinyin, English words;
features.py) -> probabilities from the exported weights (model.py: a network with one hidden
layer, or a logistic regression) ->
decision (the most severe intent past its threshold; decision.py). A long message is also
classified clause by clause, and an emergency in any clause wins.

Build it with `Classifier.from_locales(Path("locales"))`: it reads `zh/classifier.yaml`,
`zh/userdict.txt` (jieba's domain words), `zh/pinyin.txt` and `zh/model/intents.npz`,
retraining the weights first when the training data changed since they were exported
(training.py). It holds its own jieba tokenizer and OpenCC converter (no module-level
state) and is safe to share between coroutines.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.intents.classification import Classification
from bot.intents.decision import Decision, Thresholds, combine, decide
from bot.intents.entities import Region
from bot.intents.features import Featurizer, clauses, syllable_table
from bot.intents.model import MODEL_FILE, IntentModel
from bot.intents.normalize import TextNormalizer
from bot.intents.taxonomy import UNKNOWN, severity_of
from bot.intents.tokenizer import CORE_WORDS, build_tokenizer
from bot.yamlio import load_yaml

log = logging.getLogger(__name__)

SETTINGS_FILE = "classifier.yaml"
MODEL_LOCALE = "zh"
"""The model's data lives under locales/zh (it reads Chinese, English and pinyin alike)."""


@dataclass(frozen=True)
class ClauseSettings:
    long_message_chars: int = 40
    clause_min_chars: int = 6
    connectors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "connectors", tuple(str(c) for c in self.connectors))

    @property
    def connectors_re(self) -> re.Pattern[str] | None:
        if not self.connectors:
            return None
        words = sorted(self.connectors, key=len, reverse=True)
        return re.compile("(?=" + "|".join(re.escape(w) for w in words) + ")")


@dataclass(frozen=True)
class ModelSettings:
    training: dict[str, Any]
    thresholds: Thresholds
    clauses: ClauseSettings

    @classmethod
    def load(cls, path: Path) -> ModelSettings:
        data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
        return cls(
            training=dict(data.get("training") or {}),
            thresholds=Thresholds(**(data.get("decision") or {})),
            clauses=ClauseSettings(**(data.get("clauses") or {})),
        )


def build_featurizer(
    locales_root: Path,
    *,
    region: Region | None = None,
    normalizer: TextNormalizer | None = None,
    jieba_core_words: int | None = CORE_WORDS,
    cache_dir: Path | None = None,
) -> Featurizer:
    root = Path(locales_root) / MODEL_LOCALE
    userdicts = [p for p in [root / "userdict.txt"] if p.is_file()]
    tokenizer = build_tokenizer(
        userdicts, (), core_words=jieba_core_words, cache_dir=cache_dir or Path(tempfile.gettempdir())
    )
    table = root / "pinyin.txt"
    syllables = syllable_table(table) if table.is_file() else {}
    settings = load_yaml((root / SETTINGS_FILE).read_text(encoding="utf-8")) or {}
    context = {
        str(k): [str(w).casefold() for w in v] for k, v in (settings.get("context") or {}).items()
    }
    return Featurizer(normalizer or TextNormalizer(), tokenizer, syllables, region, context)


class Classifier:
    def __init__(
        self, featurizer: Featurizer, model: IntentModel, settings: ModelSettings
    ) -> None:
        self.featurizer = featurizer
        self.model = model
        self.settings = settings
        self.region = featurizer.region
        self._connectors = settings.clauses.connectors_re

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
        retrain_if_stale: bool = True,
    ) -> Classifier:
        """The classifier of `<locales_root>/zh` (`locales` is accepted for compatibility:
        one model reads every language). `region=None` accepts mainland and Hong Kong
        phone numbers. Stale or missing weights are retrained (about 30 s) unless
        `retrain_if_stale` is False."""
        root = Path(locales_root) / MODEL_LOCALE
        settings_path = root / SETTINGS_FILE
        if not settings_path.is_file():
            raise FileNotFoundError(f"classifier settings not found: {settings_path}")
        settings = ModelSettings.load(settings_path)
        featurizer = build_featurizer(
            locales_root,
            region=region,
            normalizer=normalizer,
            jieba_core_words=jieba_core_words,
            cache_dir=cache_dir,
        )
        model_path = root / "model" / MODEL_FILE
        model = None
        if model_path.is_file():
            model = IntentModel.load(model_path)
        if retrain_if_stale:
            from bot.intents import training  # scikit-learn only when training

            digest = training.data_hash(root)
            if model is None or model.meta.get("data_hash") != digest:
                log.warning("the intent model is missing or older than its data: training it")
                model = training.train_and_export(root, featurizer, settings, digest)
        if model is None:
            raise FileNotFoundError(f"intent model not found: {model_path}")
        return cls(featurizer, model, settings)

    # -- classification ---------------------------------------------------------------

    def match_text(self, text: str) -> str:
        """What the model reads of a message: normalised, entities cut out."""
        return self.featurizer.prepare(text)[1]

    def probabilities(self, text: str) -> dict[str, float]:
        _, matched, emoji = self.featurizer.prepare(text)
        return self.model.probabilities(self.featurizer.features(matched, emoji))

    def classify(self, text: str) -> Classification:
        raw = text if isinstance(text, str) else str(text)
        entities, matched, emoji = self.featurizer.prepare(raw)
        if not matched and not emoji:
            return Classification(raw, matched, UNKNOWN, severity_of(UNKNOWN), 1.0, False,
                                  [], entities)  # fmt: skip
        decision = self._decide(raw, matched, emoji)
        return Classification(
            text=raw,
            normalized=matched,
            intent=decision.intent,
            severity=severity_of(decision.intent),
            score=decision.score,
            needs_confirmation=decision.needs_confirmation,
            alternatives=decision.alternatives,
            entities=entities,
        )

    __call__ = classify

    def _decide(self, raw: str, matched: str, emoji: str) -> Decision:
        t = self.settings.thresholds
        probs = self.model.probabilities(self.featurizer.features(matched, emoji))
        whole = decide(probs, t)
        parts = self.clause_probabilities(raw)
        if not parts:
            return whole
        return combine(whole, [decide(p, t) for p in parts])

    def clause_probabilities(self, raw: str) -> list[dict[str, float]]:
        """Probabilities of each clause of a long message ([] for a short one)."""
        c = self.settings.clauses
        if len(raw) < c.long_message_chars:
            return []
        parts = list(clauses(raw, c.clause_min_chars, self._connectors))
        if len(parts) < 2:
            return []
        out = []
        for part in parts[:20]:
            _, matched, emoji = self.featurizer.prepare(part)
            if matched:
                out.append(self.model.probabilities(self.featurizer.features(matched, emoji)))
        return out

    def classify_many(self, texts: Iterable[str]) -> list[Classification]:
        return [self.classify(t) for t in texts]

    def explain(self, text: str) -> dict[str, Any]:
        """Debugging aid: the features, probabilities and clause decisions of a message."""
        _, matched, emoji = self.featurizer.prepare(text)
        features = self.featurizer.features(matched, emoji)
        probs = self.model.probabilities(features)
        return {
            "matched": matched,
            "features": features,
            "probabilities": dict(sorted(probs.items(), key=lambda kv: -kv[1])),
            "clauses": [
                decide(p, self.settings.thresholds).intent
                for p in self.clause_probabilities(text)
            ],
        }
