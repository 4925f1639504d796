"""The language a resident is answered in."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT
from bot.flows.language import pick_locale
from bot.texts import Texts

TEXTS = Texts.load(REPO_ROOT / "locales")


@pytest.mark.parametrize(
    ("text", "code", "previous", "locale"),
    [
        ("3栋1202煤气味", "en", None, "zh"),  # Chinese words win over an English interface
        ("There is a gas leak", "zh-hans", None, "en"),  # first words in English
        ("There is a gas leak", None, "zh", "zh"),  # a Chinese chat is not switched by a stray line
        ("'; DROP TABLE residents; --", "zh-hans", "zh", "zh"),
        ("block 3 please", "en", "zh", "en"),  # ... unless Telegram says English too
        ("1202", "zh-hans", "en", "en"),  # no words: the conversation's language
        ("1202", "en-GB", None, "en"),  # no words, no history: Telegram's language
        (None, "fr", None, "zh"),
        ("/start", "en", None, "en"),
        # English with a Chinese word or two stays English; Chinese with English words does not
        ("not urgent, whenever the 師傅 is free", "en", "en", "en"),
        ("It's been 10 minutes, any update?? No one from 管理處 has come", None, "en", "en"),
        ("我家 wifi router 坏了", "en", "en", "zh"),
        # Cantonese in Traditional: the characters HK writes as they are (平台, 晒) do not count
        ("我個仔唔見咗！頭先喺平台遊樂場玩，一轉頭就唔見人", "zh-hans", None, "zh-hant"),
        ("成座停晒電，升降機都唔郁", "zh-hans", None, "zh-hant"),
        ("台风来了", "zh-hant", None, "zh"),
        # toneless pinyin is Chinese typed without characters: answered in Chinese
        ("louxia zhaohuo le!! zoulang quan shi yan", "en", None, "zh"),
        ("wo ma shuaidao le, zai yushi li, qi bu lai", None, None, "zh"),
        ("No water in my home", "zh-hans", None, "en"),
        ("no one came", "zh-hans", None, "en"),
        # English sentences later in a Chinese chat switch it (blind DR01); a stray line not
        ("Hello?? anyone there? The smell is getting stronger, my son is at home with me",
         "zh-hans", "zh-hant", "en"),
        ("I already opened the windows. Who should I call?? what number", None, "zh", "en"),
        ("ok thanks bye", None, "zh", "zh"),
        # an address or a phone in Chinese in an English chat keeps it English (blind DR03)
        ("地址：8栋 2单元 601", "zh-hans", "en", "en"),
        ("我的电话 15807314426", None, "en", "en"),
        ("我不知道 总阀 在哪里", None, "en", "zh"),
        # a learner's Chinese, word by word, keeps an English chat English (blind EX07)
        ("煤气 味道 很大", None, "en", "en"),
        ("煤气味道很大", None, "en", "zh"),
        # a Chinese name in English sentences is one word (blind DZ12)
        ("wait this is 金地格林世界? oh no. ok taking a didi, thanks", None, "en", "en"),
    ],
)
def test_pick_locale(text: str | None, code: str | None, previous: str | None, locale: str) -> None:
    assert pick_locale(TEXTS, text, code, previous) == locale
