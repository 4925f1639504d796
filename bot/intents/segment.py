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
        log_total = log(tokenizer.total)
        self._log_freq: dict[str, float] = {
            word: log(freq) - log_total for word, freq in tokenizer.FREQ.items() if freq
        }
        self._unseen = -log_total  # log(1 / total), as jieba uses for unknown fragments

    def segment(self, text: str) -> tuple[list[str], list[tuple[int, int]]]:
        """(tokens, [(start, end) of each word of two or more characters in the graph])."""
        dag: dict[int, list[int]] = self._tokenizer.get_DAG(text)
        n = len(text)
        log_freq, unseen = self._log_freq, self._unseen
        best = [0.0] * (n + 1)
        step = [0] * n
        for i in range(n - 1, -1, -1):
            top, end = float("-inf"), i
            for j in dag[i]:
                score = log_freq.get(text[i : j + 1], unseen) + best[j + 1]
                # jieba's max() over (score, j) tuples: the larger j wins a tie
                if score > top or (score == top and j > end):
                    top, end = score, j
            best[i] = top
            step[i] = end
        tokens: list[str] = []
        x = 0
        while x < n:
            y = step[x] + 1
            tokens.append(text[x:y])
            x = y
        words = [(i, j + 1) for i, ends in dag.items() for j in ends if j > i]
        return tokens, words
