"""Small numbers written in Chinese: 三 -> 3, 十二 -> 12, 二十三 -> 23, 一二零二 -> 1202."""

from __future__ import annotations

import re

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CHARS = "".join(DIGITS) + "十百"

SPOKEN = {**DIGITS, "幺": 1, "洞": 0, "O": 0, "o": 0}
"""Digits as people say them one by one: 幺 (one, in phone numbers), 洞 (zero)."""
_D = "零〇一二两三四五六七八九幺洞0-9"
_SPOKEN_RE = re.compile(f"[{_D}](?:[ \\-，,、]?[{_D}]){{2,}}")


def spoken_digits(text: str, min_run: int = 7) -> str:
    """Runs of at least `min_run` digits said one by one ("幺三八一二三四五六七八",
    "一三八 1234 5678" without the spaces) written as Arabic digits; the rest unchanged.
    Runs must hold at least one Chinese digit and no 十/百 (那是数值, not a sequence)."""

    def convert(match: re.Match[str]) -> str:
        run = match.group()
        digits = sum(ch not in " -，,、" for ch in run)
        if digits < min_run or run.isascii():
            return run
        return "".join(
            ch if "0" <= ch <= "9" else str(SPOKEN[ch]) if ch in SPOKEN else " " for ch in run
        )

    return _SPOKEN_RE.sub(convert, text)


def chinese_to_int(text: str) -> int | None:
    """Value of a Chinese numeral below 1000, or digit-by-digit (一二零二); None if not one."""
    if not text or any(ch not in CHARS for ch in text):
        return None
    if "十" not in text and "百" not in text:
        value = 0
        for ch in text:
            value = value * 10 + DIGITS[ch]
        return value
    total = 0
    current = 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = DIGITS[ch]
    return total + current


def to_arabic(text: str) -> str | None:
    """`text` as an Arabic-digit string if it is digits or a Chinese numeral, else None."""
    if text.isascii() and text.isdigit():
        return str(int(text)) if len(text) <= 3 else text
    value = chinese_to_int(text)
    return None if value is None else str(value)
