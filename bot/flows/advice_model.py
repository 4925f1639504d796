"""Which "what do I do" question a resident in an emergency asks, learned from labelled
messages (locales/zh/advice/*.jsonl, one file per independent writer).

The word lists of locales/zh/advice.yaml answer the questions whose words they know; on
questions nobody in the project wrote they found about half (blind rounds ER, ES, ET). This
model reads the same features as the intent model (features.py: jieba words, character
n-grams, pinyin, English words) and gives a probability per advice id and `none`. Only the
ids that fit the emergency (and situation) at hand are candidates: their probabilities are
renormalised with `none`'s, and the best is answered when it reaches the threshold chosen on
grouped cross-validation (`locales/zh/advice_model.yaml`, `python -m bot advice tune`). It also
holds back a word list's answer to a message it is sure asks nothing (`veto`): "我不会让她吐的"
or "燃气公司电话打过了" need no answer.

Served from exported weights (`locales/zh/model/advice.npz`, the intent model's format, loaded
without pickle); trained with scikit-learn by `python -m bot advice train` (advice_training.py),
and again at start when the data changed since the weights were exported.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.intents.features import Featurizer
from bot.intents.model import IntentModel
from bot.yamlio import load_yaml

log = logging.getLogger(__name__)

NONE = "none"
DATA_DIR = "advice"
SETTINGS_FILE = "advice_model.yaml"
MODEL_FILE = "advice.npz"


@dataclass(frozen=True)
class AdviceSettings:
    training: dict[str, Any]
    threshold: float = 0.6
    veto: float = 1.0

    @classmethod
    def load(cls, path: Path) -> AdviceSettings:
        data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
        decision = data.get("decision") or {}
        return cls(
            training=dict(data.get("training") or {}),
            threshold=float(decision.get("threshold", 0.6)),
            veto=float(decision.get("veto", 1.0)),
        )


class AdviceReader:
    """The advice a message asks for among the candidates that fit its emergency."""

    def __init__(
        self, featurizer: Featurizer, model: IntentModel, threshold: float, veto: float = 1.0
    ) -> None:
        self._featurizer = featurizer
        self._model = model
        self.threshold = threshold
        self.veto = veto

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in self._model.intents if n != NONE)

    @classmethod
    def load(
        cls, locale_root: Path, featurizer: Featurizer, *, retrain_if_stale: bool = True
    ) -> AdviceReader | None:
        """The reader of `<locale_root>` (locales/zh); None when it has neither weights nor
        data to learn them from."""
        root = Path(locale_root)
        settings_path = root / SETTINGS_FILE
        if not settings_path.is_file():
            return None
        try:
            settings = AdviceSettings.load(settings_path)
            path = root / "model" / MODEL_FILE
            model = IntentModel.load(path) if path.is_file() else None
            if retrain_if_stale:
                from bot.flows import advice_training  # scikit-learn only when training

                digest = advice_training.data_hash(root)
                has_data = bool(advice_training.data_files(root))
                if has_data and (model is None or model.meta.get("data_hash") != digest):
                    log.warning("the advice model is missing or older than its data: training it")
                    model = advice_training.train_and_export(root, featurizer, settings, digest)
        except Exception:  # the word lists still answer: a broken file must not stop the line
            log.exception("the advice model could not be loaded; answering from the word lists")
            return None
        if model is None:
            return None
        return cls(featurizer, model, settings.threshold, settings.veto)

    def probabilities(self, text: str) -> dict[str, float]:
        _, matched, emoji = self._featurizer.prepare(text)
        return self._model.probabilities(self._featurizer.features(matched, emoji))

    def pick(self, text: str, candidates: Collection[str]) -> tuple[str, float] | None:
        """(advice id, its probability among the candidates and `none`) when that reaches the
        threshold, else None."""
        if not candidates:
            return None
        return pick(self.probabilities(text), candidates, self.threshold)


    def vetoes(self, text: str, candidates: Collection[str]) -> bool:
        """A word list's answer is held back: the message is surely none of the candidates
        (`none`'s share at least `veto`: "燃气公司电话打过了 说半个钟头到", "我不会让她吐的")."""
        if self.veto >= 1.0:  # off
            return False
        return vetoed(self.probabilities(text), candidates, self.veto)


def vetoed(probs: dict[str, float], candidates: Collection[str], veto: float) -> bool:
    none = probs.get(NONE, 0.0)
    total = none + sum(probs.get(c, 0.0) for c in candidates)
    return total > 0.0 and none / total >= veto


def pick(
    probs: dict[str, float], candidates: Collection[str], threshold: float
) -> tuple[str, float] | None:
    """The best of `candidates` by `probs` renormalised over them and `none`, when it
    reaches `threshold`."""
    allowed = [c for c in candidates if c in probs]
    if not allowed:
        return None
    total = probs.get(NONE, 0.0) + sum(probs[c] for c in allowed)
    if total <= 0.0:
        return None
    best = max(sorted(allowed), key=lambda c: probs[c])
    share = probs[best] / total
    return (best, share) if share >= threshold else None
