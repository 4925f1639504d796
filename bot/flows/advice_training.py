"""Training and measuring the advice model (advice_model.py); scikit-learn is imported here only.

Data: `locales/zh/advice/*.jsonl`, one file per independent writer, each line
`{"text", "advice", "emergency", "writer"}` (`advice`: an id of locales/zh/advice.yaml or
`none`; `emergency`: the emergency the resident is in). Measured by leave-one-writer-out
cross-validation (no writer is both learned from and scored) and on fresh holdouts written
by writers never learned from (`tests/data/advice_holdout*.jsonl`).

Scoring a message: its candidates are the advice ids that may be given in its emergency, as
served (advice.yaml: `within`, nothing said done already or not done; `AdviceBook.open_names`;
the situation of the report is not known: an answer kept for one situation may be given);
the best candidate, renormalised with `none`, is answered when it reaches the threshold. An answer is right when it is the label; wrong when it is another id, or any id for
a `none` message. Precision = right / answered; coverage = right / messages with an id.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.flows.advice_model import (
    DATA_DIR,
    MODEL_FILE,
    NONE,
    AdviceReader,
    AdviceSettings,
    pick,
)
from bot.intents.features import Featurizer
from bot.intents.model import IntentModel, ModelArrays, save_model
from bot.intents.taxonomy import EMERGENCY_INTENTS
from bot.intents.training import featurize

FEATURE_CODE = ("advice_model.py", "advice_training.py")
"""Changing these files (or the intent model's feature code) makes the weights stale."""

PRECISION_FLOOR = 0.97
"""`tune` picks the lowest threshold whose cross-validated precision reaches this: a wrong
answer to a frightened resident costs more than no answer (the emergency's line again)."""

THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(14))


@dataclass(frozen=True)
class Asked:
    text: str
    advice: str
    emergency: str
    writer: str


def data_files(locale_root: Path) -> list[Path]:
    return sorted((Path(locale_root) / DATA_DIR).glob("*.jsonl"))


def read_asked(paths: Iterable[Path], names: Sequence[str] | None = None) -> list[Asked]:
    known = set(names or ()) | {NONE}
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                data = json.loads(line)
                advice, emergency = str(data["advice"]), str(data["emergency"])
                if names is not None and advice not in known:
                    raise ValueError(f"{path.name}:{number}: unknown advice {advice!r}")
                if emergency not in EMERGENCY_INTENTS:
                    raise ValueError(f"{path.name}:{number}: not an emergency {emergency!r}")
                rows.append(Asked(str(data["text"]), advice, emergency,
                                  str(data.get("writer") or path.stem)))  # fmt: skip
    return rows


def names(locale_root: Path) -> list[str]:
    """The advice ids of advice.yaml (what a line may be labelled, besides `none`)."""
    from bot.flows.advice import AdviceBook
    from bot.intents.normalize import TextNormalizer

    return list(AdviceBook.load(Path(locale_root) / "advice.yaml", TextNormalizer().prepare).names)


Candidates = Callable[[Asked], Sequence[str]]
"""The advice ids that may be given to a message (`AdviceBook.open_names` as served)."""


def candidates_of(locale_root: Path) -> Candidates:
    from bot.flows.advice import ANY_SITUATION, AdviceBook
    from bot.intents.normalize import TextNormalizer

    book = AdviceBook.load(Path(locale_root) / "advice.yaml", TextNormalizer().prepare)
    return lambda row: book.open_names(row.text, row.emergency, ANY_SITUATION)


def data_hash(locale_root: Path) -> str:
    """A digest of the data, the settings, the advice ids and the feature code."""
    from bot.intents import training as intent_training

    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    intents = Path(intent_training.__file__).resolve().parent
    root = Path(locale_root)
    for path in [
        *data_files(root),
        root / "advice_model.yaml",
        root / "advice.yaml",
        root / "userdict.txt",
        *(here / name for name in FEATURE_CODE),
        *(intents / name for name in intent_training.FEATURE_CODE),
    ]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# -- fitting -------------------------------------------------------------------------------


def fit(bags: Sequence[Sequence[str]], labels: Sequence[str], training: dict[str, Any]) -> ModelArrays:
    """A multinomial logistic regression over the intent model's weighted features
    (deterministic: lbfgs, no randomness)."""
    from sklearn.linear_model import LogisticRegression

    from bot.intents.training import _matrix

    min_df = int(training.get("min_df", 2))
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(set(bag))
    vocabulary = sorted(f for f, n in df.items() if n >= min_df)
    index = {f: i for i, f in enumerate(vocabulary)}
    n = len(bags)
    idf = np.asarray([math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocabulary])
    x = _matrix(bags, index, idf)
    model = LogisticRegression(
        C=float(training.get("C", 8.0)),
        max_iter=int(training.get("max_iter", 1000)),
        solver="lbfgs",
        tol=float(training.get("tol", 1e-4)),
    )
    model.fit(x, list(labels))
    classes = [str(c) for c in model.classes_]
    return ModelArrays(
        vocabulary,
        idf.astype(np.float32),
        np.asarray(model.coef_.T, dtype=np.float32),
        np.asarray(model.intercept_, dtype=np.float32),
        classes,
        {"tf": "sublinear", "model": "logistic"},
    )


def train_and_export(
    locale_root: Path,
    featurizer: Featurizer,
    settings: AdviceSettings,
    digest: str | None = None,
    path: Path | None = None,
) -> IntentModel:
    root = Path(locale_root)
    rows = read_asked(data_files(root), names(root))
    arrays = fit(featurize(featurizer, [r.text for r in rows]), [r.advice for r in rows],
                 settings.training)  # fmt: skip
    meta = {
        **arrays.meta,
        "data_hash": digest or data_hash(root),
        "messages": len(rows),
        "writers": len({r.writer for r in rows}),
        "features": len(arrays.features),
    }
    arrays = dataclasses.replace(arrays, meta=meta)
    target = path or root / "model" / MODEL_FILE
    try:
        save_model(target, arrays)
    except OSError as exc:  # a read-only installation still answers
        import logging

        logging.getLogger(__name__).warning("could not write %s: %s", target, exc)
    return IntentModel(arrays)


# -- measuring -----------------------------------------------------------------------------


@dataclass
class Scored:
    row: Asked
    probs: dict[str, float]


def grouped_cv(
    rows: Sequence[Asked], featurizer: Featurizer, training: dict[str, Any]
) -> list[Scored]:
    """Leave one writer out: each writer's lines scored by a model fit on the others'."""
    bags = featurize(featurizer, [r.text for r in rows])
    by_writer: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_writer[r.writer].append(i)
    out: list[Scored] = []
    for writer in sorted(by_writer):
        held = set(by_writer[writer])
        train = [i for i in range(len(rows)) if i not in held]
        model = IntentModel(fit([bags[i] for i in train], [rows[i].advice for i in train], training))
        out.extend(Scored(rows[i], model.probabilities(bags[i])) for i in sorted(held))
    return out


def score_with(reader: AdviceReader, rows: Sequence[Asked]) -> list[Scored]:
    return [Scored(r, reader.probabilities(r.text)) for r in rows]


@dataclass
class Report:
    n: int
    asked: int  # messages with an advice id
    right: int
    wrong: int  # another id answered to a message with an id
    false: int  # an id answered to a `none` message
    nones: int
    per_writer: dict[str, tuple[int, int, int]]  # writer -> (right, answered, asked)
    misses: list[tuple[str, str, str]]  # (text, label, answered or "")

    @property
    def answered(self) -> int:
        return self.right + self.wrong + self.false

    @property
    def precision(self) -> float:
        return self.right / self.answered if self.answered else 1.0

    @property
    def coverage(self) -> float:
        return self.right / self.asked if self.asked else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.n,
            "asked": self.asked,
            "precision": round(self.precision, 4),
            "coverage": round(self.coverage, 4),
            "wrong_answers": self.wrong,
            "answers_to_none": self.false,
            "nones": self.nones,
        }


def report(
    scored: Sequence[Scored],
    open_for: Candidates,
    threshold: float,
    answer: Callable[[Scored], str | None] | None = None,
) -> Report:
    """`answer`: what to score instead of the model's pick (the word lists, or both)."""
    right = wrong = false = asked = nones = 0
    per_writer: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses = []
    for s in scored:
        if answer is not None:
            got = answer(s)
        else:
            picked = pick(s.probs, open_for(s.row), threshold)
            got = picked[0] if picked else None
        bucket = per_writer[s.row.writer]
        if s.row.advice == NONE:
            nones += 1
            false += got is not None
        else:
            asked += 1
            bucket[2] += 1
            right += got == s.row.advice
            wrong += got is not None and got != s.row.advice
        bucket[0] += got is not None and got == s.row.advice
        bucket[1] += got is not None
        if got != (None if s.row.advice == NONE else s.row.advice):
            misses.append((s.row.text, s.row.advice, got or ""))
    return Report(len(scored), asked, right, wrong, false, nones,
                  {w: (b[0], b[1], b[2]) for w, b in per_writer.items()}, misses)  # fmt: skip


def choose_threshold(scored: Sequence[Scored], open_for: Candidates) -> float:
    """The lowest threshold whose precision reaches PRECISION_FLOOR (the most answers at that
    precision); the highest tried when none does."""
    for t in THRESHOLDS:
        if report(scored, open_for, t).precision >= PRECISION_FLOOR:
            return t
    return THRESHOLDS[-1]
