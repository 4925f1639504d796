"""Rebuild locales/zh/pinyin.txt: the usual toneless pinyin of each GB 2312 character.

    python -m bot.intents.pinyin_build     # needs pypinyin (a dev dependency only)

The intent model's pinyin features (features.py) read the table; pypinyin is not needed at
run time (importing it costs 0.3 s and 50 MB).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _gb2312_hanzi() -> list[str]:
    chars = []
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def main(argv: Sequence[str] = ()) -> int:  # pragma: no cover - a maintenance command
    from pypinyin import Style, pinyin

    from bot.config import REPO_ROOT

    usual_of: dict[str, list[str]] = {}
    for ch in _gb2312_hanzi():
        usual = pinyin(ch, style=Style.NORMAL)[0][0]
        if usual.isascii() and usual.isalpha():
            usual_of.setdefault(usual, []).append(ch)
    path = REPO_ROOT / "locales" / "zh" / "pinyin.txt"
    lines = ["# Toneless pinyin of the GB 2312 characters (their usual reading); made by",
             "# `python -m bot.intents.pinyin_build`; read by bot/intents/features.py.",
             "[syllables]"]  # fmt: skip
    lines += [f"{s} {''.join(chars)}" for s, chars in sorted(usual_of.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path}: {len(usual_of)} syllables")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
