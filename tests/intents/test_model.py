"""The learned intent model: training is deterministic, the exported weight table loads
without pickle and gives sklearn's own probabilities, pinyin and long messages are read,
and the decision layer puts the most severe intent first."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.config import REPO_ROOT
from bot.intents import is_emergency
from bot.intents.classifier import Classifier, ModelSettings, build_featurizer
from bot.intents.decision import Decision, Thresholds, combine, decide
from bot.intents.features import clauses
from bot.intents.model import IntentModel, save_model
from bot.intents.taxonomy import INTENTS
from bot.intents.training import (
    Labelled,
    Scored,
    choose_thresholds,
    data_hash,
    featurize,
    fit,
    grouped_cv,
    read_labelled,
    report,
    score_with,
    training_files,
)

LOCALES = REPO_ROOT / "locales"
ZH = LOCALES / "zh"


@pytest.fixture(scope="module")
def featurizer() -> Any:
    return build_featurizer(LOCALES)


@pytest.fixture(scope="module")
def small() -> list[Labelled]:
    """Every 12th labelled message: enough for the mechanics, fast to fit."""
    rows = read_labelled(training_files(ZH))
    return rows[::12]


def test_every_line_names_its_writer_and_a_contract_intent() -> None:
    rows = read_labelled(training_files(ZH))
    assert len(rows) >= 12_000
    assert all(r.writer for r in rows)
    assert {r.intent for r in rows} == set(INTENTS)
    assert len({r.writer for r in rows}) >= 8


HOLDOUTS = (
    "intents_holdout3.jsonl",
    "intents_holdout4.jsonl",
    "intents_holdout5.jsonl",
    "intents_holdout6.jsonl",
    "intents_holdout7.jsonl",
    "intents_holdout8.jsonl",
    "intents_holdout9.jsonl",
    "intents_holdout10.jsonl",
    "intents_holdout11.jsonl",
    "intents_holdout12.jsonl",
    "intents_holdout13.jsonl",
    "intents_holdout14.jsonl",
)


@pytest.mark.parametrize("name", HOLDOUTS)
def test_the_holdout_is_never_trained_on(name: str) -> None:
    holdout = read_labelled([REPO_ROOT / "tests" / "data" / name])
    trained = {r.text for r in read_labelled(training_files(ZH))}
    assert holdout
    assert {r.writer for r in holdout}.isdisjoint({r.writer for r in read_labelled(training_files(ZH))})
    overlap = [r.text for r in holdout if r.text in trained]
    # independent writers meet only on stray short lines ("转人工", "在吗"), never a copy
    assert all(len(text) <= 40 for text in overlap), overlap
    assert len(overlap) <= len(holdout) // 25, overlap


def test_training_is_deterministic(featurizer: Any, small: list[Labelled]) -> None:
    bags = featurize(featurizer, [r.text for r in small])
    labels = [r.intent for r in small]
    settings = ModelSettings.load(ZH / "classifier.yaml").training
    a, b = fit(bags, labels, settings), fit(bags, labels, settings)
    assert list(a.features) == list(b.features)
    assert np.array_equal(a.weights, b.weights)
    assert np.array_equal(a.bias, b.bias)
    assert (a.hidden is None) == (b.hidden is None)
    if a.hidden is not None:
        assert np.array_equal(a.hidden, b.hidden)
        assert np.array_equal(a.hidden_bias, b.hidden_bias)


def _reference(settings: dict[str, Any]) -> Any:
    """The scikit-learn estimator that `fit` trains for these settings."""
    if settings.get("model", "logistic") == "mlp":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(int(settings["hidden"]),), alpha=float(settings["alpha"]),
            batch_size=int(settings["batch_size"]), max_iter=int(settings["epochs"]),
            learning_rate_init=float(settings["learning_rate"]), random_state=int(settings["seed"]),
        )  # fmt: skip
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=float(settings["C"]), max_iter=int(settings["max_iter"]), tol=float(settings["tol"]),
        class_weight=None if settings.get("class_weight") in (None, "none") else "balanced",
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["mlp", "logistic"])
def test_export_round_trip_gives_sklearns_probabilities(
    featurizer: Any, small: list[Labelled], tmp_path: Path, kind: str
) -> None:
    import warnings

    from threadpoolctl import threadpool_limits

    from bot.intents.training import _matrix

    bags = featurize(featurizer, [r.text for r in small])
    labels = [r.intent for r in small]
    settings = {**ModelSettings.load(ZH / "classifier.yaml").training, "model": kind}
    arrays = fit(bags, labels, settings)
    assert arrays.meta["model"] == kind
    assert (arrays.hidden is not None) == (kind == "mlp")
    save_model(tmp_path / "m.npz", arrays)
    loaded = IntentModel.load(tmp_path / "m.npz")
    index = {f: i for i, f in enumerate(arrays.features)}
    dtype = np.float32 if kind == "mlp" else np.float64  # as fit() learns
    x = _matrix(bags[:40], index, np.asarray(arrays.idf), dtype=dtype)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _reference(settings).fit(
            _matrix(bags, index, np.asarray(arrays.idf), dtype=dtype), labels
        )
    expected = reference.predict_proba(x)
    for row, bag in enumerate(bags[:40]):
        probs = loaded.probabilities(bag)
        for j, intent in enumerate(reference.classes_):
            assert probs[intent] == pytest.approx(expected[row, j], abs=2e-3)
    # a message of unknown words only: the output layer's answer to an empty input
    empty = reference.predict_proba(
        _matrix([["never-seen"]], index, np.ones(len(index)), dtype=dtype)
    )
    probs = loaded.probabilities(["never-seen"])
    for j, intent in enumerate(reference.classes_):
        assert probs[intent] == pytest.approx(empty[0, j], abs=2e-3)


def test_the_weight_table_loads_without_pickle(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, features=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        IntentModel.load(path)


def test_shipped_weights_are_current() -> None:
    model = IntentModel.load(ZH / "model" / "intents.npz")
    assert model.meta["data_hash"] == data_hash(ZH), "run: python -m bot intents train"


def test_stale_weights_are_retrained_at_start(tmp_path: Path, small: list[Labelled]) -> None:
    root = tmp_path / "locales"
    (root / "zh" / "train").mkdir(parents=True)
    for name in ("classifier.yaml", "userdict.txt", "pinyin.txt"):
        shutil.copy(ZH / name, root / "zh" / name)
    import json

    with (root / "zh" / "train" / "a.jsonl").open("w", encoding="utf-8") as fh:
        for r in small:
            fh.write(json.dumps({"text": r.text, "intent": r.intent, "writer": r.writer}) + "\n")
    classifier = Classifier.from_locales(root, cache_dir=tmp_path)
    assert (root / "zh" / "model" / "intents.npz").is_file()
    assert classifier.model.meta["data_hash"] == data_hash(root / "zh")
    with pytest.raises(FileNotFoundError):
        Classifier.from_locales(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("dianti kun ren le", "elevator_trapped"),
        ("wo jia chu fang you mei qi wei", "gas_leak"),
        ("zhao huo le kuai lai", "fire"),
        ("ting dian le", "power_outage"),
    ],
)
def test_pinyin_only_input(classifier: Any, text: str, intent: str) -> None:
    assert classifier.classify(text).intent == intent


def test_pinyin_features_meet_characters(featurizer: Any) -> None:
    a = set(featurizer.features("mei qi wei"))
    b = set(featurizer.features("煤气味"))
    assert {"p:mei_qi", "p:qi_wei"} <= a & b


def test_an_emergency_clause_in_a_long_message_wins(classifier: Any) -> None:
    text = (
        "你好，我想反映一下，最近小区的垃圾桶清理得不及时，每天早上都满出来，味道很大，"
        "保洁阿姨也说人手不够。另外停车场的灯坏了好几盏，晚上很黑。还有上周说好来修的门禁"
        "到现在也没人来。对了现在楼道里有很浓的煤气味，我是7栋502"
    )
    found = classifier.classify(text)
    assert found.intent == "gas_leak"
    assert len(list(clauses(text, 6))) > 2


def test_clauses_are_merged_to_a_minimum_length() -> None:
    parts = list(clauses("好。好。我家着火了！快来", 6))
    assert all(len(p) >= 6 for p in parts[:-1])
    assert "".join(parts).replace(" ", "") == "好好我家着火了快来"


# -- the decision layer --------------------------------------------------------------------


def _probs(**values: float) -> dict[str, float]:
    probs = dict.fromkeys(INTENTS, 0.0)
    probs.update(values)
    return probs


T = Thresholds(emergency_sure=0.5, emergency_confirm=0.2, urgent=0.4, unknown_below=0.2)


def test_emergency_mass_decides_severity_first() -> None:
    d = decide(_probs(complaint=0.45, fire=0.3, gas_leak=0.25), T)
    assert (d.intent, d.needs_confirmation) == ("fire", False)  # mass 0.55 >= sure


def test_a_moderate_hazard_is_confirmed() -> None:
    d = decide(_probs(complaint=0.7, medical=0.25, unknown=0.05), T)
    assert (d.intent, d.needs_confirmation) == ("medical", True)
    assert d.alternatives[0][0] == "complaint"


def test_an_outage_beats_a_likelier_normal_intent_past_its_threshold() -> None:
    assert decide(_probs(inquiry=0.55, water_outage=0.45), T).intent == "water_outage"
    assert decide(_probs(inquiry=0.7, water_outage=0.3), T).intent == "inquiry"


def test_weak_everything_is_unknown() -> None:
    probs = {i: 1 / len(INTENTS) for i in INTENTS}
    probs["fire"] = probs["gas_leak"] = 0.0
    probs["power_outage"] = probs["water_outage"] = 0.0
    d = decide(probs, Thresholds(0.9, 0.8, 0.9, 0.2))
    assert d.intent == "unknown"


def test_combine_prefers_a_sure_emergency_clause() -> None:
    whole = Decision("complaint", 0.8, False, [])
    confirm = Decision("fire", 0.3, True, [])
    sure = Decision("gas_leak", 0.9, False, [])
    assert combine(whole, [confirm]) is whole  # a clause's guess alone is not enough
    assert combine(whole, [confirm, sure]).intent == "gas_leak"
    assert combine(whole, [Decision("repair", 0.9, False, [])]) is whole


def test_report_counts_confirmation_as_an_alarm() -> None:
    rows = [
        Scored(Labelled("x", "complaint", "w", ("confuser",)), _probs(complaint=0.7, fire=0.3)),
        Scored(Labelled("y", "fire", "w"), _probs(fire=0.9, complaint=0.1)),
    ]
    r = report(rows, T)
    assert r.confusers_alarmed == 1 and r.emergency_recall == 1.0 and r.accuracy == 0.5
    assert is_emergency(rows[1].decision(T).intent)


def test_thresholds_keep_recall_in_every_fold_and_answer_most_emergencies_at_once() -> None:
    def fire(writer: str, p: float) -> Scored:
        return Scored(Labelled("f", "fire", writer), _probs(fire=p, complaint=1 - p))

    lookalike = Scored(Labelled("c", "complaint", "a", ("confuser",)), _probs(fire=0.27, complaint=0.73))
    scare_in_a_clause = Scored(
        Labelled("d", "complaint", "a", ("confuser",)),
        _probs(complaint=0.9, fire=0.1),
        [_probs(fire=0.85, complaint=0.15)],
    )
    rows = [
        *(fire("a", 0.85) for _ in range(190)),
        *(fire("b", 0.85) for _ in range(9)),
        fire("b", 0.27),  # the one weak report is in fold b
        *([lookalike] * 5),
        *([scare_in_a_clause] * 3),
    ]
    free = choose_thresholds(rows, T, direct_floor=0.0)
    # the most accurate: no lookalike alarmed, no clause's scare believed; pooled recall 0.995
    assert free.emergency_confirm >= 0.3 and free.emergency_sure == 0.9
    assert report(rows, free).emergency_direct == 0.0  # but every fire is asked about first
    at_once = choose_thresholds(rows, T)
    assert at_once.emergency_sure <= 0.8
    assert report(rows, at_once).emergency_direct >= 0.94
    by_fold = choose_thresholds(rows, T, groups=lambda r: r.writer)
    assert by_fold.emergency_confirm <= 0.25  # fold b alone would lose one fire in ten
    assert report([r for r in rows if r.row.writer == "b"], by_fold).emergency_recall == 1.0


# -- the gate: figures on messages the model never learned from ---------------------------
# Measured figures are in the README ("The classifier and how it is measured"); the floors
# below sit a little under them, so that a change that makes the model worse fails here.
HOLDOUT_FLOORS = {
    "intents_holdout3.jsonl": {"accuracy": 0.965, "emergency_recall": 0.985, "confusers_alarmed": 0.045},
    "intents_holdout4.jsonl": {"accuracy": 0.94, "emergency_recall": 0.985, "confusers_alarmed": 0.045},
    "intents_holdout5.jsonl": {"accuracy": 0.96, "emergency_recall": 0.985, "confusers_alarmed": 0.05},
    "intents_holdout6.jsonl": {"accuracy": 0.87, "emergency_recall": 0.985, "confusers_alarmed": 0.10},
    "intents_holdout7.jsonl": {"accuracy": 0.935, "emergency_recall": 0.985, "confusers_alarmed": 0.06},
    "intents_holdout8.jsonl": {"accuracy": 0.925, "emergency_recall": 0.985, "confusers_alarmed": 0.04},
    "intents_holdout9.jsonl": {"accuracy": 0.915, "emergency_recall": 0.985, "confusers_alarmed": 0.045},
    "intents_holdout10.jsonl": {"accuracy": 0.94, "emergency_recall": 0.985, "confusers_alarmed": 0.05},
    "intents_holdout11.jsonl": {"accuracy": 0.925, "emergency_recall": 0.985, "confusers_alarmed": 0.07},
    "intents_holdout12.jsonl": {"accuracy": 0.95, "emergency_recall": 0.985, "confusers_alarmed": 0.055},
    "intents_holdout13.jsonl": {"accuracy": 0.93, "emergency_recall": 0.985, "confusers_alarmed": 0.065},
    "intents_holdout14.jsonl": {"accuracy": 0.955, "emergency_recall": 0.985, "confusers_alarmed": 0.03},
}
CV_FLOORS = {
    "accuracy": 0.895,
    "emergency_recall": 0.988,
    "confusers_alarmed": 0.11,
    "emergency_direct": 0.93,
}


@pytest.mark.parametrize("name", HOLDOUTS)
def test_the_fresh_holdout(classifier: Any, name: str) -> None:
    rows = read_labelled([REPO_ROOT / "tests" / "data" / name])
    r = report(score_with(classifier, rows), classifier.settings.thresholds)
    floors = HOLDOUT_FLOORS[name]
    assert r.accuracy >= floors["accuracy"], r.as_dict()
    assert r.emergency_recall >= floors["emergency_recall"], r.as_dict()
    assert r.confuser_rate <= floors["confusers_alarmed"], r.as_dict()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_grouped_cross_validation(featurizer: Any) -> None:
    """Four folds, grouped by writer: a writer's lines are never both learned and measured."""
    rows = read_labelled(training_files(ZH))
    settings = ModelSettings.load(ZH / "classifier.yaml")
    writers = sorted({r.writer for r in rows})
    fold_of = {w: i % 4 for i, w in enumerate(writers)}
    scored = grouped_cv(
        rows,
        lambda m: Classifier(featurizer, m, settings),
        featurizer,
        settings.training,
        groups=lambda r: str(fold_of[r.writer]),
        jobs=2,  # the folds fit in two forked processes: the same figures, in half the time
    )
    r = report(scored, settings.thresholds)
    assert r.accuracy >= CV_FLOORS["accuracy"], r.as_dict()
    assert r.emergency_recall >= CV_FLOORS["emergency_recall"], r.as_dict()
    assert r.confuser_rate <= CV_FLOORS["confusers_alarmed"], r.as_dict()
    assert r.emergency_direct >= CV_FLOORS["emergency_direct"], r.as_dict()


def test_unpunctuated_voice_input_is_split_before_connectors() -> None:
    from bot.intents.classifier import ClauseSettings
    from bot.intents.features import clauses

    text = "楼道里老有人抽烟电梯也老坏还有就是我家燃气报警器一直在叫"
    assert list(clauses(text, 6)) == [text]
    split = list(clauses(text, 6, ClauseSettings(connectors=("还有就是",)).connectors_re))
    assert split == ["楼道里老有人抽烟电梯也老坏", "还有就是我家燃气报警器一直在叫"]
