"""UI strings from `locales/<locale>/texts/*.yaml`.

Each file is a mapping; its keys are prefixed with the file's stem: `texts/resident.yaml`
key `welcome` is `resident.welcome`. Values are Telegram HTML with `{placeholders}`;
every value passed to `get` is HTML-escaped unless wrapped in `Raw`, so a resident's "<"
or "&" never breaks a message. A key missing in a locale falls back to the default locale.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class Raw:
    """Already-safe HTML (another rendered text), inserted without escaping."""

    html: str

    def __str__(self) -> str:
        return self.html


def escape(value: object) -> str:
    if isinstance(value, Raw):
        return value.html
    return html.escape(str(value), quote=False)


def _flatten(prefix: str, data: Mapping[str, Any], out: dict[str, Any]) -> None:
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            _flatten(full, value, out)
        else:
            out[full] = value


def load_locale(directory: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    texts_dir = directory / "texts"
    if texts_dir.is_dir():
        for path in sorted(texts_dir.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            _flatten(path.stem, data, out)
    return out


TRADITIONAL = "zh-hant"
"""A derived locale: the `zh` texts in Traditional characters (OpenCC, Taiwan or Hong Kong
standard by region), for residents who write Traditional."""


class Texts:
    def __init__(
        self,
        by_locale: Mapping[str, Mapping[str, Any]],
        default: str = "zh",
        traditional: str = "s2tw",
    ) -> None:
        """`traditional`: the OpenCC configuration for `zh-hant` (s2tw, or s2hk in Hong Kong)."""
        self._by_locale = {k: dict(v) for k, v in by_locale.items()}
        self._traditional_config = traditional
        self._to_traditional: Any = None
        self._script_converters: Any = None
        self.default = default

    @classmethod
    def load(
        cls,
        root: Path,
        locales: Iterable[str] = ("zh", "en"),
        default: str = "zh",
        traditional: str = "s2tw",
    ) -> Texts:
        by_locale = {loc: load_locale(root / loc) for loc in locales if (root / loc).is_dir()}
        return cls(by_locale, default, traditional)

    @property
    def locales(self) -> list[str]:
        names = list(self._by_locale)
        return [*names, TRADITIONAL] if "zh" in self._by_locale else names

    def traditional(self, text: str) -> str:
        """`text` in Traditional characters (unchanged if OpenCC fails)."""
        if self._to_traditional is None:
            import opencc

            self._to_traditional = opencc.OpenCC(self._traditional_config)
        try:
            return str(self._to_traditional.convert(text))
        except Exception:
            return text

    def pick_locale(self, language_code: str | None) -> str:
        """Telegram's language code -> one of our locales (Chinese unless clearly another)."""
        if language_code:
            base = language_code.split("-")[0].lower()
            if base in self._by_locale:
                return base
        return self.default

    def chinese_script(self, text: str) -> str | None:
        """`zh-hant` for Chinese written in Traditional characters, `zh` for Simplified,
        None when the characters are the same in both scripts (or both appear)."""
        if self._script_converters is None:
            import opencc

            self._script_converters = (opencc.OpenCC("t2s"), opencc.OpenCC("s2t"))
        to_simplified, to_traditional = self._script_converters
        try:
            traditional = to_simplified.convert(text) != text
            simplified = to_traditional.convert(text) != text
        except Exception:
            return None
        if traditional == simplified:
            return None
        return TRADITIONAL if traditional else "zh"

    def raw(self, key: str, locale: str | None = None) -> Any:
        if locale == TRADITIONAL:
            locale = "zh"
        for loc in (locale or self.default, self.default):
            table = self._by_locale.get(loc, {})
            if key in table:
                return table[key]
        raise KeyError(key)

    def has(self, key: str, locale: str | None = None) -> bool:
        try:
            self.raw(key, locale)
        except KeyError:
            return False
        return True

    def get(self, key: str, locale: str | None = None, /, **values: object) -> str:
        template = self.raw(key, locale)
        if isinstance(template, list):
            template = "\n".join(str(line) for line in template)
        out = _SafeFormatter().format(str(template), **{k: escape(v) for k, v in values.items()})
        return self.traditional(out) if locale == TRADITIONAL else out


class _SafeFormatter(string.Formatter):
    """`{missing}` stays visible instead of raising: a text error must never kill a reply."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)
