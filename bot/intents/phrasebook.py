"""Phrase data of the classifier, read from `locales/<locale>/intents.yaml`.

File layout (every section optional):

    settings: {threshold: 0.4, margin: 0.1, ...}      # global knobs, see Settings
    aliases: {电悌: 电梯, 煤汽: 煤气}                  # typo / homophone -> canonical
    markers:                                          # situation words, see situation.py
      negators: [...]; bridges: [...]; uncertain: [...]
      resolved: [...]; past: [...]; past_after: [...]; present: [...]
      hypothetical: [...]; conditional: [...]; habitual: [...]
      distress: [...]                                 # 救命, 快来人: weak emergency evidence grows
    intents:
      gas_leak:
        examples: [...]                               # whole messages, fuzzy-matched
        keywords: {0.95: [...], 0.5: [...]}           # weight -> words
        combos:                                       # one word of each group, anywhere
          - {weight: 0.9, all: [[孩子, 儿子], [不见了, 找不到]]}
        exclude: [...]                                # phrases meaning "not this intent"
        veto: [...]                                   # like exclude, even for decisive words
        hazards: [...]                                # danger words (emergency intents only)
        resolved: [...]                               # after the words: over (煤气味散了)

Every word is normalised like a message, so data may be written in Traditional, full width
or mixed case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bot.intents.taxonomy import INTENTS

MARKER_KINDS = (
    "negators",
    "bridges",
    "uncertain",
    "resolved",
    "past",
    "past_after",
    "present",
    "hypothetical",
    "conditional",
    "habitual",
    "distress",
)


@dataclass(frozen=True)
class Settings:
    threshold: float = 0.40
    """Below this best score the message is `unknown` (or a hazard needing confirmation)."""
    margin: float = 0.12
    """An urgent intent beats a normal one scoring up to this much more."""
    emergency_margin: float = 0.35
    """An emergency intent beats a non-emergency one scoring up to this much more."""
    severity_floor: float = 0.5
    """The margins only help intents scoring at least this."""
    confirm_below: float = 0.60
    """An emergency chosen with a score below this needs the resident's confirmation."""
    hazard_override_below: float = 0.55
    """A non-emergency result scoring below this yields to a (non-negated) hazard word."""
    fuzzy_floor: float = 0.50
    """Fuzzy similarity below this counts as nothing; 1.0 counts fully."""
    fuzzy_weight: float = 0.85
    fuzzy_skip_above: float = 0.95
    """Fuzzy matching is skipped when a keyword score already reaches this."""
    resolved_factor: float = 0.15
    past_factor: float = 0.25
    exclusion_factor: float = 0.2
    decisive_weight: float = 0.9
    """Keyword hits at least this strong survive an exclusion phrase elsewhere."""
    distress_boost: float = 0.35
    """With a distress word (救命, 快来人), an emergency intent with some evidence (at least
    `distress_min`) gets this added by noisy-OR."""
    distress_min: float = 0.15
    pinyin_factor: float = 0.85
    """A same-sounding typo of a keyword (燃器味 for 燃气味) counts this much of its weight."""
    filler_factor: float = 0.5
    """Smalltalk words next to another intent's evidence ("你好, 停水了") count this much."""
    # Example messages (neighbours.py; chosen on the validation part of the examples)
    examples_consult_below: float = 0.85
    """A non-emergency answer scoring below this (and without a decisive word of its intent),
    or `unknown`, is checked against the example messages..."""
    examples_min_content: float = 4
    """...when the message has at least this many Chinese characters and English words."""
    examples_emergency: float = 0.75
    """Emergency mass of the examples' vote at which a checked answer becomes the emergency
    they point to (with `needs_confirmation`)..."""
    examples_sure: float = 0.9
    """...and from which on without confirmation."""
    examples_quiet_share: float = 0.5
    """The examples' emergency is dropped when at least this share (by idf²) of the words it
    rests on is negated, or over, past or hypothetical (situation.py)..."""
    examples_denied_share: float = 0.3
    """...or when the message denies what emergency examples say ("没人在里面", "no one is
    hurt"; neighbours.py) with at least this share (by idf²) of the words it rests on."""
    examples_weight: float = 0.3
    """A weak repair/complaint/inquiry answer: each of those intents gets this times its
    centroid probability (neighbours.py) added by noisy-OR."""
    examples_k: float = 20
    """Nearest examples taken into the vote."""
    examples_max_df: float = 0.08
    """n-grams in more than this share of the examples are ignored by the nearest-example
    search."""
    examples_temperature: float = 0.03
    """Softmax temperature of the centroid cosines."""


@dataclass
class IntentPhrases:
    examples: list[str] = field(default_factory=list)
    keywords: dict[str, float] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    veto: list[str] = field(default_factory=list)
    hazards: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    combos: list[Combo] = field(default_factory=list)


@dataclass
class Combo:
    """Counts as a keyword of `weight` when a word of every group occurs in the message."""

    weight: float
    groups: list[list[str]]


@dataclass
class PhraseBook:
    """Phrase data of several locales merged; built by `load_phrasebook`."""

    settings: Settings = field(default_factory=Settings)
    aliases: dict[str, str] = field(default_factory=dict)
    markers: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in MARKER_KINDS})
    intents: dict[str, IntentPhrases] = field(default_factory=dict)
    examples_by_locale: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def words(self) -> list[str]:
        """Every keyword, hazard and exclusion word (for the tokenizer's dictionary)."""
        out: list[str] = []
        for phrases in self.intents.values():
            out.extend(phrases.keywords)
            out.extend(phrases.hazards)
            out.extend(phrases.exclude)
            out.extend(phrases.veto)
            for combo in phrases.combos:
                for group in combo.groups:
                    out.extend(group)
        return dedupe(out)


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [str(value)]
    return [str(v) for v in value if v is not None and str(v).strip()]


def _read_yaml(path: Path) -> Mapping[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def _settings(raw: Mapping[str, Any], base: Settings) -> Settings:
    known = {f.name for f in fields(Settings)}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    values = {f.name: getattr(base, f.name) for f in fields(Settings)}
    values.update({k: float(v) for k, v in raw.items()})
    return Settings(**values)


def _keywords(raw: Any, where: str) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: keywords must map weight -> words")
    out: dict[str, float] = {}
    for weight, words in raw.items():
        w = float(weight)
        if not 0.0 < w <= 1.0:
            raise ValueError(f"{where}: keyword weight {weight} outside (0, 1]")
        for word in _words(words):
            out[word] = max(w, out.get(word, 0.0))
    return out


def load_phrasebook(
    paths: Iterable[tuple[str, Path]], normalize: Callable[[str], str]
) -> PhraseBook:
    """Merge the `intents.yaml` of each (locale, path); words are normalised with `normalize`."""
    book = PhraseBook()
    for locale, path in paths:
        data = _read_yaml(path)
        book.settings = _settings(data.get("settings") or {}, book.settings)
        for typo, canonical in (data.get("aliases") or {}).items():
            key = normalize(str(typo))
            if key:
                book.aliases[key] = normalize(str(canonical))
        for kind, words in (data.get("markers") or {}).items():
            if kind not in MARKER_KINDS:
                raise ValueError(f"{path}: unknown marker kind {kind!r}")
            book.markers[kind].extend(w for w in map(normalize, _words(words)) if w)
        by_locale = book.examples_by_locale.setdefault(locale, {})
        for intent, spec in (data.get("intents") or {}).items():
            if intent not in INTENTS:
                raise ValueError(f"{path}: {intent!r} is not an intent id of intents.md")
            spec = spec or {}
            phrases = book.intents.setdefault(intent, IntentPhrases())
            examples = [e for e in map(normalize, _words(spec.get("examples"))) if e]
            phrases.examples.extend(examples)
            by_locale.setdefault(intent, []).extend(examples)
            for word, weight in _keywords(spec.get("keywords"), f"{path}:{intent}").items():
                key = normalize(word)
                if key:
                    phrases.keywords[key] = max(weight, phrases.keywords.get(key, 0.0))
            phrases.exclude.extend(e for e in map(normalize, _words(spec.get("exclude"))) if e)
            phrases.veto.extend(v for v in map(normalize, _words(spec.get("veto"))) if v)
            phrases.hazards.extend(h for h in map(normalize, _words(spec.get("hazards"))) if h)
            phrases.resolved.extend(r for r in map(normalize, _words(spec.get("resolved"))) if r)
            for raw in spec.get("combos") or []:
                phrases.combos.append(_combo(raw, normalize, f"{path}:{intent}"))
    _apply_aliases(book)
    return book


def _combo(raw: Any, normalize: Callable[[str], str], where: str) -> Combo:
    if not isinstance(raw, Mapping) or "all" not in raw:
        raise ValueError(f"{where}: a combo is {{weight: w, all: [[words], [words]]}}")
    weight = float(raw.get("weight", 0.9))
    groups = [[w for w in map(normalize, _words(g)) if w] for g in raw["all"]]
    if len(groups) < 2 or not all(groups) or not 0.0 < weight <= 1.0:
        raise ValueError(f"{where}: a combo needs two or more non-empty groups, weight in (0, 1]")
    return Combo(weight, groups)


def _apply_aliases(book: PhraseBook) -> None:
    """Rewrite typos in the data itself, since messages get the same rewriting."""
    if not book.aliases:
        return
    fix = make_alias_fixer(book.aliases)
    for phrases in book.intents.values():
        phrases.examples = dedupe([fix(e) for e in phrases.examples])
        keywords: dict[str, float] = {}
        for word, weight in phrases.keywords.items():
            keywords[fix(word)] = max(weight, keywords.get(fix(word), 0.0))
        phrases.keywords = keywords
        phrases.exclude = dedupe([fix(e) for e in phrases.exclude])
        phrases.veto = dedupe([fix(v) for v in phrases.veto])
        phrases.hazards = dedupe([fix(h) for h in phrases.hazards])
        phrases.resolved = dedupe([fix(r) for r in phrases.resolved])
        for combo in phrases.combos:
            combo.groups = [dedupe([fix(w) for w in g]) for g in combo.groups]
    for kind, words in book.markers.items():
        book.markers[kind] = dedupe([fix(w) for w in words])
    for by_intent in book.examples_by_locale.values():
        for intent, examples in by_intent.items():
            by_intent[intent] = dedupe([fix(e) for e in examples])


def make_alias_fixer(aliases: Mapping[str, str]) -> Callable[[str], str]:
    """A function replacing every alias (longest first) in one regex pass."""
    import re

    if not aliases:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True)))

    def fix(text: str) -> str:
        return pattern.sub(lambda m: aliases[m.group()], text)

    return fix


def dedupe(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))
