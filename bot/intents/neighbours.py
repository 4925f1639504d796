"""Example messages: an intent vote by similarity to labelled resident messages.

The example files `locales/<locale>/examples/<intent>[_<topic>].txt` hold one message per
line (`#` starts a comment line); the file name is an intent id of intents.md, optionally
followed by `_<topic>` (`inquiry_utilities.txt`; intent ids hold `_` themselves:
`gas_leak.txt`, `power_outage_night.txt`). They describe situations the way residents do
("门外有人在试钥匙", "grandpa collapsed in the bathroom"), so a message phrased like none of
the keyword rules can still land near its own kind.

Features of a matched text (the message as the classifier matches it: normalised, entities
cut out, typo aliases fixed):

- n-grams: character bigrams and trigrams of each run of Chinese text (a run of one
  character is a unigram), English stemmed non-stop words and word bigrams (english.py);
- single characters: every Chinese character (centroids only);
- inside a negation scope (a negator of the `markers` and the few characters or words after
  it: "没人在里面", "nobody is inside") a feature is marked as negated, on both sides alike,
  so "没人在里面" shares nothing with "里面有人" while "叫不醒" still matches "叫不醒".

Two similarity views, each a TF-IDF cosine (binary features, smoothed idf):

- nearest examples: the `k` examples most similar by n-grams, through an inverted index
  (feature -> (example numbers, idf² / norm)); n-grams in more than `max_df` of the
  examples are dropped (they tell little and their postings are the longest);
- centroids: the cosine to each intent's centroid (sum of its normalised example vectors)
  over all features, turned into a probability by a softmax at `temperature`.

`Vote.mass(intents)` averages the share of the nearest examples' similarity held by
`intents` and their centroid probability: on the validation part of the examples this
separates emergencies from their look-alikes better than either view alone.
`NeighbourIndex.evidence` tells where a message says what an intent's examples say, and
where it denies what emergency examples say; the classifier puts the situation rules on
those words (classifier.py).

Building the index takes a few tenths of a second; with a `cache_dir` its tables are kept in
a file named by a hash of everything they depend on, read in a few hundredths.
"""

from __future__ import annotations

import hashlib
import marshal
import math
import os
import re
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from operator import mul, truediv
from pathlib import Path

from bot.intents import english
from bot.intents.taxonomy import INTENTS

EXAMPLES_DIR = "examples"

_CJK = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_RUN_RE = re.compile(f"[{_CJK}]+")
_NEGATED = "\u00ac"  # prefix of a feature inside a negation scope
_SCOPE_CHARS = 4
"""A Chinese negator's scope: this many characters after it (not past a space)."""
_SCOPE_WORDS = 3
"""An English negator's scope: this many words after it."""


@dataclass(frozen=True, slots=True)
class Example:
    intent: str
    text: str
    """The line as written."""
    source: str
    """`<locale>/<file name>:<line number>`."""


def intent_of_file(path: Path) -> str:
    """The intent id an example file is about: its name, or the longest intent id it starts
    with followed by `_`. Raises ValueError for any other name."""
    stem = path.stem
    if stem in INTENTS:
        return stem
    prefixes = [i for i in INTENTS if stem.startswith(i + "_")]
    if not prefixes:
        raise ValueError(
            f"{path}: example file of unknown intent {stem.split('_', 1)[0]!r} (name it"
            " <intent>[_<topic>].txt with an intent id of intents.md)"
        )
    return max(prefixes, key=len)


def example_files(root: Path, locales: Sequence[str]) -> list[Path]:
    """Every `<root>/<locale>/examples/*.txt`, sorted."""
    files: list[Path] = []
    for locale in locales:
        directory = Path(root) / locale / EXAMPLES_DIR
        if directory.is_dir():
            files.extend(sorted(directory.glob("*.txt")))
    return files


def read_examples(files: Iterable[Path]) -> list[Example]:
    """The example lines of `files`; raises ValueError for a file of an unknown intent."""
    out: list[Example] = []
    for path in files:
        intent = intent_of_file(path)
        where = f"{path.parent.parent.name}/{path.name}"
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                text = line.strip()
                if text and not text.startswith("#"):
                    out.append(Example(intent, text, f"{where}:{number}"))
    return out


def is_validation(text: str, parts: int = 5) -> bool:
    """The deterministic split of the example lines for tuning: one in `parts` (by a CRC of
    the line) is the validation part, on which thresholds are chosen with an index of the
    other lines. The shipped classifier learns from every line."""
    return zlib.crc32(text.strip().encode("utf-8")) % parts == 0


class Negation:
    """Where negation scopes are in a matched text (see the module docstring)."""

    def __init__(self, negators: Iterable[str] = (), uncertain: Iterable[str] = ()) -> None:
        words = sorted(set(negators), key=len, reverse=True)
        self.words = (tuple(sorted(set(negators))), tuple(sorted(set(uncertain))))
        zh = [re.escape(w) for w in words if not w.isascii()]
        en = [re.escape(w) for w in words if w.isascii()]
        parts = [*zh, *([rf"\b(?:{'|'.join(en)})\b"] if en else [])]
        self._negator = re.compile("|".join(parts)) if parts else None
        unsure = sorted(set(uncertain), key=len, reverse=True)
        # "有没有煤气味", "是不是": questions, not negations
        self._uncertain = re.compile("|".join(re.escape(w) for w in unsure)) if unsure else None

    def mask(self, text: str) -> bytearray | None:
        """1 at each character inside a negation scope; None when there is none."""
        if self._negator is None:
            return None
        found = list(self._negator.finditer(text))
        if not found:
            return None
        unsure = (
            [(m.start(), m.end()) for m in self._uncertain.finditer(text)]
            if self._uncertain is not None
            else []
        )
        mask = bytearray(len(text))
        any_scope = False
        for m in found:
            start = m.end()
            if any(s <= m.start() < e for s, e in unsure):
                continue
            if m.group().isascii():
                words = english.WORD_RE.finditer(text, start)
                end = start
                for _, w in zip(range(_SCOPE_WORDS), words, strict=False):
                    end = w.end()
            else:
                end = start + _SCOPE_CHARS
                space = text.find(" ", start, end)
                if space != -1:
                    end = space
            if end > start:
                mask[start:end] = b"\x01" * (min(end, len(text)) - start)
                any_scope = True
        return mask if any_scope else None


_NO_NEGATION = Negation()


def features(matched: str, negation: Negation = _NO_NEGATION) -> tuple[list[str], list[str]]:
    """(n-gram features, single-character features) of a matched text; both may repeat."""
    grams: list[str] = []
    singles: list[str] = []
    mask = negation.mask(matched)
    for m in _CJK_RUN_RE.finditer(matched):
        run = m.group()
        n = len(run)
        if mask is None:
            singles.extend(run)
            if n == 1:
                grams.append(run)
                continue
            grams.extend([run[i : i + 2] for i in range(n - 1)])
            grams.extend([run[i : i + 3] for i in range(n - 2)])
        else:
            base = m.start()
            marks = [_NEGATED if mask[base + i] else "" for i in range(n)]
            singles.extend([marks[i] + run[i] for i in range(n)])
            if n == 1:
                grams.append(singles[-1])
                continue
            grams.extend([marks[i] + run[i : i + 2] for i in range(n - 1)])
            grams.extend([marks[i] + run[i : i + 3] for i in range(n - 2)])
    found = english.words(matched)  # Chinese characters only separate words
    if found:
        if mask is None:
            ws = [w for w, _, _ in found]
        else:
            ws = [(_NEGATED + w if mask[s] else w) for w, s, _ in found]
        grams.extend([f"{w} " for w in ws])  # a trailing space: never a Chinese n-gram
        grams.extend([f"{a} {b}" for a, b in pairwise(ws)])
    return grams, singles


@dataclass(frozen=True, slots=True)
class Vote:
    shares: dict[str, float]
    """Per intent: its share of the similarity of the nearest examples (sums to 1)."""
    best: dict[str, float]
    """Per intent: the similarity of its nearest example among them."""
    nearest: list[tuple[int, float]]
    """(example number, similarity) of the nearest examples, best first."""
    centroid: dict[str, float]
    """Per intent: the softmax probability of its centroid cosine."""
    cosines: dict[str, float]
    """Per intent: the cosine to its centroid."""
    complete: bool = True
    """False when the nearest examples were not looked up (`shares` empty)."""

    def mass(self, intents: Iterable[str]) -> float:
        """The nearest examples' share and the centroid probability of `intents`, averaged
        (a share of 0 when the nearest examples were not looked up)."""
        wanted = set(intents)
        knn = sum(s for i, s in self.shares.items() if i in wanted)
        centroid = sum(p for i, p in self.centroid.items() if i in wanted)
        return (knn + centroid) / 2.0

    def pick(self, intents: Iterable[str]) -> str:
        """The intent of `intents` with the highest centroid probability (on the validation
        part it names the right emergency more often than the nearest examples do)."""
        return max(intents, key=lambda i: (self.centroid.get(i, 0.0), self.shares.get(i, 0.0), i))

    def as_dict(self, examples: Sequence[Example] = ()) -> dict[str, object]:
        def r(d: Mapping[str, float]) -> dict[str, float]:
            return {i: round(s, 3) for i, s in sorted(d.items(), key=lambda kv: -kv[1]) if s}

        nearest = [
            (examples[d].intent, examples[d].text, round(s, 3)) if examples else (d, round(s, 3))
            for d, s in self.nearest[:5]
        ]
        return {"shares": r(self.shares), "centroid": r(self.centroid), "nearest": nearest}


NO_VOTE = Vote({}, {}, [], {}, {})


class NeighbourIndex:
    """Nearest examples and intent centroids of labelled matched texts."""

    def __init__(
        self,
        labelled: Sequence[tuple[str, str]],
        *,
        negation: Negation = _NO_NEGATION,
        k: int = 20,
        max_df: float = 0.08,
        min_similarity: float = 0.05,
        temperature: float = 0.03,
        cache_dir: Path | None = None,
    ) -> None:
        """`labelled`: (intent, matched text) of each example. With `cache_dir`, the tables
        are read from a file there named by a hash of everything they depend on (the
        examples, the negation words, `max_df`, this module's source), or built and
        written to it: building takes a few tenths of a second, reading a few hundredths."""
        self.negation = negation
        self.k = k
        self.min_similarity = min_similarity
        self.temperature = temperature
        self.intents: list[str] = [intent for intent, _ in labelled]
        self.labels: tuple[str, ...] = tuple(sorted(set(self.intents)))
        self._idf: dict[str, float] = {}
        self._idf2: dict[str, float] = {}
        self._postings: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {}
        self._centroid: dict[str, tuple[float, ...]] = {}
        self._centroid_scale: tuple[float, ...] = ()
        path = None
        if cache_dir is not None and labelled:
            path = Path(cache_dir) / f"helpline-examples-{_key(labelled, negation, max_df)}.marshal"
            if self._load(path):
                return
        self._build(labelled, max_df)
        if path is not None:
            self._save(path)

    _TABLES = ("_idf", "_idf2", "_postings", "_centroid", "_centroid_scale")

    def _load(self, path: Path) -> bool:
        try:
            tables = marshal.loads(path.read_bytes())  # marshal.load(file) is 5x slower
            for name in self._TABLES:
                setattr(self, name, tables[name])
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            return False
        return True

    def _save(self, path: Path) -> None:
        tables = {name: getattr(self, name) for name in self._TABLES}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(tables, fh)
            os.replace(tmp, path)
            # files of other examples or code, unused for a week
            stale = time.time() - 7 * 86400
            for other in path.parent.glob("helpline-examples-*.marshal"):
                if other != path and other.stat().st_mtime < stale:
                    other.unlink(missing_ok=True)
        except OSError:  # a read-only cache: build every time
            pass

    def _build(self, labelled: Sequence[tuple[str, str]], max_df: float) -> None:
        negation = self.negation
        label_no = {label: i for i, label in enumerate(self.labels)}
        n = len(labelled)
        # two passes over the examples' features (computing them twice is cheaper than
        # holding every example's feature sets at once)
        df: Counter[str] = Counter()
        for _, text in labelled:
            grams, singles = features(text, negation)
            df.update({*grams, *singles})
        idf = {f: math.log((n + 1) / (c + 1)) + 1.0 for f, c in df.items()}
        idf2 = {f: w * w for f, w in idf.items()}
        cap = max(2, int(max_df * n))
        common = {f for f, c in df.items() if c > cap}
        del df

        # nearest examples: postings of the n-grams in at most `max_df` of the examples;
        # centroids: per feature, idf * (the intent's normalised example vectors summed),
        # one column of every intent, then the feature's idf² (dense: a message's columns
        # are summed by zip/sum, no Python loop per intent)
        width = len(self.labels)
        numbers: dict[str, list[int]] = {}
        weights: dict[str, list[float]] = {}
        columns: dict[str, list[float]] = {}
        for doc, (intent, text) in enumerate(labelled):
            grams, singles = features(text, negation)
            kept = [f for f in dict.fromkeys(grams) if f not in common]
            scale = 1.0 / (math.sqrt(sum(map(idf2.__getitem__, kept))) or 1.0)
            for f in kept:
                if f in numbers:
                    numbers[f].append(doc)
                    weights[f].append(idf2[f] * scale)
                else:
                    numbers[f] = [doc]
                    weights[f] = [idf2[f] * scale]
            every = dict.fromkeys(chain(grams, singles))
            scale = 1.0 / (math.sqrt(sum(map(idf2.__getitem__, every))) or 1.0)
            number = label_no[intent]
            for f in every:
                column = columns.get(f)
                if column is None:
                    column = columns[f] = [0.0] * width + [idf2[f]]
                column[number] += idf2[f] * scale
        self._idf = idf
        self._idf2 = {f: idf2[f] for f in numbers}
        self._postings = {f: (tuple(d), tuple(weights.pop(f))) for f, d in numbers.items()}
        del numbers, weights
        # |centroid|² of each intent: the sum over features of (column / idf)²
        if columns:
            *rows, squares = zip(*columns.values(), strict=True)
            self._centroid_scale = tuple(
                1.0 / (math.sqrt(sum(map(truediv, map(mul, row, row), squares))) or 1.0)
                for row in rows
            )
            del rows, squares
        self._centroid = {f: tuple(c) for f, c in columns.items()}

    def __len__(self) -> int:
        return len(self.intents)

    def features(self, matched: str) -> tuple[list[str], list[str]]:
        return features(matched, self.negation)

    def nearest(self, grams: Iterable[str], k: int | None = None) -> list[tuple[int, float]]:
        """(example number, cosine similarity) of the `k` nearest examples, best first."""
        acc: dict[int, float] = {}
        get = acc.get
        postings_get = self._postings.get
        idf2 = self._idf2
        norm2 = 0.0
        for f in dict.fromkeys(grams):  # (in order: the same sums in every process)
            found = postings_get(f)
            if found is None:
                continue
            norm2 += idf2[f]
            for doc, w in zip(*found, strict=True):
                acc[doc] = get(doc, 0.0) + w
        if not acc:
            return []
        top = sorted(acc.items(), key=_by_score)[: k or self.k]
        scale = 1.0 / math.sqrt(norm2)
        return [(doc, s * scale) for doc, s in top]

    def cosines(self, grams: Iterable[str], singles: Iterable[str]) -> dict[str, float]:
        """Per intent: the cosine to the intent's centroid."""
        get = self._centroid.get
        columns = [c for c in map(get, dict.fromkeys(chain(grams, singles))) if c is not None]
        if not columns:
            return {}
        *dots, norm2 = map(sum, zip(*columns, strict=True))
        scale = 1.0 / math.sqrt(norm2)
        return {
            label: d * s * scale
            for label, d, s in zip(self.labels, dots, self._centroid_scale, strict=True)
        }

    def vote(
        self, matched: str, nearest_for: Iterable[str] = (), nearest_from: float = 0.0
    ) -> Vote:
        """The centroid probabilities, and the nearest examples when the centroid probability
        of `nearest_for` reaches `nearest_from` (always when `nearest_for` is empty): they
        cost more than everything else together, and an average below what the caller needs
        can be ruled out from the centroids alone."""
        grams, singles = self.features(matched)
        cosines = self.cosines(grams, singles)
        if not cosines:
            return NO_VOTE
        centroid = self._softmax(cosines)
        wanted = set(nearest_for)
        if wanted and sum(p for i, p in centroid.items() if i in wanted) < nearest_from:
            return Vote({}, {}, [], centroid, cosines, complete=False)
        found = [(d, s) for d, s in self.nearest(grams) if s >= self.min_similarity]
        mass: dict[str, float] = {}
        best: dict[str, float] = {}
        intents = self.intents
        for doc, s in found:
            intent = intents[doc]
            mass[intent] = mass.get(intent, 0.0) + s
            if s > best.get(intent, 0.0):
                best[intent] = s
        total = sum(mass.values()) or 1.0
        shares = {i: m / total for i, m in mass.items()}
        return Vote(shares, best, found, centroid, cosines)

    def _softmax(self, cosines: Mapping[str, float]) -> dict[str, float]:
        if not cosines:
            return {}
        top = max(cosines.values())
        exps = {i: math.exp((c - top) / self.temperature) for i, c in cosines.items()}
        total = sum(exps.values())
        return {i: e / total for i, e in exps.items()}

    def evidence(
        self, matched: str, intent: str, denied_by: Iterable[str] = ()
    ) -> tuple[list[tuple[int, int, float]], list[tuple[int, int, float]]]:
        """What the message says that examples of `intent` say, and what it denies that
        examples of `denied_by` say: (start, end, idf²) of the n-grams of `matched`

        - outside a negation scope that occur in examples of `intent`;
        - inside one that occur in examples of `denied_by` but never negated there: "没人在
          里面" denies "里面有人" (while "叫不醒" denies nothing: examples say it so too).
        """
        labels = self.labels
        number = labels.index(intent) if intent in labels else -1
        denying = [labels.index(i) for i in denied_by if i in labels]
        centroid = self._centroid
        mask = self.negation.mask(matched)
        said: list[tuple[int, int, float]] = []
        denied: list[tuple[int, int, float]] = []

        def look(gram: str, start: int, end: int) -> None:
            found = centroid.get(gram)
            if found is None:
                return
            if mask is None or not mask[start]:
                if number >= 0 and found[number]:
                    said.append((start, end, found[-1]))
            elif _NEGATED + gram not in centroid and any(found[d] for d in denying):
                denied.append((start, end, found[-1]))

        for m in _CJK_RUN_RE.finditer(matched):
            run, base = m.group(), m.start()
            for size in (2, 3):
                for i in range(len(run) - size + 1):
                    look(run[i : i + size], base + i, base + i + size)
        for word, start, end in english.words(matched):
            look(f"{word} ", start, end)
        return said, denied


def _by_score(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def _key(labelled: Sequence[tuple[str, str]], negation: Negation, max_df: float) -> str:
    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(repr((sys.version_info[:2], marshal.version, max_df, negation.words)).encode())
    for intent, text in labelled:
        digest.update(f"{intent}\t{text}\n".encode())
    return digest.hexdigest()[:20]
