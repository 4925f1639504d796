"""Which language to answer in: Chinese words -> zh; English words -> en; else as before."""

from __future__ import annotations

import re

from bot.texts import TRADITIONAL, Texts

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile("[\u3400-\u9fff\uf900-\ufaff]+")
"""A run of Chinese characters: a name or a phrase, counted as one word beside English."""
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_PINYIN_WORD = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|er|in|un|ia|ie"
    r"|iu|ua|uo|ue|ui|a|o|e|i|u|v))+"
)
PINYIN_SHARE = 0.8
"""Latin words that spell pinyin ("louxia zhaohuo le"): at least this share means Chinese
typed without characters, answered in Chinese."""


_ENGLISH = frozenset(
    """
    the an and or is are was were in on at to of for my your me you he she we they it this that
    no not yes one home water can have has do does go come came help need want please there here
    what when where who how why with from be been am hi hello hey ok sorry thanks now
    """.split()
)
"""Common English words that also spell pinyin ("no one came", "water in my home")."""


_ADDRESS = re.compile(
    r"地址|住址|电话|電話|手机|手機|号码|號碼|我家|我的|[栋棟幢座号號楼樓层層单元單室房门門期区區]"
)
"""Characters of an address or a phone said in Chinese by someone writing English."""
ENGLISH_SENTENCE_WORDS = 6
"""Words of a message, at least two of them common English words, that make it English
later in a Chinese conversation (not a stray "OK" or a pasted code)."""


def _sentences(words: list[str]) -> bool:
    common = sum(1 for w in words if w.lower() in _ENGLISH)
    return len(words) >= ENGLISH_SENTENCE_WORDS and common >= 2


LEARNER_WORD_CHARS = 3
"""Chinese typed word by word with spaces, each word at most this long ("煤气 味道 很大"): a
learner's Chinese; an English conversation stays English."""


def _learner(text: str) -> bool:
    runs = _CJK_RUN.findall(text)
    return len(runs) >= 2 and all(len(run) <= LEARNER_WORD_CHARS for run in runs)


def _pinyin(words: list[str]) -> bool:
    lower = [w.lower() for w in words]
    spelled = sum(1 for w in lower if _PINYIN_WORD.fullmatch(w))
    english = sum(1 for w in lower if w in _ENGLISH)
    return len(lower) >= 2 and spelled >= PINYIN_SHARE * len(lower) and english * 5 <= len(lower)


def pick_locale(
    texts: Texts, text: str | None, language_code: str | None, previous: str | None
) -> str:
    """The locale for this message.

    Chinese words get Chinese (a Chinese resident with an English Telegram interface too),
    except a word or two of Chinese in English sentences of an English conversation; toneless
    pinyin is Chinese too. English words get English at the start of a conversation, or later
    when Telegram says English as well (so a stray "OK" or pasted code does not switch a
    Chinese chat).
    Otherwise the conversation keeps its language, or Telegram's language code decides.
    Chinese written in Traditional characters gets Traditional (`zh-hant`); characters that
    are the same in both scripts keep the conversation's script.
    """
    available = texts.locales
    telegram = texts.pick_locale(language_code)
    if text and not text.startswith("/"):
        latin = _LATIN_WORD.findall(text)
        words, chinese = len(latin), len(_CJK.findall(text))
        if _pinyin(latin) and "zh" in available:  # Chinese typed as pinyin: Chinese
            return str(previous) if previous in ("zh", TRADITIONAL) else "zh"
        if words >= 3 and chinese * 2 <= words and previous in (None, "en") and "en" in available:
            return "en"  # English with a Chinese word or two ("the 師傅", "管理處")
        runs = len(_CJK_RUN.findall(text))
        if chinese and previous == "en" and words >= 3 and runs * 2 <= words:
            return "en"  # "wait this is 金地格林世界? oh no. ok taking a didi" (blind DZ12)
        if chinese and previous == "en" and len(_CJK.findall(_ADDRESS.sub("", text))) <= 1:
            return "en"  # "地址：8栋 2单元 601" in an English conversation (blind DR03)
        if chinese and previous == "en" and _learner(text):
            return "en"  # "煤气 味道 很大" after "my chinese not good, sorry" (blind EX07)
        if chinese and "zh" in available:
            script = texts.chinese_script(text)
            if script is None:
                return str(previous) if previous in ("zh", TRADITIONAL) else "zh"
            return script
        english = len(_LATIN_WORD.findall(text)) >= 2
        if english and "en" in available and (previous is None or telegram == "en"):
            return "en"
        if not chinese and "en" in available and _sentences(latin):
            return "en"  # "Hello?? anyone there? The smell is getting stronger" (blind DR01)
    if previous in available:
        return str(previous)
    return telegram

