"""The classifier's contract: answers, severity rules, hazards, negation, odd input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intents import INTENTS, Classification, Severity, is_emergency


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("3栋1202厨房有煤气味", "gas_leak"),
        ("樓梯間好大煙 好似火燭", "fire"),
        ("我被困在电梯里了", "elevator_trapped"),
        ("水管爆了 家里全是水", "flooding"),
        ("有人晕倒了", "medical"),
        ("有小偷在撬门", "security"),
        ("我孩子不见了", "lost_child"),
        ("台风把窗户吹破了", "natural_disaster"),
        ("停电了", "power_outage"),
        ("停水了 什么时候来水", "water_outage"),
        ("水龙头一直滴水", "repair"),
        ("楼上装修太吵了", "complaint"),
        ("物业费怎么交", "inquiry"),
        ("转人工", "human_agent"),
        ("谢谢你们", "smalltalk"),
        ("asdfgh", "unknown"),
        ("I smell gas in my kitchen", "gas_leak"),
        ("I am stuck in the lift", "elevator_trapped"),
        ("No water since this morning", "water_outage"),
        ("How do I pay the management fee?", "inquiry"),
    ],
)
def test_examples(classifier: Any, text: str, intent: str) -> None:
    assert classifier.classify(text).intent == intent


@pytest.mark.parametrize(
    "text",
    ["燃气费怎么交", "燃气表读数怎么看", "安装燃气灶要申请吗", "消防演习几点开始", "电梯年检是什么时候",
     "楼上有人抽烟 烟味好大", "电梯坏了 里面没人", "附近有没有诊所", "明天会刮台风吗"],
)  # fmt: skip
def test_does_not_cover(classifier: Any, text: str) -> None:
    """The "does NOT cover" column of intents.md: no alarm for these."""
    assert not is_emergency(classifier.classify(text).intent)


def test_past_outage_question_is_an_inquiry(classifier: Any) -> None:
    assert classifier.classify("上次停水的补偿怎么算").intent == "inquiry"


def test_two_situations_the_more_severe_wins(classifier: Any) -> None:
    result = classifier.classify("楼道灯坏了 还有有人在偷电动车")
    assert result.intent == "security"
    assert classifier.classify("停电了 电梯里困了人").intent == "elevator_trapped"


def test_a_cry_for_help_is_an_emergency(classifier: Any) -> None:
    assert is_emergency(classifier.classify("救命").intent)


def test_confident_emergency_needs_no_confirmation(classifier: Any) -> None:
    result = classifier.classify("厨房着火了 火很大")
    assert result.intent == "fire"
    assert not result.needs_confirmation
    assert result.severity is Severity.EMERGENCY


def test_classification_shape(classifier: Any) -> None:
    result = classifier.classify("3栋1202停水了 电话13812345678")
    assert isinstance(result, Classification)
    assert result.intent in INTENTS
    assert 0.0 <= result.score <= 1.0
    assert result.entities.building == "3"
    assert result.entities.phone == "13812345678"
    assert "1202" not in result.normalized
    data = result.as_dict()
    assert list(data) == [
        "text", "intent", "severity", "score", "needs_confirmation", "alternatives", "entities",
    ]  # fmt: skip
    assert data["severity"] == "urgent"
    assert all(set(a) == {"intent", "score"} for a in data["alternatives"])
    assert data["entities"] == {"building": "3", "room": "1202", "phone": "13812345678"}


def test_alternatives_are_ranked(classifier: Any) -> None:
    result = classifier.classify("楼上漏水 天花板一直滴 很吵")
    scores = [s for _, s in result.alternatives]
    assert scores == sorted(scores, reverse=True)
    assert result.intent not in [i for i, _ in result.alternatives]


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "？？？", "\x00\x01\x02"])
def test_empty_like_input_is_unknown(classifier: Any, text: str) -> None:
    result = classifier.classify(text)
    assert result.intent == "unknown"
    assert not result.needs_confirmation


def test_very_long_input(classifier: Any) -> None:
    text = "我家厨房有煤气味 " + "啊" * 5000
    assert classifier.classify(text).intent == "gas_leak"
    assert classifier.classify("x" * 5000).intent == "unknown"


def test_classifiers_are_independent(classifier: Any) -> None:
    from bot.config import REPO_ROOT
    from bot.intents import Classifier

    other = Classifier.from_locales(REPO_ROOT / "locales", region="HK")
    assert other.featurizer is not classifier.featurizer
    assert other.classify("停水了").intent == classifier.classify("停水了").intent


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_classify_never_raises(classifier: Any, text: str) -> None:
    result = classifier.classify(text)
    assert result.intent in INTENTS
    assert 0.0 <= result.score <= 1.0
