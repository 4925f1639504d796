"""A jieba tokenizer of our own (never jieba's module-level default) with the domain words.

Cold start: jieba's full dictionary (349k words) takes 0.6-1 s to load (a 9 MB marshal
cache) and ~100 MB of memory. The classifier only needs tokens for whole-word matching of
single-character keywords, so by default it uses a core dictionary: every single character
plus the `core_words` most frequent longer words of jieba's own dict.txt, written once to
the cache directory (jieba then caches its prefix dictionary next to it as usual).
`core_words=None` uses jieba's full dictionary.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

DOMAIN_WORD_FREQ = 50_000
"""Frequency given to phrase-data words so that jieba keeps them whole."""
CORE_WORDS = 50_000


def import_jieba() -> ModuleType:
    """Import jieba without letting it import the deprecated, slow `pkg_resources`.

    jieba only uses pkg_resources to open its bundled files and falls back to plain paths
    when the import fails; skipping it saves ~0.15 s of cold start and a DeprecationWarning.
    """
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if blocked and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def core_dictionary(jieba: ModuleType, words: int, cache_dir: Path) -> Path:
    """Path of the core dictionary (built on first use, atomically)."""
    source = Path(str(jieba.__file__)).parent / "dict.txt"
    stat = source.stat()
    target = cache_dir / f"helpline-jieba-core-{words}-{stat.st_size}-{int(stat.st_mtime)}.txt"
    if target.is_file():
        return target
    singles: list[str] = []
    longer: list[tuple[int, str]] = []
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ")
            if len(parts) < 2:
                continue
            if len(parts[0]) == 1:
                singles.append(line)
            else:
                longer.append((int(parts[1]), line))
    longer.sort(key=lambda item: -item[0])
    lines = singles + [line for _, line in longer[:words]]
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.writelines(line if line.endswith("\n") else line + "\n" for line in lines)
    os.replace(tmp, target)
    return target


def ensure_words(tokenizer: Any, words: Iterable[str]) -> None:
    """Add the Chinese phrase words missing from the tokenizer's dictionary.

    The keyword index finds words through the tokenizer's word graph (segment.py), so every
    word of two or more non-ASCII characters must be in the dictionary."""
    freq = tokenizer.FREQ
    for word in words:
        if len(word) > 1 and not word.isascii() and " " not in word and not freq.get(word):
            tokenizer.add_word(word, DOMAIN_WORD_FREQ)


def build_tokenizer(
    userdicts: Iterable[Path] = (),
    words: Iterable[str] = (),
    *,
    core_words: int | None = CORE_WORDS,
    cache_dir: Path | None = None,
) -> Any:
    """A fresh `jieba.Tokenizer` with the `userdicts` (jieba's format) and `words` added."""
    jieba = import_jieba()
    if core_words is None:
        tokenizer = jieba.Tokenizer()
    else:
        directory = cache_dir or Path(tempfile.gettempdir())
        try:
            dictionary = core_dictionary(jieba, core_words, directory)
        except OSError:  # read-only cache: fall back to the full dictionary
            tokenizer = jieba.Tokenizer()
        else:
            tokenizer = jieba.Tokenizer(str(dictionary))
            if cache_dir is not None:
                tokenizer.tmp_dir = str(cache_dir)
    _initialize(tokenizer)
    ensure_words(tokenizer, words)
    for path in userdicts:  # last, so that its frequencies win
        with Path(path).open("rb") as fh:  # jieba would leave a path's file open
            tokenizer.load_userdict(fh)
    return tokenizer


def _initialize(tokenizer: Any) -> None:
    """`tokenizer.initialize()`, reading jieba's cache of a custom dictionary in one piece:
    jieba's `marshal.load(file)` takes four times as long as `marshal.loads(bytes)`."""
    dictionary = getattr(tokenizer, "dictionary", None)
    jieba = sys.modules.get("jieba")
    if dictionary and jieba is not None and dictionary != getattr(jieba, "DEFAULT_DICT", None):
        digest = hashlib.md5(dictionary.encode("utf-8", "replace")).hexdigest()
        name = f"jieba.u{digest}.cache"  # jieba's own file name
        cache = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / name
        try:
            if cache.stat().st_mtime > Path(dictionary).stat().st_mtime:
                tokenizer.FREQ, tokenizer.total = marshal.loads(cache.read_bytes())
                tokenizer.initialized = True
                return
        except (OSError, EOFError, ValueError, TypeError):
            pass
    tokenizer.initialize()
