"""Training, tuning and honest evaluation of the intent model (scikit-learn).

    python -m bot intents train      # fit on every labelled message, export model/intents.npz
    python -m bot intents tune       # choose the decision thresholds on grouped CV
    python -m bot intents evaluate   # grouped CV by writer + the fresh holdout, per intent/tag

The labelled messages are `locales/zh/train/*.jsonl`, one object a line:
{"text", "intent", "tags", "writer"}. Every line names its writer (train/WRITERS.md has
their briefs). Cross-validation is grouped by writer: a writer's lines are never in both
the part a fold learns from and the part it is measured on. The fresh holdout
(tests/data/intents_holdout3.jsonl, written before training by a writer whose lines are
never trained on) is only ever measured.

Features: features.py (the same code serves classification). Weights: `(1 + log tf) * idf`
(or `idf` alone with `tf: binary` in classifier.yaml),
L2-normalised rows; a network with one hidden ReLU layer (`model: mlp`, MLPClassifier, a
fixed seed and number of epochs: deterministic) or a multinomial LogisticRegression
(`model: logistic`, lbfgs).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.intents.decision import Decision, Thresholds, combine, decide
from bot.intents.features import Featurizer
from bot.intents.model import MODEL_FILE, IntentModel, ModelArrays, save_model
from bot.intents.taxonomy import EMERGENCY_INTENTS, INTENTS, is_emergency

if TYPE_CHECKING:
    from bot.intents.classifier import Classifier, ModelSettings

TRAIN_DIR = "train"
FEATURE_CODE = ("features.py", "model.py", "training.py", "entities.py", "normalize.py")
"""Changing these files makes exported weights stale too."""


@dataclass(frozen=True)
class Labelled:
    text: str
    intent: str
    writer: str
    tags: tuple[str, ...] = ()


def read_labelled(paths: Iterable[Path]) -> list[Labelled]:
    rows: list[Labelled] = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                data = json.loads(line)
                intent = data["intent"]
                if intent not in INTENTS:
                    raise ValueError(f"{path.name}:{number}: unknown intent {intent!r}")
                rows.append(
                    Labelled(
                        str(data["text"]),
                        intent,
                        str(data.get("writer") or path.stem),
                        tuple(data.get("tags") or ()),
                    )
                )
    return rows


def training_files(locale_root: Path) -> list[Path]:
    return sorted((Path(locale_root) / TRAIN_DIR).glob("*.jsonl"))


def data_hash(locale_root: Path) -> str:
    """A digest of the training data, the settings and the feature code."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in [
        *training_files(locale_root),
        Path(locale_root) / "classifier.yaml",
        Path(locale_root) / "userdict.txt",
        *(here / name for name in FEATURE_CODE),
    ]:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# -- fitting -------------------------------------------------------------------------------


def featurize(featurizer: Featurizer, texts: Sequence[str]) -> list[list[str]]:
    out = []
    for text in texts:
        _, matched, emoji = featurizer.prepare(text)
        out.append(featurizer.features(matched, emoji))
    return out


def _matrix(
    bags: Sequence[Sequence[str]],
    index: dict[str, int],
    idf: np.ndarray,
    binary: bool = False,
    dtype: Any = np.float64,
) -> Any:
    """The weighted, L2-normalised rows of `bags` (as IntentModel.logits weighs a message):
    duplicates are summed by scipy into counts, then weighted in numpy."""
    from scipy.sparse import csr_matrix

    lengths = np.fromiter(map(len, bags), dtype=np.int64, count=len(bags))
    ids = np.fromiter(
        (index.get(f, -1) for bag in bags for f in bag), dtype=np.int64, count=int(lengths.sum())
    )
    rows = np.repeat(np.arange(len(bags), dtype=np.int64), lengths)
    known = ids >= 0
    counts = csr_matrix(
        (np.ones(int(known.sum())), (rows[known], ids[known])), shape=(len(bags), len(index))
    )
    counts.sum_duplicates()
    counts.sort_indices()
    idf64 = np.asarray(idf, dtype=np.float64)
    tf = np.ones_like(counts.data) if binary else 1.0 + np.log(counts.data)
    counts.data = tf * idf64[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    counts.data /= np.repeat(norms, np.diff(counts.indptr))
    return counts.astype(dtype)


def fit(
    bags: Sequence[Sequence[str]], labels: Sequence[str], training: dict[str, Any]
) -> ModelArrays:
    """Fit the model of `training` (classifier.yaml) on feature bags; deterministic for the
    same input."""
    from sklearn.linear_model import LogisticRegression

    min_df = int(training.get("min_df", 2))
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(set(bag))
    vocabulary = sorted(f for f, n in df.items() if n >= min_df)
    index = {f: i for i, f in enumerate(vocabulary)}
    n = len(bags)
    idf = np.asarray([math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocabulary])
    binary = str(training.get("tf", "sublinear")) == "binary"
    x = _matrix(bags, index, idf, binary)
    kind = str(training.get("model", "logistic"))
    if kind == "mlp":
        return _fit_mlp(x, list(labels), vocabulary, idf, binary, training)
    if kind != "logistic":
        raise ValueError(f"classifier.yaml training.model: {kind!r} is neither mlp nor logistic")
    model = LogisticRegression(
        C=float(training.get("C", 8.0)),
        max_iter=int(training.get("max_iter", 400)),
        class_weight=None if training.get("class_weight") in (None, "none") else "balanced",
        solver="lbfgs",
        tol=float(training.get("tol", 1e-4)),
    )
    model.fit(x, list(labels))
    full_w, full_b = _all_intents(model.classes_, model.coef_.T, model.intercept_)
    meta = {"tf": "binary" if binary else "sublinear", "model": "logistic"}
    prune = float(training.get("prune_below", 0.0))
    if prune > 0:  # features whose every weight is tiny change no decision: drop them
        keep = np.flatnonzero(np.abs(full_w).max(axis=1) >= prune)
        vocabulary = [vocabulary[i] for i in keep]
        idf, full_w = idf[keep], full_w[keep]
    return ModelArrays(vocabulary, idf.astype(np.float32), full_w, full_b, INTENTS, meta)


def _all_intents(classes: Any, weights: np.ndarray, bias: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Output weights and bias with a column for every intent, in INTENTS order (an intent
    without examples gets bias -30: never predicted)."""
    full_w = np.zeros((weights.shape[0], len(INTENTS)), dtype=np.float32)
    full_b = np.full(len(INTENTS), -30.0, dtype=np.float32)
    for j, intent in enumerate(str(c) for c in classes):
        full_w[:, INTENTS.index(intent)] = weights[:, j]
        full_b[INTENTS.index(intent)] = bias[j]
    return full_w, full_b


def _fit_mlp(
    x: Any,
    labels: list[str],
    vocabulary: list[str],
    idf: np.ndarray,
    binary: bool,
    training: dict[str, Any],
) -> ModelArrays:
    """One hidden ReLU layer over the same weighted features (scikit-learn's MLPClassifier,
    Adam, a fixed number of epochs, a fixed seed, one BLAS thread: deterministic). It learns
    in float32, as it is served: twice as fast as float64, and no less accurate."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    units = int(training.get("hidden", 32))
    model = MLPClassifier(
        hidden_layer_sizes=(units,),
        alpha=float(training.get("alpha", 1e-4)),
        batch_size=int(training.get("batch_size", 1024)),
        learning_rate_init=float(training.get("learning_rate", 0.003)),
        max_iter=int(training.get("epochs", 10)),
        random_state=int(training.get("seed", 0)),
        shuffle=True,
    )
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of epochs
        model.fit(x.astype(np.float32), labels)
    full_w, full_b = _all_intents(model.classes_, model.coefs_[1], model.intercepts_[1])
    meta = {"tf": "binary" if binary else "sublinear", "model": "mlp", "hidden": units}
    return ModelArrays(
        vocabulary,
        idf.astype(np.float32),
        full_w,
        full_b,
        INTENTS,
        meta,
        hidden=model.coefs_[0].astype(np.float32),
        hidden_bias=model.intercepts_[0].astype(np.float32),
    )


def train_and_export(
    locale_root: Path,
    featurizer: Featurizer,
    settings: ModelSettings,
    digest: str | None = None,
    path: Path | None = None,
) -> IntentModel:
    """Fit on every labelled message and write the weights (kept in memory if the file
    cannot be written)."""
    rows = read_labelled(training_files(locale_root))
    bags = featurize(featurizer, [r.text for r in rows])
    arrays = fit(bags, [r.intent for r in rows], settings.training)
    meta = {
        **arrays.meta,
        "data_hash": digest or data_hash(locale_root),
        "messages": len(rows),
        "writers": len({r.writer for r in rows}),
        "features": len(arrays.features),
    }
    arrays = dataclasses.replace(arrays, meta=meta)
    target = path or Path(locale_root) / "model" / MODEL_FILE
    try:
        save_model(target, arrays)
    except OSError as exc:  # a read-only installation still classifies
        import logging

        logging.getLogger(__name__).warning("could not write %s: %s", target, exc)
    return IntentModel(arrays)


# -- measuring -----------------------------------------------------------------------------


@dataclass
class Scored:
    """A labelled message with the probabilities a model gave it (whole and per clause)."""

    row: Labelled
    whole: dict[str, float]
    parts: list[dict[str, float]] = field(default_factory=list)

    def decision(self, t: Thresholds) -> Decision:
        whole = decide(self.whole, t)
        if not self.parts:
            return whole
        return combine(whole, [decide(p, t) for p in self.parts])


def score_with(classifier: Classifier, rows: Sequence[Labelled]) -> list[Scored]:
    return [
        Scored(r, classifier.probabilities(r.text), classifier.clause_probabilities(r.text))
        for r in rows
    ]


_SHARED: dict[str, Any] = {}
"""The featurized messages of a cross-validation, for the fold workers forked from it."""


def _fit_fold(job: tuple[list[int], dict[str, Any]]) -> ModelArrays:
    train_idx, training = job
    bags, intents = _SHARED["bags"], _SHARED["intents"]
    return fit([bags[i] for i in train_idx], [intents[i] for i in train_idx], training)


def grouped_cv(
    rows: Sequence[Labelled],
    make: Callable[[IntentModel], Classifier],
    featurizer: Featurizer,
    training: dict[str, Any],
    progress: Callable[[str], None] = lambda _: None,
    groups: Callable[[Labelled], str] = lambda r: r.writer,
    jobs: int = 1,
) -> list[Scored]:
    """Leave-one-writer-out (or one group of writers, `groups`): each writer's lines scored
    by a model fit on the others'. `jobs` > 1 fits that many folds at once in forked
    processes (each fit is deterministic: the same figures, sooner on several cores)."""
    bags = featurize(featurizer, [r.text for r in rows])
    by_writer: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_writer[groups(r)].append(i)
    folds = sorted(by_writer)
    trains = [
        [i for i in range(len(rows)) if i not in held]
        for held in (set(by_writer[writer]) for writer in folds)
    ]
    if jobs > 1 and len(folds) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _SHARED.update(bags=bags, intents=[r.intent for r in rows])
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(min(jobs, len(folds)), mp_context=context) as pool:
                fitted = list(pool.map(_fit_fold, [(t, training) for t in trains]))
        finally:
            _SHARED.clear()
    else:
        fitted = [
            fit([bags[i] for i in t], [rows[i].intent for i in t], training) for t in trains
        ]
    out: list[Scored] = []
    for writer, arrays in zip(folds, fitted, strict=True):
        classifier = make(IntentModel(arrays))
        held = sorted(by_writer[writer])
        out.extend(score_with(classifier, [rows[i] for i in held]))
        progress(f"  fold {writer}: {len(held)} lines")
    return out


@dataclass
class Report:
    n: int
    accuracy: float
    emergency_recall: float
    emergency_exact: float
    emergency_direct: float
    emergencies: int
    confusers: int
    confusers_alarmed: int
    normal_alarmed: int
    normals: int
    per_intent: dict[str, tuple[int, int]]
    per_tag: dict[str, tuple[int, int]]
    per_writer: dict[str, tuple[int, int]]
    confusion: dict[str, Counter[str]]
    misses: list[tuple[str, str, str]]

    @property
    def confuser_rate(self) -> float:
        return self.confusers_alarmed / self.confusers if self.confusers else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.n,
            "accuracy": round(self.accuracy, 4),
            "emergency_recall": round(self.emergency_recall, 4),
            "emergency_exact": round(self.emergency_exact, 4),
            "emergency_direct": round(self.emergency_direct, 4),
            "confusers_alarmed": round(self.confuser_rate, 4),
            "confusers": self.confusers,
            "non_emergencies_alarmed": round(self.normal_alarmed / max(1, self.normals), 4),
        }


def report(scored: Sequence[Scored], t: Thresholds) -> Report:
    """Accuracy; emergency recall (an emergency answered as some emergency, confirmed or
    not); emergencies answered directly (as some emergency, with no question first);
    confusers alarmed (a non-emergency tagged `confuser` answered as an emergency,
    `needs_confirmation` included)."""
    em_direct = 0
    ok = em = em_hit = em_exact = conf = conf_alarm = normals = normal_alarm = 0
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_writer: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    misses = []
    for s in scored:
        d = s.decision(t)
        right = d.intent == s.row.intent
        ok += right
        confusion[s.row.intent][d.intent] += 1
        for bucket in (per_intent[s.row.intent], per_writer[s.row.writer],
                       *(per_tag[tag] for tag in s.row.tags)):  # fmt: skip
            bucket[0] += 1
            bucket[1] += right
        if is_emergency(s.row.intent):
            em += 1
            em_hit += is_emergency(d.intent)
            em_direct += is_emergency(d.intent) and not d.needs_confirmation
            em_exact += right
        else:
            normals += 1
            normal_alarm += is_emergency(d.intent)
            if "confuser" in s.row.tags:
                conf += 1
                conf_alarm += is_emergency(d.intent)
        if not right:
            misses.append((s.row.text, s.row.intent, d.intent))
    n = len(scored)
    return Report(
        n=n,
        accuracy=ok / n if n else 0.0,
        emergency_recall=em_hit / em if em else 1.0,
        emergency_exact=em_exact / em if em else 1.0,
        emergency_direct=em_direct / em if em else 1.0,
        emergencies=em,
        confusers=conf,
        confusers_alarmed=conf_alarm,
        normal_alarmed=normal_alarm,
        normals=normals,
        per_intent={k: (v[0], v[1]) for k, v in per_intent.items()},
        per_tag={k: (v[0], v[1]) for k, v in per_tag.items()},
        per_writer={k: (v[0], v[1]) for k, v in per_writer.items()},
        confusion=dict(confusion),
        misses=misses,
    )


RECALL_FLOOR = 0.99
"""Emergencies answered as an emergency (confirmed or not): at least this share."""
DIRECT_FLOOR = 0.94
"""Emergencies answered at once, with no confirmation question first: at least this share
(what the logistic model of the sixth round gave, 0.943 on grouped CV). A confirmation
keeps the resident safe (the life-saving line comes with it) but costs a frightened person
a tap; without this floor the most accurate thresholds would ask about one emergency in ten."""
ALARM_CEILING = 0.05
"""Confusers answered as an emergency: at most this share, where any setting allows it."""


def choose_thresholds(
    scored: Sequence[Scored],
    base: Thresholds,
    recall_floor: float = RECALL_FLOOR,
    alarm_ceiling: float = ALARM_CEILING,
    direct_floor: float = DIRECT_FLOOR,
    groups: Callable[[Labelled], str] | None = None,
) -> Thresholds:
    """Safety first: among the thresholds whose emergency recall and share of emergencies
    answered at once reach their floors, those within the confuser ceiling if any, the most
    accurate; if none reaches the floors, the one with the highest recall. With `groups`
    (the folds of a cross-validation), the recall floor must hold in every fold, not only
    on all of them together: a setting that drops below it for some voices is not safe."""
    folds: dict[str, list[Scored]] = defaultdict(list)
    if groups is not None:  # only the emergencies count for recall
        for s in scored:
            if is_emergency(s.row.intent):
                folds[groups(s.row)].append(s)
    candidates = []
    for sure in (0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        for confirm in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
            if confirm > sure:
                continue
            for urgent in (0.3, 0.4, 0.5):
                t = Thresholds(sure, confirm, urgent, base.unknown_below)
                r = report(scored, t)
                meets = (
                    r.emergency_recall >= recall_floor
                    and r.emergency_direct >= direct_floor
                    and all(report(f, t).emergency_recall >= recall_floor for f in folds.values())
                )
                within = r.confuser_rate <= alarm_ceiling
                key = (meets, meets and within, r.accuracy if meets else r.emergency_recall)
                candidates.append((key, t))
    return max(candidates, key=lambda c: c[0])[1]


def format_report(title: str, r: Report, details: bool = True) -> str:
    lines = [
        f"{title}: {r.n} messages  accuracy {r.accuracy:.3f}  "
        f"emergency recall {r.emergency_recall:.3f} (right intent {r.emergency_exact:.3f}, "
        f"at once {r.emergency_direct:.3f})  "
        f"confusers alarmed {r.confusers_alarmed}/{r.confusers} ({r.confuser_rate:.1%})  "
        f"non-emergencies alarmed {r.normal_alarmed}/{r.normals}"
    ]
    if not details:
        return lines[0]
    lines.append("  per intent (n, accuracy):")
    for intent in INTENTS:
        if intent in r.per_intent:
            n, k = r.per_intent[intent]
            top = ", ".join(
                f"{p} {c}" for p, c in r.confusion[intent].most_common(4) if p != intent
            )
            lines.append(f"    {intent:17} {n:5} {k / n:.3f}  {('-> ' + top) if top else ''}")
    lines.append("  per tag:")
    for tag, (n, k) in sorted(r.per_tag.items(), key=lambda kv: -kv[1][0]):
        lines.append(f"    {tag:17} {n:5} {k / n:.3f}")
    lines.append("  per writer:")
    for writer, (n, k) in sorted(r.per_writer.items()):
        lines.append(f"    {writer:17} {n:5} {k / n:.3f}")
    return "\n".join(lines)


def emergency_misses(r: Report) -> list[tuple[str, str, str]]:
    return [m for m in r.misses if m[1] in EMERGENCY_INTENTS and m[2] not in EMERGENCY_INTENTS]
