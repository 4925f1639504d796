"""jieba segmentation that also reports every dictionary word it saw.

`Segmenter.segment(text)` runs the steps of `Tokenizer.lcut(text, HMM=False)`: jieba's word
graph (`get_DAG`) and its best route (jieba's `calc`: the path maximising the sum of
log(freq / total), with the logarithms computed once here rather than on every call). It
returns the tokens together with the spans of all dictionary words in the graph. Every
phrase-data word is in the tokenizer's dictionary (see tokenizer.py), so those spans are
exactly where keywords can occur: the keyword index looks them up instead of trying every
n-gram of the message.

Build the Segmenter after the last change to the tokenizer's dictionary (add_word,
load_userdict): it keeps a snapshot of the log frequencies.
"""

from __future__ import annotations

from math import log
from typing import Any


class Segmenter:
    def __init__(self, tokenizer: Any) -> None:
        tokenizer.check_initialized()
        self._tokenizer = tokenizer
        self._freq: dict[str, int] = tokenizer.FREQ
        log_total = log(tokenizer.total)
        self._log_freq: dict[str, float] = {
            word: log(freq) - log_total for word, freq in tokenizer.FREQ.items() if freq
        }
        self._unseen = -log_total  # log(1 / total), as jieba uses for unknown fragments

    def segment(self, text: str) -> tuple[list[str], list[tuple[int, int]]]:
        """(tokens, [(start, end) of each word of two or more characters in the graph])."""
        # jieba's get_DAG and calc in one right-to-left pass: the words starting at i are
        # the prefixes of text[i:] in the dictionary (FREQ holds every prefix of a word,
        # with frequency 0 unless it is a word itself); a character starting none is a
        # word of its own.
        freq_get = self._freq.get
        log_freq_get = self._log_freq.get
        unseen = self._unseen
        n = len(text)
        best = [0.0] * (n + 1)
        step = [0] * n
        words: list[tuple[int, int]] = []
        for i in range(n - 1, -1, -1):
            top, end = float("-inf"), -1
            j = i + 1
            frag = text[i]
            while True:
                freq = freq_get(frag)
                if freq is None:
                    break
                if freq:
                    score = log_freq_get(frag, unseen) + best[j]
                    # jieba's max() over (score, j) tuples: the larger j wins a tie
                    if score >= top:
                        top, end = score, j
                    if j > i + 1:
                        words.append((i, j))
                if j >= n:
                    break
                j += 1
                frag = text[i:j]
            if end < 0:
                top, end = unseen + best[i + 1], i + 1
            best[i] = top
            step[i] = end
        tokens: list[str] = []
        x = 0
        while x < n:
            y = step[x]
            tokens.append(text[x:y])
            x = y
        words.reverse()
        return tokens, words
