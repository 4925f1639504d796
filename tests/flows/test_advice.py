"""Answers to what a resident in an emergency asks to do (locales/zh/advice.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import REPO_ROOT
from bot.flows.advice import AdviceBook
from bot.intents.normalize import TextNormalizer
from bot.texts import Texts

BOOK = AdviceBook.load(REPO_ROOT / "locales" / "zh" / "advice.yaml", TextNormalizer().prepare)


@pytest.mark.parametrize(
    ("text", "intent", "situation", "advice"),
    [
        # blind EM01, EN01: a light in a gas leak
        ("开灯瞅瞅行不 黑咕隆咚的啥也看不着", "gas_leak", None, "no_switch"),
        ("要不要开灯看看 太黑了", "gas_leak", None, "no_switch"),
        ("可以開燈嗎", "gas_leak", None, "no_switch"),  # Traditional, read as Simplified
        ("灯没开 窗户都打开了", "gas_leak", None, None),
        ("我没开灯 摸黑出来了", "gas_leak", None, None),
        ("开灯瞅瞅行不", "fire", None, None),  # a light is no danger in a fire
        # blind EN02, EM09: fire
        ("门把手有点烫", "fire", None, "hot_door"),
        ("The door handle is hot", "fire", None, "hot_door"),
        ("门把手不烫", "fire", None, None),
        ("我电瓶车还在头 我去推出来得不得", "fire", None, "go_back"),
        ("我端盆水来泼得不", "fire", "pan_fire", "no_water"),
        ("我端盆水来泼得不", "fire", None, None),  # water is fine on a burning bin
        # blind EM04: drain cleaner
        ("叫他吐出来中不中 我抠他嗓子眼儿", "medical", "poisoning", "no_vomit"),
        ("叫他吐出来中不中", "medical", "choking", None),
        ("吐出来了 吐出来了", "medical", "poisoning", None),
        # blind EM05: a fight
        ("我下去拉一把不", "security", "fight_injured", "keep_away"),
        ("我不下去 在阳台看着", "security", None, None),
        # "should I call ...": the number of the emergency
        ("爱唔爱报警啊", "lost_child", None, "call_police_missing"),
        ("报警的话警察会管吗 才几个小时", "lost_child", None, "call_police_missing"),
        ("那打110是吧", "security", None, "call_police"),  # blind EP11
        # the twenty-first round (blind EP, EQ): other ways of asking
        ("灯还没开 黑乎乎的 我能不能先把灯打开看看哪里漏", "gas_leak", None, "no_switch"),
        ("那抽油烟机呢 开一下把味抽出去行不行", "gas_leak", None, "no_switch"),
        ("我要不要按他家门铃", "gas_leak", None, "no_switch"),
        ("我刚摸了一下防盗门 有点烫手 开不开？", "fire", "cannot_leave", "hot_door"),
        ("我淋水得唔得？？水喉就喺隔離", "fire", "pan_fire", "no_water"),
        ("冚咗 好似冇火喇 我揭開睇吓得唔得", "fire", "pan_fire", "keep_lid"),
        ("他说口渴 能不能给他喝点水", "medical", None, "nothing_by_mouth"),
        ("给她喝点糖水行不行", "medical", "hypoglycemia", None),  # sugar is its own line
        ("Should I put something in his mouth so he doesn't bite his tongue?", "medical",
         "seizure", "nothing_in_mouth"),
        ("My cat is still inside, 1504. Can I run back up quickly?", "fire", None, "go_back"),
        ("我叫上我儿子过去把他们堵住", "security", None, "keep_away"),
        ("要不要砸门？？", "fire", "smoke_outside", "no_break_in"),
        ("唔使叫消防車啩？火都熄咗", "fire", "pan_fire", "call_fire"),
        # the twenty-second round (blind ER)
        ("给他喝点白糖水行不行", "medical", "stroke", None),  # sugar: never "nothing by mouth"
        ("叫不太醒了 我再往他嘴里灌点糖水", "medical", "hypoglycemia", "nothing_when_unconscious"),
        ("他触电了 没反应 地上有水", "medical", "electrocution", None),
        ("我没有报修啊 要不要开门", "security", None, "dont_open"),
        ("孙子的球在旁边 我拿扫帚杆把线挑开 捡下球行不行", "natural_disaster", None, "fallen_wire"),
        ("能拉他吗 用扫帚", "medical", "electrocution", None),  # a person on a live wire: its line
        ("跳闸了 我去把电闸推上去行吗", "flooding", None, "breaker_in_water"),
        ("我车在负二 现在下去挪还来得及吗", "natural_disaster", None, "basement_car"),
        ("冲了十分钟了 他一直哭闹 还要冲吗", "medical", "burn", "keep_cooling"),
        ("爷爷说困 想睡一觉 让他睡吗", "medical", "co", "stay_awake"),
        # the twenty-third round (blind ES, measured first, then taught)
        ("我可以在家里给我妈打电话吗", "gas_leak", None, "call_gas"),
        ("燃气公司的人上去了 我可以回去拿书包吗", "gas_leak", None, "go_back_gas"),
        ("维保打了 说40分钟到 我能不能先用三角钥匙把10楼门打开 拉她上来", "elevator_trapped",
         "lift_relative", "lift_leave_it"),
        ("她说有点闷 心慌 要不要叫120", "elevator_trapped", "lift_relative", "call_ambulance"),
        ("要不要用绳子把手腕扎起来", "medical", "bleeding", "no_tourniquet"),
        ("总阀在哪啊 我找不到", "flooding", None, "main_valve"),
        # blind EX08: "总闸" may be the power's (water on a sparking strip): both, power first
        ("总闸在哪？？", "flooding", "flood_upstairs", "main_switch"),
        ("水的总闸在哪", "flooding", None, "main_valve"),
        # blind ET03: a burning e-bike battery: no bucket, no going back in (Cantonese)
        ("我已經走咗出嚟，可唔可以攞桶水淋落去？", "fire", "ebike_fire", "battery_keep_away"),
        ("收銀機同埋啲貨仲喺入面，我好快入去攞得唔得", "fire", "ebike_fire", "go_back"),
        # blind EY01, EY07, EY08 (measured first): water for a friend who will not wake, said
        # with the report; a smoking power bank thrown out of a window; a basin on a scooter
        ("要不要给他灌点水 醒醒酒", "medical", "unconscious", "nothing_when_unconscious"),
        ("要不要给他灌点水 醒醒酒", "medical", None, None),
        ("我能用手拿起来从窗户扔出去吗", "fire", "ebike_fire", "battery_keep_away"),
        ("我拿脸盆浇点水好伐", "fire", "ebike_fire", "battery_keep_away"),
        # blind ET09: her own knife behind the door, not the intruder's
        ("我拿了菜刀在门后", "security", "intruder_at_door", "no_weapon"),
        ("有人一直在踹门 我拿着擀面杖在门后 行吗", "security", "intruder_at_door", "no_weapon"),
        ("要不要砸门进去", "security", "behind_door", "no_break_in"),
        ("他拿着刀在楼下", "security", None, None),
        ("电闸在哪啊", "fire", "electrical", "main_switch"),  # blind EZ02: a socket smells burnt
        ("插线板泡水里了 我能不能把它拔了", "flooding", None, "breaker_in_water"),
        ("有个保安拿竹竿想把它挑到一边 行吗", "natural_disaster", None, "fallen_wire"),
        # measured by ET first (not learned from otherwise): the recovery position
        ("我要不要把他翻过来 他是趴着的", "medical", None, "recovery_position"),
        ("我爸从梯子上摔下来 要不要把他翻过来", "medical", None, None),  # a fall: not rolled
        ("要不要让他侧躺", "medical", "fall", None),
        ("要不要报警", "fire", None, "call_fire"),  # a fire is reported to 119
        ("要不要报警", "gas_leak", None, "call_gas"),
        ("燃气公司电话多少", "gas_leak", None, "call_gas"),
        ("还要去医院吗", "medical", "choking", "call_ambulance"),
        ("110打了 要不要报警", "security", None, None),  # already called
        # not an emergency: no advice
        ("要不要开灯", "repair", None, None),
        ("要不要报警", "complaint", None, None),
    ],
)
def test_the_answer_the_words_ask_for(
    text: str, intent: str, situation: str | None, advice: str | None
) -> None:
    assert BOOK.find(text, intent, situation) == (advice and f"safety.advice.{advice}")


def test_every_answer_has_its_text_in_every_locale() -> None:
    texts = Texts.load(REPO_ROOT / "locales")
    assert BOOK.names
    for locale in ("zh", "en"):
        own = texts.keys(locale)  # the locale's own files, no fallback
        for name in BOOK.names:
            assert f"safety.advice.{name}" in own, (locale, name)


def test_a_wrong_intent_or_no_words_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "advice.yaml"
    bad.write_text("x:\n  within: [fires]\n  words: [a]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown intent"):
        AdviceBook.load(bad, str)
    bad.write_text("x:\n  within: [fire]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no words"):
        AdviceBook.load(bad, str)
    assert AdviceBook.load(tmp_path / "missing.yaml", str).find("开灯", "gas_leak") is None
