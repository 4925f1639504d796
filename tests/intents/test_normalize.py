"""Normalisation: width, Traditional, case, punctuation/emoji, repeats; never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intents.normalize import MAX_INPUT_CHARS, TextNormalizer, has_cjk


@pytest.fixture(scope="module")
def norm() -> TextNormalizer:
    return TextNormalizer()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("３栋１２０２", "3栋1202"),  # full width digits
        ("ＡＢＣ　ｄｅｆ", "abc def"),  # full width letters, ideographic space
        ("電梯困人", "电梯困人"),  # Traditional -> Simplified
        ("煤氣味好大", "煤气味好大"),
        ("GAS Leak", "gas leak"),
        ("救命啊啊啊啊", "救命啊"),  # repeated character
        ("救命救命救命", "救命"),  # repeated word
        ("谢谢", "谢谢"),  # a doubled character stays
        ("着火了！！！🔥", "着火了火"),  # punctuation removed, 🔥 read as 火
        ("停 水 了", "停水了"),  # spaces between CJK dropped
        ("no   water\there", "no water here"),  # whitespace collapsed
        ("I don't smell gas", "i dont smell gas"),  # apostrophes kept inside words
        ("有人\u200b晕倒\x00了", "有人晕倒了"),  # zero-width and control characters
        ("", ""),
        ("   ", ""),
        ("😭😭😭", ""),
        ("1111", "1111"),  # digits are not collapsed
    ],
)
def test_normalize(norm: TextNormalizer, raw: str, expected: str) -> None:
    assert norm.normalize(raw) == expected


def test_prepare_keeps_what_entities_need(norm: TextNormalizer) -> None:
    assert norm.prepare("+86 138-1234-5678，３號樓") == "+86 138-1234-5678,3号楼"


def test_long_input_is_capped(norm: TextNormalizer) -> None:
    text = "漏水" * 5000
    assert len(norm.prepare(text)) <= MAX_INPUT_CHARS


def test_non_string_input(norm: TextNormalizer) -> None:
    assert norm.normalize(None) == ""
    assert norm.normalize(12345) == "12345"


def test_lone_surrogates_do_not_break_opencc(norm: TextNormalizer) -> None:
    assert norm.normalize("煤\ud800氣") == "煤气"


def test_mixed_scripts(norm: TextNormalizer) -> None:
    assert (
        norm.normalize("屋企有GAS味 ОЧЕНЬ страшно") == "屋企有gas味очень страшно"
    )  # no space next to CJK


def test_has_cjk() -> None:
    assert has_cjk("abc 停水")
    assert not has_cjk("no water")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_normalize_never_raises(text: str) -> None:
    out = TextNormalizer().normalize(text)
    assert isinstance(out, str)
    assert len(out) <= MAX_INPUT_CHARS


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_normalize_is_idempotent(text: str) -> None:
    norm = TextNormalizer()
    once = norm.normalize(text)
    assert norm.normalize(once) == once
