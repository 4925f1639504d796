"""The learned advice reader (bot/flows/advice_model.py, advice_training.py): which "what do
I do" question a resident in an emergency asks, where the word lists do not know the words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.config import REPO_ROOT
from bot.flows import advice_training as at
from bot.flows.advice import AdviceBook
from bot.flows.advice_model import MODEL_FILE, NONE, AdviceReader, AdviceSettings, pick
from bot.intents.classifier import build_featurizer
from bot.intents.model import IntentModel
from bot.intents.normalize import TextNormalizer

ZH = REPO_ROOT / "locales" / "zh"
HOLDOUT = REPO_ROOT / "tests" / "data" / "advice_holdout1.jsonl"
HOLDOUT2 = REPO_ROOT / "tests" / "data" / "advice_holdout2.jsonl"


@pytest.fixture(scope="module")
def featurizer() -> Any:
    return build_featurizer(REPO_ROOT / "locales")


@pytest.fixture(scope="module")
def reader(featurizer: Any) -> AdviceReader:
    found = AdviceReader.load(ZH, featurizer, retrain_if_stale=False)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def book(reader: AdviceReader) -> AdviceBook:
    return AdviceBook.load(ZH / "advice.yaml", TextNormalizer().prepare, reader)


# -- the decision ----------------------------------------------------------------------------


def test_pick_renormalises_over_the_candidates_and_none() -> None:
    probs = {"call_fire": 0.3, "call_police": 0.3, NONE: 0.2, "no_switch": 0.2}
    # in a fire, call_police is no candidate: 0.3 / (0.3 + 0.2) = 0.6
    assert pick(probs, ["call_fire", "hot_door"], 0.55) == ("call_fire", pytest.approx(0.6))
    assert pick(probs, ["call_fire", "hot_door"], 0.65) is None
    assert pick(probs, [], 0.1) is None
    assert pick(probs, ["not_an_id"], 0.1) is None


def test_none_outweighing_every_candidate_gives_no_answer() -> None:
    assert pick({"go_back": 0.2, NONE: 0.8}, ["go_back"], 0.45) is None


# -- the data and the weights ----------------------------------------------------------------


def test_every_line_names_its_writer_and_a_known_answer() -> None:
    names = at.names(ZH)
    rows = at.read_asked(at.data_files(ZH), names)
    assert len(rows) >= 2000
    assert len({r.writer for r in rows}) >= 6
    assert {r.advice for r in rows} == {*names, NONE}


@pytest.mark.parametrize("path", [HOLDOUT, HOLDOUT2])
def test_the_holdout_is_never_learned_from(path: Path) -> None:
    holdout = at.read_asked([path], at.names(ZH))
    learned = at.read_asked(at.data_files(ZH), at.names(ZH))
    assert holdout
    assert {r.writer for r in holdout}.isdisjoint({r.writer for r in learned})
    texts = {r.text for r in learned}
    assert sum(r.text in texts for r in holdout) <= len(holdout) // 50


def test_the_shipped_weights_are_those_of_the_data() -> None:
    model = IntentModel.load(ZH / "model" / MODEL_FILE)
    assert model.meta["data_hash"] == at.data_hash(ZH), "run `python -m bot advice train`"


def test_training_is_deterministic_and_round_trips(featurizer: Any, tmp_path: Path) -> None:
    rows = at.read_asked(at.data_files(ZH), at.names(ZH))[::4]
    bags = at.featurize(featurizer, [r.text for r in rows])
    labels = [r.advice for r in rows]
    settings = AdviceSettings.load(ZH / "advice_model.yaml").training
    a, b = at.fit(bags, labels, settings), at.fit(bags, labels, settings)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
    from bot.intents.model import save_model

    save_model(tmp_path / "advice.npz", a)
    loaded = IntentModel.load(tmp_path / "advice.npz")
    fresh = IntentModel(a)
    for bag in bags[:50]:
        assert loaded.probabilities(bag) == pytest.approx(fresh.probabilities(bag))


def test_a_missing_model_is_learned_at_start(featurizer: Any, tmp_path: Path) -> None:
    root = tmp_path / "zh"
    (root / "advice").mkdir(parents=True)
    for name in ("advice.yaml", "advice_model.yaml"):
        (root / name).write_text((ZH / name).read_text(encoding="utf-8"), encoding="utf-8")
    lines = (ZH / "advice" / "AW1.jsonl").read_text(encoding="utf-8")
    (root / "advice" / "AW1.jsonl").write_text(lines, encoding="utf-8")
    found = AdviceReader.load(root, featurizer)
    assert found is not None and (root / "model" / MODEL_FILE).is_file()
    assert AdviceReader.load(tmp_path / "nowhere", featurizer) is None


# -- what it answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "situation", "advice"),
    [
        # blind ET10: a grandmother with dementia missing
        ("是不是要过24小时才能报警", "lost_child", None, "call_police_missing"),
    ],
)
def test_questions_the_word_lists_did_not_know(
    book: AdviceBook, text: str, intent: str, situation: str | None, advice: str
) -> None:
    bare = AdviceBook.load(ZH / "advice.yaml", TextNormalizer().prepare)
    assert bare.find(text, intent, situation) is None  # the lists alone: no answer
    assert book.find(text, intent, situation) == f"safety.advice.{advice}"


@pytest.mark.parametrize(
    ("text", "intent", "situation"),
    [
        ("冰箱还插着电 我要不要去拔", "fire", None),  # a flood's answer, not in a fire
        ("我要不要叫醒室友", "gas_leak", None),  # not in the table (was read as 120, AW7)
        ("他从梯子上摔下来 没醒 给他翻个身不", "medical", "fall"),  # never roll after a fall
        ("119已经打了 消防说十分钟到", "fire", None),  # done already
        ("我们到楼下了 大家都出来了", "fire", None),  # news, no question
        ("谢谢你们 辛苦了", "gas_leak", None),
    ],
)
def test_no_answer_where_none_fits(
    book: AdviceBook, text: str, intent: str, situation: str | None
) -> None:
    assert book.find(text, intent, situation) is None


@pytest.mark.parametrize(
    ("path", "precision", "coverage", "lists_coverage"),
    [
        # AH1 (seventeenth session), measured: precision 0.980, coverage 0.844 with the word
        # lists first (the lists alone 0.966 / 0.473)
        (HOLDOUT, 0.95, 0.8, 0.5),
        # AH2 (eighteenth session, more of the three answers added then), measured once:
        # 0.924 / 0.826 (the model alone 0.995 / 0.800; the lists alone 0.885 / 0.521)
        (HOLDOUT2, 0.9, 0.78, 0.55),
    ],
)
def test_the_fresh_holdouts(
    reader: AdviceReader, book: AdviceBook, path: Path, precision: float, coverage: float,
    lists_coverage: float,
) -> None:
    """Written by writers never learned from: answers right most of the time they are given,
    and to most questions; the word lists alone to far fewer."""
    rows = at.read_asked([path], at.names(ZH))
    scored = at.score_with(reader, rows)
    open_for = at.candidates_of(ZH)
    bare = AdviceBook.load(ZH / "advice.yaml", TextNormalizer().prepare)

    def answers(of: AdviceBook) -> Any:
        def answer(s: at.Scored) -> str | None:
            found = of.find(s.row.text, s.row.emergency, "*")
            return found.removeprefix("safety.advice.") if found else None

        return answer

    r = at.report(scored, open_for, reader.threshold, answers(book))
    assert r.precision >= precision
    assert r.coverage >= coverage
    assert at.report(scored, open_for, reader.threshold, answers(bare)).coverage < lists_coverage


def test_the_veto_is_off_as_shipped(book: AdviceBook) -> None:
    """Measured and left off (advice_model.yaml): the lists' answer stands."""
    said = "我没给她喂水 一直让她躺着"  # the lists hear "喂水" (a line no writer wrote)
    assert book.find(said, "medical") == "safety.advice.nothing_by_mouth"


def test_a_veto_holds_back_a_list_answer_when_on(reader: AdviceReader) -> None:
    import copy

    strict = copy.copy(reader)
    strict.veto = 0.8
    on = AdviceBook.load(ZH / "advice.yaml", TextNormalizer().prepare, strict)
    assert on.find("我没给她喂水 一直让她躺着", "medical") is None
    assert on.find("开灯瞅瞅行不 黑咕隆咚的啥也看不着", "gas_leak") == "safety.advice.no_switch"


def test_vetoed_needs_none_to_outweigh_the_candidates() -> None:
    from bot.flows.advice_model import vetoed

    assert vetoed({NONE: 0.9, "call_gas": 0.05, "no_switch": 0.05}, ["call_gas"], 0.9)
    assert not vetoed({NONE: 0.8, "call_gas": 0.2}, ["call_gas"], 0.9)
    assert not vetoed({NONE: 0.0}, [], 0.9)  # nothing to weigh


def test_a_broken_weights_file_leaves_the_word_lists_answering(
    featurizer: Any, tmp_path: Path
) -> None:
    root = tmp_path / "zh"
    (root / "model").mkdir(parents=True)
    for name in ("advice.yaml", "advice_model.yaml"):
        (root / name).write_text((ZH / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "model" / MODEL_FILE).write_bytes(b"not a weights file")
    assert AdviceReader.load(root, featurizer) is None  # logged, not raised
