"""Reading the word-list files of the safety layer (locales/zh/situations.yaml, advice.yaml).

Each file is a mapping of entries; an entry's word keys hold words matched in a message made
Simplified and lower-case, so they are prepared the same way (a word written in Traditional,
"鑊着火", matches the message's "镬着火"); its name keys (intents, situations) are kept as
written, and an intent that does not exist is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bot.intents import taxonomy as tx
from bot.yamlio import load_yaml

Fields = dict[str, tuple[str, ...]]


def entries(
    path: Path,
    prepare: Callable[[str], str],
    *,
    words: tuple[str, ...],
    names: tuple[str, ...],
    intents: tuple[str, ...] = ("within",),
) -> Iterator[tuple[str, dict[str, Any], Fields]]:
    """(name, raw entry, its word and name keys as tuples) for every entry of `path`; nothing
    when the file is missing. `intents`: the name keys that list intents."""
    if not Path(path).is_file():
        return
    data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    for name, spec in data.items():
        unknown = {str(i) for key in intents for i in spec.get(key) or ()} - set(tx.INTENTS)
        if unknown:
            raise ValueError(f"{Path(path).name}: {name}: unknown intent {sorted(unknown)}")
        fields: Fields = {
            key: tuple(prepare(str(w)) for w in spec.get(key) or ()) for key in words
        }
        fields.update({key: tuple(str(w) for w in spec.get(key) or ()) for key in names})
        yield str(name), spec, fields
