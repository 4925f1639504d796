"""The exported intent model: a plain sparse weight table, loaded without pickle.

`locales/<locale>/model/intents.npz` (written by `python -m bot intents train`, see
training.py) holds, as plain arrays (`numpy.load(allow_pickle=False)`):

- `features`: the vocabulary (feature strings, features.py), `idf` their inverse document
  frequencies;
- `weights` (inputs x intents) and `bias` (intents) of the output layer;
- `hidden` (features x units) and `hidden_bias` (units) of a one-hidden-layer network
  (`model: mlp` in classifier.yaml); absent for a multinomial logistic regression
  (`model: logistic`), whose `weights` are then features x intents;
- `intents`: the intent ids of the columns; `meta`: a JSON string (data hash, settings).

A message's features are counted, weighted `(1 + log tf) * idf` (or `idf` alone when the
model was trained with `tf: binary`) and L2-normalised, exactly as in training. The network
adds up the hidden rows of the message's features (a sparse table lookup, like the
logistic regression's), applies ReLU and multiplies by the output weights; a softmax gives
one probability per intent.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = "intents.npz"


@dataclass(frozen=True)
class ModelArrays:
    features: Sequence[str]
    idf: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    intents: Sequence[str]
    meta: dict[str, Any]
    hidden: np.ndarray | None = None
    hidden_bias: np.ndarray | None = None


class IntentModel:
    """Probabilities per intent for a bag of features."""

    def __init__(self, arrays: ModelArrays) -> None:
        # Columns in id order, so that probabilities come out (and tie) in a stable order.
        order = sorted(range(len(arrays.intents)), key=lambda c: arrays.intents[c])
        self.intents: tuple[str, ...] = tuple(arrays.intents[c] for c in order)
        self.meta = dict(arrays.meta)
        self._binary = self.meta.get("tf") == "binary"
        self._index = {f: i for i, f in enumerate(arrays.features)}
        self._idf_array = arrays.idf.astype(np.float32)
        self._weights = np.ascontiguousarray(np.asarray(arrays.weights)[:, order], dtype=np.float32)
        self._bias = np.asarray(arrays.bias, dtype=np.float64)[order]
        self._layered = arrays.hidden is not None and arrays.hidden_bias is not None
        if arrays.hidden is not None and arrays.hidden_bias is not None:
            self._table = np.ascontiguousarray(arrays.hidden, dtype=np.float32)
            self._hidden_bias = np.asarray(arrays.hidden_bias, dtype=np.float32)
            self._empty = np.maximum(self._hidden_bias, 0.0) @ self._weights + self._bias
        else:  # logistic regression: the weights are the table
            self._table = self._weights
            self._hidden_bias = np.zeros(0, dtype=np.float32)
            self._empty = self._bias

    def __len__(self) -> int:
        return len(self._index)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        with np.load(Path(path), allow_pickle=False) as data:
            layered = "hidden" in data.files
            arrays = ModelArrays(
                features=data["features"].tolist(),
                idf=data["idf"],
                weights=data["weights"],
                bias=data["bias"],
                intents=data["intents"].tolist(),
                meta=json.loads(str(data["meta"])),
                hidden=data["hidden"] if layered else None,
                hidden_bias=data["hidden_bias"] if layered else None,
            )
        return cls(arrays)

    def probabilities(self, features: Sequence[str]) -> dict[str, float]:
        logits = self.logits(features)
        top = float(logits.max())
        exp = np.exp(logits - top)
        probs = exp / exp.sum()
        return dict(zip(self.intents, probs.tolist(), strict=True))

    def logits(self, features: Sequence[str]) -> np.ndarray:
        """The message's score per intent. Counting (`Counter`) and the vocabulary lookups
        (`map` over `dict.get`) run in C, the weighting in numpy: no Python-level loop per
        feature."""
        counts = Counter(features)
        n = len(counts)
        ids = np.fromiter(map(self._index.get, counts, repeat(-1, n)), dtype=np.intp, count=n)
        known = ids >= 0
        rows = ids[known]
        if rows.size == 0:
            return self._empty.copy()
        values = self._idf_array[rows]
        if not self._binary:  # (1 + log tf) * idf; `tf: binary`: a feature counts once
            tf = np.fromiter(counts.values(), dtype=np.float32, count=n)[known]
            values *= 1.0 + np.log(tf)
        values /= np.sqrt(np.dot(values, values))
        summed = values @ self._table[rows]
        if not self._layered:
            result: np.ndarray = summed + self._bias
            return result
        summed += self._hidden_bias
        np.maximum(summed, 0.0, out=summed)
        out: np.ndarray = summed @ self._weights + self._bias
        return out


def save_model(path: Path, arrays: ModelArrays) -> None:
    """Write the arrays as a compressed .npz of plain arrays (no pickled objects)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    layers: dict[str, Any] = {}
    if arrays.hidden is not None and arrays.hidden_bias is not None:
        layers = {
            "hidden": np.asarray(arrays.hidden, dtype=np.float32),
            "hidden_bias": np.asarray(arrays.hidden_bias, dtype=np.float32),
        }
    with Path(path).open("wb") as fh:
        np.savez_compressed(
            fh,
            **layers,
            features=np.asarray(list(arrays.features), dtype=str),
            idf=np.asarray(arrays.idf, dtype=np.float32),
            weights=np.asarray(arrays.weights, dtype=np.float32),
            bias=np.asarray(arrays.bias, dtype=np.float32),
            intents=np.asarray(list(arrays.intents), dtype=str),
            meta=np.asarray(json.dumps(arrays.meta, sort_keys=True, ensure_ascii=False)),
        )
