"""The example messages (locales/*/examples, bot/intents/neighbours.py) and the classifier's
second opinion from them.

The messages below were written for these tests, not taken from any data file: indirect
descriptions that the keyword rules alone do not recognise, and the same situations
negated, over or in the past.
"""

from __future__ import annotations

import gc
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest

from bot.config import REPO_ROOT
from bot.intents import Classifier
from bot.intents.neighbours import (
    Negation,
    NeighbourIndex,
    example_files,
    features,
    intent_of_file,
    is_validation,
    read_examples,
)
from bot.intents.taxonomy import EMERGENCY_INTENTS

LOCALES = REPO_ROOT / "locales"


@pytest.fixture(scope="module")
def rules_only() -> Classifier:
    """The classifier without example messages: the keyword rules alone."""
    return Classifier.from_locales(LOCALES, examples=[])


def _lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [s for s in map(str.strip, text.splitlines()) if s and not s.startswith("#")]


def test_every_example_file_is_loaded(classifier: Any) -> None:
    files = example_files(LOCALES, ("zh", "en"))
    assert len(files) >= 32
    assert len(classifier.examples) == sum(len(_lines(p)) for p in files)
    sources = {ex.source.rsplit(":", 1)[0] for ex in classifier.examples}
    assert sources == {f"{p.parent.parent.name}/{p.name}" for p in files}
    by_file = {p: intent_of_file(p) for p in files}
    assert set(by_file.values()) >= EMERGENCY_INTENTS | {"repair", "complaint", "inquiry"}
    assert len(classifier._neighbours) == len(classifier.examples)


@pytest.mark.parametrize(
    ("name", "intent"),
    [
        ("gas_leak.txt", "gas_leak"),
        ("inquiry_utilities.txt", "inquiry"),
        ("power_outage.txt", "power_outage"),
        ("power_outage_night.txt", "power_outage"),
        ("lost_child_mall.txt", "lost_child"),
    ],
)
def test_intent_of_file(name: str, intent: str) -> None:
    assert intent_of_file(Path(name)) == intent


@pytest.mark.parametrize("name", ["gas.txt", "lost_kid.txt", "emergency_fire.txt", "Fire.txt"])
def test_unknown_intent_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="unknown intent"):
        intent_of_file(Path(name))


def test_an_example_file_of_an_unknown_intent_fails_loudly(tmp_path: Path) -> None:
    for locale in ("zh", "en"):
        (tmp_path / locale).mkdir()
        shutil.copy(LOCALES / locale / "intents.yaml", tmp_path / locale / "intents.yaml")
    examples = tmp_path / "zh" / "examples"
    examples.mkdir()
    (examples / "fire.txt").write_text("# comment\n厨房冒黑烟\n", encoding="utf-8")
    (examples / "burglary.txt").write_text("门被撬了\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"burglary\.txt.*unknown intent 'burglary'"):
        Classifier.from_locales(tmp_path, cache_dir=tmp_path)
    (examples / "burglary.txt").rename(examples / "security_burglary.txt")
    classifier = Classifier.from_locales(tmp_path, cache_dir=tmp_path)
    assert [(e.intent, e.text) for e in classifier.examples] == [
        ("fire", "厨房冒黑烟"),
        ("security", "门被撬了"),
    ]


def test_comments_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "zh" / "examples" / "medical.txt"
    path.parent.mkdir(parents=True)
    path.write_text("# 说明\n\n  老人倒地不起  \n#不算\n", encoding="utf-8")
    [example] = read_examples([path])
    assert (example.intent, example.text, example.source) == (
        "medical",
        "老人倒地不起",
        "zh/medical.txt:3",
    )


def test_validation_split_is_deterministic_and_about_a_fifth() -> None:
    texts = [e.text for e in read_examples(example_files(LOCALES, ("zh", "en")))]
    part = [t for t in texts if is_validation(t)]
    assert 0.15 < len(part) / len(texts) < 0.25
    assert part == [t for t in texts if is_validation(f"  {t}\n")]


def test_negation_marks_features_on_both_sides() -> None:
    negation = Negation(["没", "没有", "nobody", "not"], ["有没有"])
    grams, _ = features("没人在里面", negation)
    assert "里面" not in grams and "\u00ac里面" in grams
    assert "里面" in features("里面有人", negation)[0]
    assert "里面" in features("有没有人在里面", negation)[0]  # a question, not a negation
    english, _ = features("nobody is inside the lift", negation)
    assert "\u00acinside " in english and "lift " in english


def test_index_votes_for_the_nearest_kind() -> None:
    index = NeighbourIndex(
        [
            ("security", "门外有陌生人在撬锁"),
            ("security", "有人在撬隔壁的门"),
            ("repair", "门锁坏了打不开"),
            ("medical", "老人摔倒了起不来"),
        ],
        k=3,
    )
    vote = index.vote("楼下有人撬门")
    assert vote.pick(EMERGENCY_INTENTS) == "security"
    assert vote.nearest and index.intents[vote.nearest[0][0]] == "security"
    assert vote.mass(["security"]) > vote.mass(["repair"])
    assert index.vote("").centroid == {}


# Indirect descriptions (written for this test): the rules alone miss them.
INDIRECT = [
    ("security", "半夜听到阳台有脚步声 可我家住十二楼"),
    ("security", "有个男的在停车场一个个拉车门"),
    ("security", "我老公喝多了在家里摔东西 还说要动手"),
    ("natural_disaster", "后山的泥土一直往下滑 已经冲到围墙边了"),
    ("medical", "我爷爷坐在沙发上 叫他名字他只会看着我 话都说不清了"),
    ("lost_child", "孙子说去楼下找同学 同学家说他根本没来过"),
]


@pytest.mark.parametrize(("intent", "text"), INDIRECT)
def test_indirect_descriptions_are_recognised(
    classifier: Any, rules_only: Classifier, intent: str, text: str
) -> None:
    assert not rules_only.classify(text).is_emergency  # what the examples are for
    assert classifier.classify(text).intent == intent


# The same kinds of situations negated, over, in the past or hypothetical; for the first
# ones the examples' vote alone points to an emergency.
CALM = [
    "上个月有个男的在停车场一个个拉车门",
    "后山的泥土前阵子往下滑过 现在已经处理好了",
    "阳台没有脚步声 是风吹的",
    "如果挡土墙裂了要找谁",
    "孙子已经找到了 原来在同学家",
    "我老公喝多了 不过没有摔东西 也没有动手",
    "停车场没人拉车门 是我自己忘了锁",
    "爷爷上周说话说不清 去医院查过了 现在没事了",
]


@pytest.mark.parametrize("text", CALM)
def test_negated_or_past_descriptions_are_no_emergency(classifier: Any, text: str) -> None:
    result = classifier.classify(text)
    assert not result.is_emergency, (result.intent, result.score)


@pytest.mark.parametrize("text", CALM[:4])
def test_the_vote_alone_would_have_raised_these(classifier: Any, text: str) -> None:
    vote = classifier._neighbours.vote(classifier.match_text(text))
    assert vote.mass(EMERGENCY_INTENTS) >= classifier.settings.examples_emergency


def test_moderate_evidence_asks_for_confirmation(classifier: Any) -> None:
    confirmed = [classifier.classify(t) for _, t in INDIRECT]
    assert any(r.needs_confirmation for r in confirmed)
    for r in confirmed:
        assert r.needs_confirmation == (r.score < classifier.settings.examples_sure)


def test_decisive_rules_are_not_second_guessed(classifier: Any) -> None:
    for text in ("物业费怎么交", "楼上装修太吵了", "停电了", "厨房有煤气味"):
        assert classifier.explain(text)["examples"] is None


def test_explain_shows_the_vote(classifier: Any) -> None:
    explained = classifier.explain(INDIRECT[0][1])
    examples = explained["examples"]
    assert examples is not None
    assert next(iter(examples["centroid"])) == "security"
    assert all(len(n) == 3 for n in examples["nearest"])


def test_userdict_is_loaded_without_resource_warning(tmp_path: Path) -> None:
    """jieba's load_userdict leaves a file it opened itself open; ours is closed."""
    from bot.intents.tokenizer import build_tokenizer

    userdict = tmp_path / "userdict.txt"
    userdict.write_text("电梯困人 50000\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tokenizer = build_tokenizer([userdict], cache_dir=tmp_path)
        del tokenizer
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_index_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    labelled = [
        ("security", "门外有陌生人在撬锁"),
        ("medical", "老人摔倒了起不来"),
        ("repair", "门锁坏了打不开"),
    ]
    negation = Negation(["没有", "没"], ["有没有"])
    built = NeighbourIndex(labelled, negation=negation, k=2, cache_dir=tmp_path)
    [cache] = tmp_path.glob("helpline-examples-*.marshal")

    def no_build(*args: Any) -> None:
        raise AssertionError("built again")

    with monkeypatch.context() as patch:
        patch.setattr(NeighbourIndex, "_build", no_build)
        loaded = NeighbourIndex(labelled, negation=negation, k=2, cache_dir=tmp_path)
    for text in ("有人撬锁", "老人起不来", "没有人摔倒"):
        assert loaded.vote(text) == built.vote(text)
    # other examples or other negation words: another file
    NeighbourIndex(labelled[:2], negation=negation, cache_dir=tmp_path)
    NeighbourIndex(labelled, negation=Negation(["没有"]), cache_dir=tmp_path)
    assert len(list(tmp_path.glob("helpline-examples-*.marshal"))) == 3
    # a damaged file is rebuilt
    cache.write_bytes(b"\x00garbage")
    again = NeighbourIndex(labelled, negation=negation, k=2, cache_dir=tmp_path)
    assert again.vote("有人撬锁") == built.vote("有人撬锁")


@pytest.mark.parametrize("text", ["门口", "在楼下", "好的", "1", "3栋", "ok thanks"])
def test_too_little_text_is_left_to_the_rules(
    classifier: Any, rules_only: Classifier, text: str
) -> None:
    """Follow-up words in a conversation ("门口" with a photo) are no new report."""
    assert classifier.classify(text).intent == rules_only.classify(text).intent
    assert classifier.explain(text)["examples"] is None
