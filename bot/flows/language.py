"""Which language to answer in: Chinese words -> zh; English words -> en; else as before."""

from __future__ import annotations

import re

from bot.texts import TRADITIONAL, Texts

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def pick_locale(
    texts: Texts, text: str | None, language_code: str | None, previous: str | None
) -> str:
    """The locale for this message.

    Chinese words get Chinese (a Chinese resident with an English Telegram interface too),
    except a word or two of Chinese in English sentences of an English conversation. English words get English at the start of a conversation, or later when Telegram
    says English as well (so a stray "OK" or pasted code does not switch a Chinese chat).
    Otherwise the conversation keeps its language, or Telegram's language code decides.
    Chinese written in Traditional characters gets Traditional (`zh-hant`); characters that
    are the same in both scripts keep the conversation's script.
    """
    available = texts.locales
    telegram = texts.pick_locale(language_code)
    if text and not text.startswith("/"):
        words, chinese = len(_LATIN_WORD.findall(text)), len(_CJK.findall(text))
        if words >= 3 and chinese * 2 <= words and previous in (None, "en") and "en" in available:
            return "en"  # English with a Chinese word or two ("the 師傅", "管理處")
        if chinese and "zh" in available:
            script = texts.chinese_script(text)
            if script is None:
                return str(previous) if previous in ("zh", TRADITIONAL) else "zh"
            return script
        english = len(_LATIN_WORD.findall(text)) >= 2
        if english and "en" in available and (previous is None or telegram == "en"):
            return "en"
    if previous in available:
        return str(previous)
    return telegram

