"""Finding keyword, hazard and exclusion words of the phrase data in a message.

Chinese words of two or more characters are looked up as substrings (every n-gram of the
message whose first character starts some word), single characters only as whole jieba
tokens (so 火 counts in 厨房火好大 but not in 火锅), English words as stemmed word n-grams.
A hit inside a longer hit is dropped: 燃气费 hides 燃气, 电梯困人 hides 电梯 (exclusion and
veto words only hide and are hidden by their own intent's words: 像下雨一样 hides flooding's
veto 下雨, but repair's 水龙头坏 does not hide flooding's exclusion 水龙头). Words of a combo (one word of each group must occur) are
found the same way but hide nothing.

With a pinyin table (pinyin.py), the Chinese words of the emergency and outage intents
also hit where the message has a same-sounding typo of them (燃器味, 停谁了, 电梯关仁了),
a keyword at `pinyin_factor` of its weight; such a hit hides and is hidden like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.intents import english
from bot.intents.phrasebook import PhraseBook
from bot.intents.pinyin import PinyinIndex, PinyinTable
from bot.intents.taxonomy import EMERGENCY_INTENTS, URGENT_INTENTS

PINYIN_INTENTS = EMERGENCY_INTENTS | URGENT_INTENTS
"""Intents whose Chinese words are also matched by sound."""

Kind = Literal["keyword", "hazard", "exclude", "veto", "part"]


@dataclass(frozen=True, slots=True)
class Hit:
    intent: str
    kind: Kind
    weight: float
    start: int
    end: int
    word: str
    parts: tuple[tuple[int, int], ...] = ()
    """(start, end) of each word of a combo: a negation before any of them negates the combo,
    an exclusion overlapping one of them cancels it."""

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return self.parts or ((self.start, self.end),)

    def contains(self, other: Hit) -> bool:
        return (
            self.start <= other.start
            and other.end <= self.end
            and self.end - self.start > other.end - other.start
        )


# (intent, kind, weight, combo number, group number); the last two only for kind "part".
Entry = tuple[str, Kind, float, int, int]


class KeywordIndex:
    """All words of a phrase book, indexed for one pass over a message."""

    def __init__(
        self,
        book: PhraseBook,
        pinyin: PinyinTable | None = None,
        *,
        is_word: Callable[[str], bool] = lambda w: False,
        pinyin_factor: float = 0.85,
    ) -> None:
        """`pinyin`: match the words of PINYIN_INTENTS by sound too; `is_word`: is a span a
        dictionary word (then it is no typo)."""
        self._grams: dict[str, list[Entry]] = {}
        self._singles: dict[str, list[Entry]] = {}
        self._english: dict[str, list[Entry]] = {}
        self._combos: list[tuple[str, float, int]] = []  # (intent, weight, number of groups)
        for intent, phrases in book.intents.items():
            for word, weight in phrases.keywords.items():
                self._add(word, (intent, "keyword", weight, -1, -1))
            for word in phrases.hazards:
                self._add(word, (intent, "hazard", 0.0, -1, -1))
            for word in phrases.exclude:
                self._add(word, (intent, "exclude", 0.0, -1, -1))
            for word in phrases.veto:
                self._add(word, (intent, "veto", 0.0, -1, -1))
            for combo in phrases.combos:
                number = len(self._combos)
                self._combos.append((intent, combo.weight, len(combo.groups)))
                for g, group in enumerate(combo.groups):
                    for word in group:
                        self._add(word, (intent, "part", combo.weight, number, g))
        lengths: dict[str, set[int]] = {}
        for gram in self._grams:
            lengths.setdefault(gram[0], set()).add(len(gram))
        self._lengths = {ch: tuple(sorted(ls)) for ch, ls in lengths.items()}
        self._max_words = max((k.count(" ") + 1 for k in self._english), default=1)
        self._pinyin: PinyinIndex | None = None
        sounded: dict[str, list[Entry]] = {}
        if pinyin is not None:
            for word in pinyin_words(book):
                sounded[word] = [
                    (e[0], e[1], e[2] * pinyin_factor if e[1] == "keyword" else e[2], e[3], e[4])
                    for e in self._grams[word]
                    if e[0] in PINYIN_INTENTS
                ]
            self._pinyin = PinyinIndex(pinyin, sounded, is_word)
        # ids of the entry lists containing a keyword or hazard (words that hide shorter ones)
        self._hiders = {
            id(entries)
            for table in (self._grams, self._singles, self._english, sounded)
            for entries in table.values()
            if any(e[1] in ("keyword", "hazard") for e in entries)
        }

    def _add(self, word: str, entry: Entry) -> None:
        if word.isascii():
            key = english.key(word)
            if key:
                self._english.setdefault(key, []).append(entry)
        elif len(word) == 1:
            self._singles.setdefault(word, []).append(entry)
        else:
            self._grams.setdefault(word, []).append(entry)

    def scan(
        self,
        text: str,
        tokens: Sequence[str] = (),
        words: Sequence[tuple[int, int]] | None = None,
    ) -> list[Hit]:
        """Hits in `text` (normalised); `tokens` its jieba tokens; `words` the spans of the
        tokenizer's dictionary words (segment.py) when every phrase word is in that
        dictionary, else every n-gram is tried."""
        # (start, end, entries) of every word found; one span per (start, end).
        spans: list[tuple[int, int, list[Entry]]] = []
        grams_get = self._grams.get
        if words is not None:
            for i, j in words:
                entries = grams_get(text[i:j])
                if entries is not None:
                    spans.append((i, j, entries))
        else:
            lengths_get = self._lengths.get
            n = len(text)
            for i, ch in enumerate(text):
                ks = lengths_get(ch)
                if ks is None:
                    continue
                for k in ks:
                    j = i + k
                    if j > n:
                        break
                    entries = grams_get(text[i:j])
                    if entries is not None:
                        spans.append((i, j, entries))
        if tokens and self._singles:
            singles_get = self._singles.get
            pos = 0
            for token in tokens:
                end = pos + len(token)
                if end - pos == 1:
                    entries = singles_get(token)
                    if entries is not None:
                        spans.append((pos, end, entries))
                pos = end
        if self._english:
            spans.extend(self._scan_english(text))
        if self._pinyin is not None and tokens:
            spans.extend(self._sounded(text, tokens))
        if not spans:
            return []
        return self._hits(text, spans)

    def _sounded(self, text: str, tokens: Sequence[str]) -> Iterable[tuple[int, int, list[Entry]]]:
        """Spans of same-sounding typos; not where the tokenizer reads a changed character as
        part of a word (一滴水 is 一滴|水: no typo of 一地水; 维修工水平 no 供水). A phrase word
        starting at the changed character does not count: phrase words are in the dictionary
        at a high frequency and take the typo's neighbour (山体滑破了 is 滑|破了)."""
        assert self._pinyin is not None
        found = self._pinyin.scan(text)
        if not found:
            return
        in_word = bytearray(len(text))  # 1 where a character is part of a longer token
        pos = 0
        for token in tokens:
            end = pos + len(token)
            if end - pos > 1:
                start = pos + 1 if token in self._grams else pos
                in_word[start:end] = b"\x01" * (end - start)
            pos = end
        for i, j, word, entries in found:
            if not any(in_word[p] and text[p] != word[p - i] for p in range(i, j)):
                yield i, j, entries

    def _hits(self, text: str, spans: list[tuple[int, int, list[Entry]]]) -> list[Hit]:
        """Hits of the spans; a keyword or hazard inside a longer one's span is dropped."""
        spans.sort(key=lambda sp: (sp[0], -sp[1]))
        hiders = self._hiders
        covered: list[bool] = []
        max_end = -1
        for _start, end, entries in spans:
            covered.append(max_end >= end)
            if id(entries) in hiders and end > max_end:
                max_end = end
        hits: list[Hit] = []
        parts: list[tuple[Entry, int, int]] = []
        for (start, end, entries), is_covered in zip(spans, covered, strict=True):
            for e in entries:
                kind = e[1]
                if kind == "part":
                    parts.append((e, start, end))
                elif not is_covered:
                    hits.append(Hit(e[0], kind, e[2], start, end, text[start:end]))
                elif kind in _CONTEXT and not self._hidden_by_own(e[0], start, end, spans):
                    hits.append(Hit(e[0], kind, e[2], start, end, text[start:end]))
        if parts:
            hits.extend(self._combo_hits(text, parts))
        return hits

    @staticmethod
    def _hidden_by_own(
        intent: str, start: int, end: int, spans: list[tuple[int, int, list[Entry]]]
    ) -> bool:
        """Is this exclusion/veto word inside a longer word of its own intent (像下雨一样)?"""
        return any(
            s <= start
            and end <= e
            and e - s > end - start
            and any(x[0] == intent and x[1] in ("keyword", "hazard") for x in entries)
            for s, e, entries in spans
        )

    def _scan_english(self, text: str) -> Iterable[tuple[int, int, list[Entry]]]:
        ws = english.words(text)
        table = self._english
        for i in range(len(ws)):
            key = ""
            for j in range(i, min(i + self._max_words, len(ws))):
                key = ws[j][0] if j == i else f"{key} {ws[j][0]}"
                entries = table.get(key)
                if entries:
                    yield ws[i][1], ws[j][2], entries

    def _combo_hits(self, text: str, parts: list[tuple[Entry, int, int]]) -> list[Hit]:
        groups: dict[int, dict[int, tuple[int, int]]] = {}
        for entry, start, end in parts:
            seen = groups.setdefault(entry[3], {})
            if entry[4] not in seen:  # the first occurrence of each group
                seen[entry[4]] = (start, end)
        hits = []
        for number, seen in groups.items():
            intent, weight, size = self._combos[number]
            if len(seen) == size:
                start = min(s for s, _ in seen.values())
                end = max(e for _, e in seen.values())
                found = tuple(sorted(seen.values()))
                hits.append(Hit(intent, "keyword", weight, start, end, text[start:end], found))
        return hits


_CONTEXT = ("exclude", "veto")


def pinyin_words(book: PhraseBook) -> list[str]:
    """The Chinese words of PINYIN_INTENTS matched by sound too: keywords and hazards of two
    or more characters; exclusion, veto and combo words of three or more (short ones are
    too general: 只滴 would find 一直滴, 水印 水一)."""
    out: list[str] = []
    for intent, phrases in book.intents.items():
        if intent not in PINYIN_INTENTS:
            continue
        context = [*phrases.exclude, *phrases.veto]
        for combo in phrases.combos:
            for group in combo.groups:
                context.extend(group)
        words = [*phrases.keywords, *phrases.hazards, *(w for w in context if len(w) > 2)]
        out.extend(w for w in words if len(w) > 1 and not w.isascii() and " " not in w)
    return list(dict.fromkeys(out))
