"""Rebuild locales/zh/pinyin.txt (see bot/intents/pinyin.py).

python -m bot.intents.pinyin_build            # the real-word list (needs jieba only)
python -m bot.intents.pinyin_build --table    # also the syllable table (needs pypinyin)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.intents.pinyin import (
    PinyinTable,
    build_syllables,
    jieba_full_dictionary,
    real_word_variants,
    write,
)


def main(argv: Sequence[str] = ()) -> int:  # pragma: no cover - a maintenance command
    from bot.config import REPO_ROOT
    from bot.intents.keywords import pinyin_words
    from bot.intents.normalize import TextNormalizer
    from bot.intents.phrasebook import load_phrasebook

    locales = REPO_ROOT / "locales"
    path = locales / "zh" / "pinyin.txt"
    if "--table" in argv or not path.is_file():
        syllables = build_syllables()
    else:
        syllables = {}
        section = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("["):
                section = line
            elif section == "[syllables]" and line and not line.startswith("#"):
                s, _, chars = line.partition(" ")
                syllables[s] = chars
    table = PinyinTable(syllables)
    files = [(loc, locales / loc / "intents.yaml") for loc in ("zh", "en")]
    words = pinyin_words(load_phrasebook(files, TextNormalizer().normalize))
    real = real_word_variants(table, words, jieba_full_dictionary())
    write(path, syllables, real)
    print(f"{path}: {len(syllables)} syllables, {len(real)} real words")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
