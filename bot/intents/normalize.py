"""Text normalisation of resident messages before matching.

Two stages, so that entities can be read between them:

- `prepare`: cap the length, full-width -> half-width, Traditional -> Simplified (OpenCC t2s),
  case folding, control characters and all whitespace -> one space. Digits, `+`, `-`, `#` and
  spaces survive, so phone numbers and room numbers can still be parsed.
- `clean`: punctuation and emoji -> space, spaces between CJK characters dropped, runs of a
  repeated character collapsed ("救命啊啊啊啊" -> "救命啊", "救命救命救命" -> "救命").

`normalize` is both. Nothing here raises, whatever the input.
"""

from __future__ import annotations

import re
from typing import Protocol

MAX_INPUT_CHARS = 2000
"""Longer messages are cut to this many characters before anything else."""

# Full-width ASCII block -> ASCII, ideographic space -> space, plus a few symbols residents
# type that carry meaning for the classifier.
_WIDTH_TABLE: dict[int, int | str] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE[0x3000] = " "
_WIDTH_TABLE.update(
    {
        ord("🔥"): " 火 ",
        ord("🆘"): " 救命 ",
        ord("👍"): " 赞 ",
        ord("🙏"): " 谢谢 ",
        ord("👌"): " 好的 ",
        ord("\u2014"): "-",  # em dash, as in 3栋—1202
        ord("\u2013"): "-",
        ord("\u2212"): "-",
        ord("\u30fc"): "-",
    }
)

# Control and format characters (incl. zero-width ones, bidi marks, lone surrogates).
_CONTROL_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff0-\ufffc"
    "\ud800-\udfff\\s]+"
)
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")
_APOSTROPHE_RE = re.compile("(?<=[a-z])['\u2019](?=[a-z])")  # don't -> dont
_PUNCT_RE = re.compile(r"[^\w ]+|_+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_SPACE_RE = re.compile(f" +(?=[{_CJK}])|(?<=[{_CJK}]) +")
_SPACES_RE = re.compile(" {2,}")
_REPEAT_CHAR_RE = re.compile(r"([^\d\s])\1{2,}")
_REPEAT_CHUNK_RE = re.compile(f"([{_CJK}]{{2,4}}?)\\1+")


class Converter(Protocol):
    def convert(self, text: str) -> str: ...


def _opencc_t2s() -> Converter:
    import opencc  # the official C++ binding

    converter: Converter = opencc.OpenCC("t2s")
    return converter


class TextNormalizer:
    """Normalises resident messages; holds the OpenCC converter (built once)."""

    def __init__(self, converter: Converter | None = None) -> None:
        self._converter = converter if converter is not None else _opencc_t2s()

    def to_simplified(self, text: str) -> str:
        # Fast path: pure ASCII text has nothing to convert.
        if not _NON_ASCII_RE.search(text):
            return text
        try:
            return self._converter.convert(text)
        except Exception:  # never raise on odd input; the text is still usable as is
            return text

    def prepare(self, text: object) -> str:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if len(text) > MAX_INPUT_CHARS:
            text = text[:MAX_INPUT_CHARS]
        text = _CONTROL_RE.sub(" ", text.translate(_WIDTH_TABLE))
        return self.to_simplified(text).casefold().strip()

    @staticmethod
    def clean(prepared: str) -> str:
        text = _PUNCT_RE.sub(" ", _APOSTROPHE_RE.sub("", prepared))
        text = _CJK_SPACE_RE.sub("", text)
        text = _SPACES_RE.sub(" ", text).strip()
        text = _REPEAT_CHAR_RE.sub(r"\1", text)
        return _REPEAT_CHUNK_RE.sub(r"\1", text)

    def normalize(self, text: object) -> str:
        return self.clean(self.prepare(text))

    __call__ = normalize


def has_cjk(text: str) -> bool:
    return _HAS_CJK_RE.search(text) is not None


_HAS_CJK_RE = re.compile(f"[{_CJK}]")
