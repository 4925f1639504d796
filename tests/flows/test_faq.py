"""FAQ answers: common questions answered, others left to staff."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT
from bot.faq import FaqAnswerer, FaqEntry
from bot.intents import TextNormalizer


@pytest.fixture(scope="module")
def faq() -> FaqAnswerer:
    return FaqAnswerer.load(REPO_ROOT / "locales", normalizer=TextNormalizer().normalize)


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("物业费怎么交", "fees"),
        ("请问在哪里交管理费", "fees"),
        ("你们几点下班", "office_hours"),
        ("門禁卡丟了怎麼辦", "access_card"),
        ("访客停车怎么收费", "parking"),
        ("周六能装修吗", "renovation"),
        ("快递放哪了", "deliveries"),
        ("游泳池开了吗", "facilities"),
        ("我的狗走丢了", "pets"),
        ("钱包丢了有人捡到吗", "lost_found"),
        ("电费怎么交", "utility_bills"),
    ],
)
def test_common_questions_are_answered(faq: FaqAnswerer, question: str, entry: str) -> None:
    found = faq.answer(question, "zh")
    assert found is not None and found.id == entry


@pytest.mark.parametrize("question", ["请问小区附近有幼儿园吗", "今天天气怎么样", "我想问一下", ""])
def test_other_questions_get_no_answer(faq: FaqAnswerer, question: str) -> None:
    assert faq.answer(question, "zh") is None


def test_english_questions(faq: FaqAnswerer) -> None:
    found = faq.answer("How do I pay the management fee?", "en")
    assert found is not None and found.id == "fees"


def test_both_locales_have_the_same_entries(faq: FaqAnswerer) -> None:
    assert [e.id for e in faq.topics("zh")] == [e.id for e in faq.topics("en")]
    assert all(e.answer and e.title and e.keywords for e in faq.topics("zh"))


def test_an_unknown_locale_falls_back_to_the_default(faq: FaqAnswerer) -> None:
    found = faq.answer("物业费怎么交", "fr")
    assert found is not None and found.id == "fees"


def test_a_small_faq_without_a_normalizer() -> None:
    faq = FaqAnswerer({"zh": [FaqEntry("hours", "时间", "<b>8:30</b>", ("几点",), ("几点开门",))]})
    assert faq.answer("请问几点开门", "zh") is not None
    assert faq.entry("hours", "zh") is not None and faq.entry("nope", "zh") is None
