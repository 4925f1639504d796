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


class Texts:
    def __init__(self, by_locale: Mapping[str, Mapping[str, Any]], default: str = "zh") -> None:
        self._by_locale = {k: dict(v) for k, v in by_locale.items()}
        self.default = default

    @classmethod
    def load(cls, root: Path, locales: Iterable[str] = ("zh", "en"), default: str = "zh") -> Texts:
        return cls({loc: load_locale(root / loc) for loc in locales if (root / loc).is_dir()}, default)

    @property
    def locales(self) -> list[str]:
        return list(self._by_locale)

    def pick_locale(self, language_code: str | None) -> str:
        """Telegram's language code -> one of our locales (Chinese unless clearly another)."""
        if language_code:
            base = language_code.split("-")[0].lower()
            if base in self._by_locale:
                return base
        return self.default

    def raw(self, key: str, locale: str | None = None) -> Any:
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
        return _SafeFormatter().format(str(template), **{k: escape(v) for k, v in values.items()})


class _SafeFormatter(string.Formatter):
    """`{missing}` stays visible instead of raising: a text error must never kill a reply."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)
