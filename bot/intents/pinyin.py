"""Homophone typos: a keyword also hits where the message has a same-sounding variant of it.

Pinyin input methods and voice input replace a character by another with the same
syllable: 燃器味 for 燃气味, 地振 for 地震, 停谁了 for 停水了, 电梯关仁了 for 电梯关人了. A
`PinyinIndex` finds, in one pass over a message, the spans whose toneless pinyin equals
that of a phrase word (every reading of a polyphone counts, on both sides), and keeps
those that look like a typo rather than another word:

- the word has two or more characters, and at most max(1, (len - 1) // 2) of them differ;
- at least one character is the word's own and is not a function character (没, 有, 被,
  在, 大, 小...): 没睡 is not 没水, 有货 is not 有火, 大伙 is not 大火; and no function
  character stands for another one (房子要 is not 房子摇);
- the span is not itself a word: not in the tokenizer's dictionary, and not in the list of
  real words that sound like phrase words (打结 for 打劫, 留学 for 流血, 走势 for 走失),
  taken from jieba's full dictionary into the data file.

The data file (`locales/zh/pinyin.txt`) holds a character -> syllable table for the 6,763
characters of GB 2312 (made with pypinyin, which is not needed at run time: importing it
costs 0.3 s and 50 MB) and that list of real words. Rebuild it after changing phrase words:

    python -m bot.intents.pinyin_build            # the word list (needs jieba only)
    python -m bot.intents.pinyin_build --table    # also the syllable table (needs pypinyin)

tests/intents/test_pinyin.py fails when the word list is out of date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import product
from pathlib import Path
from typing import Any

FUNCTION_CHARS = frozenset(
    "没不无冇未非有是在的得了过被把给让一个很好太又也都还就才和跟与我你他她它这那哪里上下中大小来去"
    "要会想能可以为所么吗呢吧啊呀哦嘛啦"
)
"""Characters that do not make a span look like a phrase word by themselves, and that are
taken as themselves, never as a typo of another character (房子要 is no 房子摇), except 是: the
first candidate of the commonest syllable, typed for 失 and 湿 (走是了 for 走失了)."""

_TAKEN_AS_THEMSELVES = (FUNCTION_CHARS - {"是"}) | frozenset("楼栋层号室座")
"""... and the address characters left around floor and block numbers (3楼燃气 is no 漏燃气)."""

MIN_REAL_WORD_FREQ = 10
"""Words of jieba's full dictionary at least this frequent count as real words."""

MAX_REAL_WORD_CHARS = 4
"""Real words are looked for among the variants of phrase words up to this long."""

_END = -1
_CODE_BASE = 0xE000  # codes are written as characters of the Private Use Area
_CODE_BASE_CHAR = chr(_CODE_BASE)


def max_differences(length: int) -> int:
    return max(1, (length - 1) // 2)


class PinyinTable:
    """Toneless syllables of each character (all readings, the usual one first), as small
    integers."""

    def __init__(self, syllables: Mapping[str, str], real_words: Iterable[str] = ()) -> None:
        """`syllables`: syllable -> the characters whose usual reading it is, then `|` and the
        characters that have it as another reading (着火's 着: zhe|...; zhao ...|着)."""
        ids = {s: n for n, s in enumerate(sorted(syllables))}
        usual: dict[str, int] = {}
        others: dict[str, list[int]] = {}
        chars_of: dict[int, str] = {}
        for syllable, chars in syllables.items():
            first, _, rest = chars.partition("|")
            for ch in first:
                usual[ch] = ids[syllable]
            for ch in rest:
                others.setdefault(ch, []).append(ids[syllable])
            chars_of[ids[syllable]] = first + rest
        self.syllable_names = sorted(syllables)
        self.usual = usual
        self.readings: dict[str, tuple[int, ...]] = {
            ch: (s, *others.get(ch, ())) for ch, s in usual.items()
        }
        self.chars_of = chars_of
        self.real_words = frozenset(real_words)

    @classmethod
    def load(cls, path: Path) -> PinyinTable:
        syllables: dict[str, str] = {}
        words: list[str] = []
        section = ""
        with Path(path).open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith("["):
                    section = line
                elif section == "[syllables]":
                    syllable, _, chars = line.partition(" ")
                    syllables[syllable] = chars.strip()
                elif section == "[real words]":
                    words.extend(line.split())
        return cls(syllables, words)

    def keys(self, word: str) -> list[tuple[int, ...]]:
        """Every syllable sequence of `word` (one per combination of readings)."""
        options = [self.readings.get(ch) for ch in word]
        if any(o is None for o in options):
            return []
        return [tuple(k) for k in product(*options)]  # type: ignore[arg-type]

    def variants(self, word: str) -> Iterator[str]:
        """Same-sounding spellings of `word` the index would accept (before the word tests)."""
        limit = max_differences(len(word))
        options = [
            sorted({c for s in self.readings.get(ch, ()) for c in self.chars_of[s]} | {ch})
            for ch in word
        ]
        positions = range(len(word))
        seen: set[str] = set()

        def expand(i: int, prefix: str, diffs: int) -> Iterator[str]:
            if i == len(word):
                if diffs and prefix not in seen:
                    seen.add(prefix)
                    yield prefix
                return
            for c in options[i]:
                d = diffs + (c != word[i])
                if d <= limit:
                    yield from expand(i + 1, prefix + c, d)

        if all(options[i] for i in positions):
            yield from expand(0, "", 0)


def looks_like_typo(span: str, word: str) -> bool:
    """A same-sounding `span` of `word`: few characters differ, one content character kept."""
    diffs = 0
    kept = False
    for a, b in zip(span, word, strict=True):
        if a != b:
            if a in _TAKEN_AS_THEMSELVES:
                return False
            diffs += 1
        elif a not in FUNCTION_CHARS:
            kept = True
    return kept and 0 < diffs <= max_differences(len(word))


class PinyinIndex:
    """Words (two or more CJK characters) indexed by their sound, each with a payload.

    A word is indexed under each of its syllable strings (every reading of a polyphone, one
    private-use character per syllable); a message is translated to the usual syllable of
    each character in one `str.translate`, a regex finds the characters that can start a
    word and a dictionary the places worth a look-up: a few microseconds per message. (A
    typo that is a polyphone read otherwise than usually is missed.)"""

    def __init__(
        self,
        table: PinyinTable,
        words: Mapping[str, Any],
        is_word: Callable[[str], bool] = lambda w: False,
    ) -> None:
        self._real = table.real_words
        self._is_word = is_word
        self._payload = dict(words)
        count = len(table.syllable_names)
        # Private-use characters of a message must not pass for syllables: they are dropped.
        self._translation: dict[int, str | None] = {
            cp: None for cp in range(_CODE_BASE, _CODE_BASE + count)
        }
        self._translation.update({ord(ch): chr(_CODE_BASE + s) for ch, s in table.usual.items()})
        self._words: dict[str, str | list[str]] = {}  # syllable string -> word(s)
        lengths: dict[str, set[int]] = {}  # first two syllables -> lengths of those strings
        for word in words:
            if len(word) < 2:
                continue
            for key in table.keys(word):
                k = "".join(chr(_CODE_BASE + s) for s in key)
                listed = self._words.get(k)
                if listed is None:
                    self._words[k] = word
                elif isinstance(listed, str):
                    if listed != word:
                        self._words[k] = [listed, word]
                elif word not in listed:
                    listed.append(word)
                lengths.setdefault(k[:2], set()).add(len(k))
        self._lengths = {pair: tuple(sorted(ls)) for pair, ls in lengths.items()}
        firsts = "".join(sorted({pair[0] for pair in lengths}))
        last = chr(_CODE_BASE + count)
        self._first_re = re.compile(f"[{firsts}](?=[{_CODE_BASE_CHAR}-{last}])")

    def __len__(self) -> int:
        return len(self._payload)

    def scan(self, text: str) -> list[tuple[int, int, str, Any]]:
        """(start, end, word, payload) of every same-sounding typo of a word in `text`."""
        found: list[tuple[int, int, str, Any]] = []
        coded = text.translate(self._translation)
        if len(coded) != len(text):  # private-use characters dropped: positions moved
            return found
        lengths_get = self._lengths.get
        words_get = self._words.get
        n = len(text)
        for m in self._first_re.finditer(coded):
            i = m.start()
            ks = lengths_get(coded[i : i + 2])
            if ks is None:
                continue
            for k in ks:
                if i + k > n:
                    break
                ends = words_get(coded[i : i + k])
                if ends is not None:
                    self._accept(text, i, i + k, (ends,) if isinstance(ends, str) else ends, found)
        return found

    def _accept(
        self, text: str, i: int, j: int, ends: Sequence[str], found: list[tuple[int, int, str, Any]]
    ) -> None:
        span = text[i:j]
        if span in self._real or self._is_word(span):
            return
        for word in ends:
            if looks_like_typo(span, word) and not any(
                f[0] == i and f[1] == j and f[2] == word for f in found
            ):
                found.append((i, j, word, self._payload[word]))


# -- building the data file ---------------------------------------------------------------


def _gb2312_hanzi() -> list[str]:
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def build_syllables() -> dict[str, str]:  # pragma: no cover - needs pypinyin
    """Syllable -> characters (see PinyinTable): each character's usual reading, and any
    other reading it
    has in at least 10% (and 3) of its occurrences in pypinyin's phrase dictionary (着 zhao
    in 着火, 了 liao in 了解); classical readings (汽 yi, 台 yi) are left out."""
    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.style import convert as convert_style

    counts: dict[str, dict[str, int]] = {}
    for phrase, readings in phrases_dict.items():
        if len(phrase) != len(readings):
            continue
        for ch, options in zip(phrase, readings, strict=True):
            toneless = convert_style(options[0], Style.NORMAL, strict=True)
            per = counts.setdefault(ch, {})
            per[toneless] = per.get(toneless, 0) + 1
    usual_of: dict[str, list[str]] = {}
    other_of: dict[str, list[str]] = {}
    for ch in _gb2312_hanzi():
        usual = pinyin(ch, style=Style.NORMAL)[0][0]
        if not (usual.isascii() and usual.isalpha()):
            continue
        usual_of.setdefault(usual, []).append(ch)
        per = counts.get(ch, {})
        total = sum(per.values())
        for r, n in per.items():
            if r != usual and n >= 3 and n >= 0.1 * total and r.isascii() and r.isalpha():
                other_of.setdefault(r, []).append(ch)
    return {
        s: "".join(usual_of.get(s, [])) + ("|" + "".join(other_of[s]) if s in other_of else "")
        for s in sorted(usual_of.keys() | other_of.keys())
    }


def jieba_full_dictionary() -> dict[str, int]:
    from bot.intents.tokenizer import import_jieba

    jieba = import_jieba()
    freq: dict[str, int] = {}
    with (Path(str(jieba.__file__)).parent / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ")
            if len(parts) >= 2 and len(parts[0]) > 1:
                freq[parts[0]] = int(parts[1])
    return freq


def real_word_variants(
    table: PinyinTable, words: Iterable[str], dictionary: Mapping[str, int]
) -> list[str]:
    """The same-sounding variants of `words` that are frequent words of `dictionary`."""
    out: set[str] = set()
    for word in words:
        if not 2 <= len(word) <= MAX_REAL_WORD_CHARS or word.isascii():
            continue
        for v in table.variants(word):
            if dictionary.get(v, 0) >= MIN_REAL_WORD_FREQ and looks_like_typo(v, word):
                out.add(v)
    return sorted(out)


def write(path: Path, syllables: Mapping[str, str], real_words: Sequence[str]) -> None:
    lines = [
        "# Toneless pinyin of the GB 2312 characters (all readings), and real words that sound",
        "# like phrase words (never taken for typos). Made by `python -m bot.intents.pinyin_build`;",
        "# see bot/intents/pinyin.py.",
        "[syllables]",
        *(f"{s} {chars}" for s, chars in syllables.items()),
        "[real words]",
    ]
    for k in range(0, len(real_words), 20):
        lines.append(" ".join(real_words[k : k + 20]))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
