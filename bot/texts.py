"""UI strings from `locales/<locale>/texts/*.yaml`, formatted with Babel.

Each file is a mapping; its keys are prefixed with the file's stem: `texts/resident.yaml`
key `welcome` is `resident.welcome`. Values are Telegram HTML with `{placeholders}`;
every value passed in is HTML-escaped unless wrapped in `Raw`, so a resident's "<" or "&"
never breaks a message. A key missing in a locale falls back to the default locale.

Placeholders may name a format, done by Babel for the text's locale (docs/TEXTS.md):
`{n:number}` (1,234), `{share:percent}` (0.85 -> 85%), `{day:date:MMMd}` (a CLDR skeleton:
"12月6日" / "Dec 6"), `{at:time:Hm}`; any other spec is Python's (`{x:.1f}`).
A plural entry is a mapping of CLDR plural categories (`one:`, `other:` ...); Babel's
plural rules for the locale pick the form from the value `count` (or `n`).

`Texts.bind(locale, section)` gives `LocaleTexts`, the texts bound to one locale (and a
key prefix): what services hold instead of writing their own `t(key, ...)` helpers.
"""

from __future__ import annotations

import copy
import html
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from bot.yamlio import load_yaml

PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
"""CLDR plural categories: a mapping with only these keys (and `other`) is a plural entry."""

PLURAL_COUNT = ("count", "n")
"""The values that choose a plural form, in order of preference."""


@dataclass(frozen=True, slots=True)
class Raw:
    """Already-safe HTML (another rendered text), inserted without escaping."""

    html: str

    def __str__(self) -> str:
        return self.html


@dataclass(frozen=True, slots=True)
class Plural:
    """A plural entry: CLDR category -> template (`other` always present)."""

    forms: Mapping[str, Any]

    def pick(self, category: str) -> Any:
        return self.forms.get(category, self.forms["other"])


def escape(value: object) -> str:
    if isinstance(value, Raw):
        return value.html
    return html.escape(str(value), quote=False)


def is_plural(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and "other" in value
        and all(str(k) in PLURAL_CATEGORIES for k in value)
    )


def _flatten(prefix: str, data: Mapping[str, Any], out: dict[str, Any]) -> None:
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if is_plural(value):
            out[full] = Plural({str(k): v for k, v in value.items()})
        elif isinstance(value, Mapping):
            _flatten(full, value, out)
        else:
            out[full] = value


def load_locale(directory: Path) -> dict[str, Any]:
    """Every text of `directory/texts/*.yaml`, flattened ("resident.ask.phone"); files read
    once per process while they stay unchanged (many apps are built in one process: tests,
    a cluster's workers)."""
    texts_dir = directory / "texts"
    if not texts_dir.is_dir():
        return {}
    files = tuple(
        (str(path), found.st_mtime_ns, found.st_size)
        for path in sorted(texts_dir.glob("*.yaml"))
        for found in (path.stat(),)
    )
    return dict(_read_locale(files))


@lru_cache(maxsize=16)
def _read_locale(files: tuple[tuple[str, int, int], ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, _, _ in files:
        path = Path(name)
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        _flatten(path.stem, data, out)
    return out


TRADITIONAL = "zh-hant"
"""A derived locale: the `zh` texts in Traditional characters (OpenCC, Taiwan or Hong Kong
standard by region), for residents who write Traditional."""


@lru_cache(maxsize=32)
def babel_locale(locale: str) -> Locale:
    """Our locale name (`zh`, `zh-hant`, `en`) -> Babel's `Locale` (English if unknown)."""
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def plural_category(locale: str, count: object) -> str:
    """CLDR's plural category of `count` in `locale` (`one`, `other`, ...)."""
    try:
        if isinstance(count, float) and count.is_integer():
            count = int(count)  # 1.0 day reads "1 day"
        number = count if isinstance(count, int | float | Decimal) else Decimal(str(count))
        return str(babel_locale(locale).plural_form(number))
    except Exception:
        return "other"


FORMATS = ("number", "percent", "date", "time", "datetime")
"""The format names a placeholder may carry (`{n:number}`); any other spec is Python's."""


def format_value(value: object, spec: str, locale: str) -> str:
    """One placeholder's value by its spec, HTML-escaped (see the module docstring)."""
    try:
        return format_strict(value, spec, locale)
    except Exception:
        # a text error must never kill a reply: the value as it is
        return escape(value)


def format_strict(value: object, spec: str, locale: str) -> str:
    """`format_value`, raising when the value does not fit the spec (for the catalog test)."""
    if not spec or isinstance(value, Raw):
        return escape(value)
    kind, _, arg = spec.partition(":")
    loc = babel_locale(locale)
    if kind == "number":
        return escape(babel_numbers.format_decimal(value, format=arg or None, locale=loc))  # type: ignore[arg-type]
    if kind == "percent":
        return escape(_percent(value, arg, loc))
    if kind in ("date", "time", "datetime"):
        return escape(_format_when(value, kind, arg, loc))
    return escape(format(value, spec))


def _percent(value: object, pattern: str, loc: Locale) -> str:
    """A share (0.857) as the locale writes a percentage, at most one decimal ("85.7%")."""
    if pattern:
        return str(babel_numbers.format_percent(value, format=pattern, locale=loc))  # type: ignore[arg-type]
    number_pattern = copy.copy(loc.percent_formats[None])
    number_pattern.frac_prec = (0, 1)
    return str(number_pattern.apply(Decimal(str(value)), loc))


def _format_when(value: object, kind: str, skeleton: str, loc: Locale) -> str:
    if not isinstance(value, date | time):
        raise TypeError(f"not a date or time: {value!r}")
    if skeleton:
        when = value if not isinstance(value, time) else datetime.combine(date(2000, 1, 1), value)
        return str(babel_dates.format_skeleton(skeleton, when, locale=loc))
    if isinstance(value, time) or (kind == "time" and isinstance(value, datetime)):
        return str(babel_dates.format_time(value, "short", locale=loc))
    if kind == "date" or not isinstance(value, datetime):
        return str(babel_dates.format_date(value, "medium", locale=loc))
    return str(babel_dates.format_datetime(value, "medium", locale=loc))


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
        locales: Iterable[str] | None = None,
        default: str = "zh",
        traditional: str = "s2tw",
    ) -> Texts:
        """Every `root/<locale>/texts/` (or only `locales`): a new locale is a new folder."""
        if locales is None:
            found = root.iterdir() if root.is_dir() else iter(())
            locales = sorted(p.name for p in found if (p / "texts").is_dir())
            locales = sorted(locales, key=lambda loc: loc != default)  # the default first
        by_locale = {loc: load_locale(root / loc) for loc in locales if (root / loc).is_dir()}
        return cls(by_locale, default, traditional)

    @property
    def locales(self) -> list[str]:
        names = list(self._by_locale)
        return [*names, TRADITIONAL] if "zh" in self._by_locale else names

    def keys(self, locale: str) -> set[str]:
        """The keys a locale's own files define (no fallback)."""
        return set(self._by_locale.get(locale, {}))

    def bind(
        self,
        locale: str | None = None,
        section: str = "",
        defaults: Mapping[str, object] | None = None,
    ) -> LocaleTexts:
        """These texts bound to `locale` (the default when None), keys under `section`;
        `defaults`: values every text may use (the emergency numbers ...)."""
        return LocaleTexts(self, locale or self.default, section, defaults)

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

            # s2hk: characters Hong Kong writes as they are (平台, not 平臺) are not Simplified
            self._script_converters = (opencc.OpenCC("t2s"), opencc.OpenCC("s2hk"))
        to_simplified, to_traditional = self._script_converters
        try:
            # Cantonese particles are no Traditional: t2s turns 嗰 into 𠮶
            traditional = _changed(text, to_simplified.convert(text), keep=_CANTONESE)
            simplified = _changed(text, to_traditional.convert(text))
        except Exception:
            return None
        if traditional == simplified and traditional and _CANTONESE.search(text):
            return TRADITIONAL  # "成座停晒電" (電 and 晒 alike): Cantonese is written so
        if traditional == simplified:
            return None
        return TRADITIONAL if traditional > simplified else "zh"

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
        locale = locale or self.default
        template = self.raw(key, locale)
        if isinstance(template, Plural):
            template = template.pick(plural_category(locale, _count(values)))
        if isinstance(template, list):
            template = "\n".join(str(line) for line in template)
        out = _Formatter(locale).format(str(template), **values)
        return self.traditional(out) if locale == TRADITIONAL else out


def _count(values: Mapping[str, object]) -> object:
    for name in PLURAL_COUNT:
        if name in values:
            return values[name]
    numbers = [v for v in values.values() if isinstance(v, int) and not isinstance(v, bool)]
    return numbers[0] if len(numbers) == 1 else 0


class LocaleTexts:
    """Texts bound to one locale and (optionally) a section: `t("welcome", name=...)`.

    The port a service holds to render what a person reads; `bind(locale, section)` on
    `Texts` makes one. Keys are relative to the section; `t.section("tickets")` rebinds.
    """

    __slots__ = ("_texts", "defaults", "locale", "prefix")

    def __init__(
        self,
        texts: Texts,
        locale: str,
        section: str = "",
        defaults: Mapping[str, object] | None = None,
    ) -> None:
        self._texts = texts
        self.locale = locale
        self.prefix = f"{section}." if section else ""
        self.defaults = dict(defaults or {})

    def key(self, key: str) -> str:
        return self.prefix + key

    def __call__(self, key: str, /, **values: object) -> str:
        if self.defaults:
            values = {**self.defaults, **values}
        return self._texts.get(self.prefix + key, self.locale, **values)

    def plain(self, key: str, /, **values: object) -> str:
        """Plain text (a button's label): the HTML entities resolved."""
        return html.unescape(self(key, **values))

    def has(self, key: str) -> bool:
        return self._texts.has(self.prefix + key, self.locale)

    def raw(self, key: str) -> Any:
        return self._texts.raw(self.prefix + key, self.locale)

    def get(self, key: str, default: str | None = None, /, **values: object) -> str | None:
        """The text, or `default` when the key is not in the catalog."""
        return self(key, **values) if self.has(key) else default

    def section(self, section: str) -> LocaleTexts:
        """The same locale, keys under another section (`""`: full keys)."""
        return LocaleTexts(self._texts, self.locale, section, self.defaults)

    # values formatted for this locale outside a text (file names, table cells)
    def number(self, value: object) -> str:
        return format_value(value, "number", self.locale)

    def date(self, value: date, skeleton: str = "yMd") -> str:
        return format_value(value, f"date:{skeleton}", self.locale)


class _Formatter(string.Formatter):
    """Formats values for a locale; `{missing}` stays visible instead of raising: a text
    error must never kill a reply."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, _Missing(key))
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return "{" + value.name + (":" + format_spec if format_spec else "") + "}"
        return format_value(value, format_spec, self.locale)


@dataclass(frozen=True, slots=True)
class _Missing:
    name: str


_CANTONESE = re.compile("[唔咗喺嘅冇嚟啲哋嗰㗎嘢佢睇搵]")


def _changed(text: str, converted: str, keep: re.Pattern[str] | None = None) -> int:
    """How many characters a script conversion changed (not counting those `keep` matches)."""
    if len(converted) != len(text):
        return abs(len(converted) - len(text)) + 1
    return sum(
        a != b and not (keep is not None and keep.match(a))
        for a, b in zip(text, converted, strict=True)
    )
