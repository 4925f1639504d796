"""Same-sounding typos of phrase words (bot/intents/pinyin.py, locales/zh/pinyin.txt)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import REPO_ROOT
from bot.intents.keywords import pinyin_words
from bot.intents.pinyin import (
    PinyinIndex,
    PinyinTable,
    jieba_full_dictionary,
    looks_like_typo,
    real_word_variants,
)

TABLE = REPO_ROOT / "locales" / "zh" / "pinyin.txt"


@pytest.fixture(scope="module")
def table() -> PinyinTable:
    return PinyinTable.load(TABLE)


def _names(table: PinyinTable, ch: str) -> set[str]:
    return {table.syllable_names[i] for i in table.readings[ch]}


def test_table_readings(table: PinyinTable) -> None:
    assert len(table.readings) >= 6_763
    assert _names(table, "气") == {"qi"}
    assert _names(table, "器") == {"qi"}
    assert {"zhao", "zhe"} <= _names(table, "着")  # 着火 and 看着
    assert _names(table, "汽") == {"qi"}  # no classical readings
    assert table.keys("燃气") == table.keys("然器")


def test_index_finds_typos_not_the_word(table: PinyinTable) -> None:
    index = PinyinIndex(table, {"燃气味": "gas", "停水": "water", "电梯关人": "lift"})
    assert [(i, j, w) for i, j, w, _ in index.scan("厨房好大一股燃器味")] == [(6, 9, "燃气味")]
    assert [w for _, _, w, _ in index.scan("又停谁了")] == ["停水"]
    assert [w for _, _, w, _ in index.scan("电梯关仁了")] == ["电梯关人"]
    assert index.scan("厨房有燃气味") == []  # the word itself is an ordinary hit
    assert index.scan("然器位") == []  # nothing of the word kept


def test_typo_guards(table: PinyinTable) -> None:
    assert looks_like_typo("停谁", "停水")
    assert not looks_like_typo("没睡", "没水")  # only a function character kept
    assert not looks_like_typo("大伙", "大火")
    assert not looks_like_typo("然器", "燃气")  # nothing kept
    index = PinyinIndex(table, {"停水": 1}, is_word=lambda w: w == "停睡")
    assert index.scan("停睡了") == []  # a dictionary word is no typo


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("厨房好大一股燃器味", "gas_leak"),
        ("走廊冒眼了 好呛", "fire"),
        ("电梯关仁了 快来", "elevator_trapped"),
        ("地振了 楼在晃", "natural_disaster"),
        ("又停睡了", "water_outage"),
        ("家里挺电了", "power_outage"),
    ],
)
def test_typos_classified(classifier: Any, text: str, intent: str) -> None:
    assert classifier.classify(text).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "楼上装修吵得我一晚上没睡",  # 没睡 / 没水
        "楼上往我家阳台泼了一盆水 太过分了",  # 一盆|水 / 喷水
        "孩子要出国留学 物业能开居住证明吗",  # 留学 / 流血
        "晾衣架的绳子打结了 收不上去",  # 打结 / 打劫
        "最近股市走势怎么样",  # 走势 / 走失
        "今天空气中度污染 小区泳池还开吗",  # 中度 / 中毒
    ],
)
def test_real_words_are_no_typos(classifier: Any, text: str) -> None:
    assert not classifier.classify(text).is_emergency


def test_real_word_list_is_up_to_date(classifier: Any, table: PinyinTable) -> None:
    """Run `python -m bot.intents.pinyin_build` after changing phrase words when this fails."""
    missing = (
        set(real_word_variants(table, pinyin_words(classifier.book), jieba_full_dictionary()))
        - table.real_words
    )
    assert not missing, f"not in {Path(TABLE).name}: {sorted(missing)[:20]}"
