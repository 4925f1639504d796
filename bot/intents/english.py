"""English words of a normalised message: offsets, stop words dropped, a light stemmer.

Keywords and messages go through the same steps, so "stuck in the lift" (a keyword) matches
"I'm stuck in a lift" and "trapped in the elevator" matches "trapped inside elevator".
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    """a an the my our your his her their its this that these those is are was were be been
    am im there theres here of from for with by and so just very really please pls plz some
    any""".split()
)
# Kept on purpose: no, not, dont, never, without (negation), now, again, still (present),
# in/on/into/at (they tell "broke in" from "broke"), pronouns (they tell "who are you").


def stem(word: str) -> str:
    """A crude suffix stripper; consistent on both sides is all that matters."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    elif word.endswith("es") and len(word) > 4 and word[-3] in "sxz":
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]
    return word


def words(text: str) -> list[tuple[str, int, int]]:
    """(stemmed word, start, end) of the non-stop words of `text`."""
    out: list[tuple[str, int, int]] = []
    for m in WORD_RE.finditer(text):
        word = m.group()
        if word in STOP_WORDS:
            continue
        out.append((stem(word), m.start(), m.end()))
    return out


def key(text: str) -> str:
    """The lookup key of an English keyword: its stemmed non-stop words joined by spaces."""
    return " ".join(w for w, _, _ in words(text))
