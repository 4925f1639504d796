"""What the intent model sees of a message: a bag of string features.

One `Featurizer` serves training (bot/intents/training.py) and classification
(bot/intents/classifier.py), so both see exactly the same features:

- `c:` character 1-3-grams of each Chinese run (typos, dialect words, unknown words);
- `j:` jieba words of two or more characters (jieba stays the tokenizer);
- `p:` toneless pinyin syllables and syllable pairs, of Chinese characters (their usual
  reading) and of Latin words that spell pinyin ("meiqi wei", "dian4ti1"), so that pinyin-only
  typing and same-sounding typos (没气 for 煤气) land on the same features as the right words;
- `w:` English words and word pairs, `g:` their character 3-grams (typos: "elevater");
- `n:` words that follow a negator in the same clause (没有煤气味 is not 有煤气味);
- `e:` emoji (🔥, 🆘, 💦), which carry meaning for young writers.

Building, room and phone numbers are cut out first (entities.py), so that "3栋1202" teaches
the model nothing about intents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from typing import Any

from bot.intents.entities import Entities, Region, extract_entities
from bot.intents.normalize import TextNormalizer

MAX_FEATURE_CHARS = 256
"""A clause or message is featurised up to this many characters (long ones are split into
clauses first, classifier.py)."""

NEGATORS = ("没有", "没", "不是", "不", "无", "未", "别", "冇", "唔", "沒")
ENGLISH_NEGATORS = frozenset({"no", "not", "dont", "didnt", "isnt", "never", "without", "nothing"})
NEGATION_REACH = 6
"""Characters after a negator that count as negated (within the clause)."""

_CJK = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_RUN_RE = re.compile(f"[{_CJK}]+|[a-z]+[0-9]?(?:[a-z]+[0-9]?)*|[0-9]+")
_EMOJI_RE = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b55\u203c\u2049]")
_TONE_DIGITS_RE = re.compile("[1-5]")
_SPOKEN_NUMBER_RE = re.compile("[零〇一二两三四五六七八九幺洞]{3,}")


class Featurizer:
    """Turns a message into its features; holds the normaliser, jieba and the pinyin table."""

    def __init__(
        self,
        normalizer: TextNormalizer,
        tokenizer: Any,
        syllables: dict[str, str],
        region: Region | None = None,
        context: dict[str, list[str]] | None = None,
    ) -> None:
        """`syllables`: character -> its usual toneless pinyin syllable; `context`: class ->
        words that put a message's words in a frame (classifier.yaml `context`)."""
        pairs = [(w, name) for name, words in (context or {}).items() for w in words if w]
        self._context_of = dict(pairs)
        self._context_re = (
            re.compile("|".join(re.escape(w) for w, _ in sorted(pairs, key=lambda p: -len(p[0]))))
            if pairs
            else None
        )
        self._normalizer = normalizer
        self._tokenizer = tokenizer
        self._syllable_of = syllables
        self._valid = frozenset(syllables.values())
        self._longest = max((len(s) for s in self._valid), default=6)
        self.region = region
        self._spell = lru_cache(maxsize=50_000)(self._spell_uncached)

    # -- preparing -------------------------------------------------------------------------

    def prepare(self, text: object) -> tuple[Entities, str, str]:
        """(entities, the text to featurise, the emoji) of a raw message."""
        prepared = self._normalizer.prepare(text)
        emoji = "".join(_EMOJI_RE.findall(prepared))
        entities, rest = extract_entities(prepared, self.region)
        rest = _SPOKEN_NUMBER_RE.sub(" ", rest)  # 一二零二, 幺三八…: a number, not words
        return entities, self._normalizer.clean(rest)[:MAX_FEATURE_CHARS], emoji

    # -- features --------------------------------------------------------------------------

    def features(self, text: str, emoji: str = "") -> list[str]:
        """The features of a prepared text (see the module docstring); repeats count."""
        out: list[str] = [f"e:{e}" for e in emoji]
        syllables: list[str] = []
        english: list[str] = []
        for match in _RUN_RE.finditer(text):
            run = match.group()
            first = run[0]
            if first.isdigit():
                syllables.append("#")
                continue
            if "a" <= first <= "z":
                spelled = self._spell(_TONE_DIGITS_RE.sub("", run))
                if spelled:
                    syllables.extend(spelled)
                    if len(spelled) > 1:
                        continue  # a pinyin word, not English
                word = run.rstrip("0123456789")
                english.append(word)
                continue
            self._chinese(run, out)
            syllables.extend(self._syllable_of.get(ch, ch) for ch in run)
        _pinyin(syllables, out)
        if english:
            _english(english, out)
        self._negated(text, out)
        frames = (
            sorted({self._context_of[m.group()] for m in self._context_re.finditer(text)})
            if self._context_re is not None
            else []
        )
        if frames:
            words = [f for f in out if f[0] in "jwp" and f[1] == ":" and "_" not in f]
            for name in frames:
                out.append("ctx:" + name)
                out.extend(f"x{name}:{f}" for f in words)
        return out

    def _chinese(self, run: str, out: list[str]) -> None:
        n = len(run)
        out.extend("c:" + ch for ch in run)
        out.extend("c:" + run[i : i + 2] for i in range(n - 1))
        out.extend("c:" + run[i : i + 3] for i in range(n - 2))
        if n > 1:
            out.extend("j:" + w for w in self._tokenizer.lcut(run, HMM=False) if len(w) > 1)

    def _negated(self, text: str, out: list[str]) -> None:
        for negator in NEGATORS:
            start = text.find(negator)
            while start >= 0:
                after = text[start + len(negator) : start + len(negator) + NEGATION_REACH]
                after = after.split(" ", 1)[0]
                if len(after) >= 2:
                    out.append("n:" + after[:2])
                    if len(after) >= 3:
                        out.append("n:" + after[:3])
                start = text.find(negator, start + len(negator))

    # -- pinyin ----------------------------------------------------------------------------

    def _spell_uncached(self, word: str) -> tuple[str, ...]:
        """`word` as a sequence of pinyin syllables (fewest syllables), or () if it is none."""
        n = len(word)
        if n < 2 or n > 40:
            return (word,) if word in self._valid else ()
        best: list[tuple[int, int] | None] = [None] * (n + 1)  # (syllables, start)
        best[0] = (0, 0)
        for end in range(1, n + 1):
            for start in range(max(0, end - self._longest), end):
                prev = best[start]
                if prev is not None and word[start:end] in self._valid:
                    cand = (prev[0] + 1, start)
                    if best[end] is None or cand[0] < best[end][0]:  # type: ignore[index]
                        best[end] = cand
        if best[n] is None:
            return ()
        parts: list[str] = []
        end = n
        while end > 0:
            start = best[end][1]  # type: ignore[index]
            parts.append(word[start:end])
            end = start
        return tuple(reversed(parts))


def _pinyin(syllables: list[str], out: list[str]) -> None:
    real = [s for s in syllables if s != "#"]
    if len(real) < 2:
        return
    out.extend("p:" + s for s in real if len(s) > 1 or s.isascii())
    out.extend(
        "p:" + a + "_" + b for a, b in pairwise(syllables) if a != "#" != b
    )


def _english(words: list[str], out: list[str]) -> None:
    out.extend("w:" + w for w in words)
    out.extend("w:" + a + "_" + b for a, b in pairwise(words))
    for w in words:
        if len(w) >= 4:
            padded = f"<{w}>"
            out.extend("g:" + padded[i : i + 3] for i in range(len(padded) - 2))
    if ENGLISH_NEGATORS.intersection(words):
        for i, w in enumerate(words[:-1]):
            if w in ENGLISH_NEGATORS:
                out.extend("n:" + x for x in words[i + 1 : i + 4])


def syllable_table(path: Any) -> dict[str, str]:
    """character -> usual toneless syllable, from locales/zh/pinyin.txt's [syllables]."""
    table: dict[str, str] = {}
    section = ""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line
            elif section == "[syllables]":
                syllable, _, chars = line.partition(" ")
                for ch in chars.partition("|")[0].strip():
                    table[ch] = syllable
    return table


def clauses(
    text: str, min_chars: int, connectors: re.Pattern[str] | None = None
) -> Iterable[str]:
    """The clauses of a long raw message (split at sentence and clause punctuation and line
    breaks, and before `connectors` such as 还有就是 / 然后 in unpunctuated voice input),
    merged so that each has at least `min_chars` characters where possible."""
    parts = [p for p in _CLAUSE_RE.split(text) if p.strip()]
    if connectors is not None:
        parts = [q for p in parts for q in connectors.split(p) if q.strip()]
    current = ""
    for part in parts:
        current = f"{current} {part}" if current else part
        if len(current) >= min_chars:
            yield current
            current = ""
    if current:
        yield current


_CLAUSE_RE = re.compile(r"[。！？!?；;\n\r]+|[，,、…~～]+(?=.{8,})|\s{2,}|(?<=[.])\s+")
