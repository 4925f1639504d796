"""Small numbers written in Chinese: 三 -> 3, 十二 -> 12, 二十三 -> 23, 一二零二 -> 1202."""

from __future__ import annotations

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CHARS = "".join(DIGITS) + "十百"


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
