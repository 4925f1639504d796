"""Which language to answer in: Chinese words -> zh; English words -> en; else as before."""

from __future__ import annotations

import re

from bot.texts import Texts

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def pick_locale(
    texts: Texts, text: str | None, language_code: str | None, previous: str | None
) -> str:
    """The locale for this message.

    Written words decide (a Chinese resident with an English Telegram interface still gets
    Chinese); a message without words (a number, a button) keeps the conversation's
    language, else Telegram's language code decides.
    """
    available = texts.locales
    if text and not text.startswith("/"):
        if _CJK.search(text) and "zh" in available:
            return "zh"
        if len(_LATIN_WORD.findall(text)) >= 2 and "en" in available:
            return "en"
    if previous in available:
        return str(previous)
    return texts.pick_locale(language_code)
