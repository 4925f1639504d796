"""FAQ matching: keywords whole-word in English, no fuzzy answer from a stray fragment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq import FaqAnswerer
from bot.intents.normalize import TextNormalizer


@pytest.fixture(scope="module")
def faq(repo_root: Path) -> FaqAnswerer:
    return FaqAnswerer.load(repo_root / "locales", normalizer=TextNormalizer().normalize)


@pytest.fixture(scope="module")
def repo_root() -> Path:
    from bot.config import REPO_ROOT

    return REPO_ROOT


@pytest.mark.parametrize(
    "text",
    ["'; DROP TABLE tickets; --", "select * from users where 1=1", "my carpet is dirty", "drop table"],
)
@pytest.mark.parametrize("locale", ["zh", "en"])
def test_sql_and_stray_fragments_get_no_answer(faq: FaqAnswerer, text: str, locale: str) -> None:
    assert faq.answer(text, locale) is None


@pytest.mark.parametrize(
    ("text", "entry"),
    [("I lost my access card", "access_card"), ("how do I register my pet", "pets")],
)
def test_english_questions_find_their_entry(faq: FaqAnswerer, text: str, entry: str) -> None:
    found = faq.answer(text, "en")
    assert found is not None and found.id == entry
