"""From keyword hits and fuzzy similarities to one score per intent (0..1).

- keyword score: noisy-OR of the hit weights, 1 - prod(1 - w * factor), where the factor
  comes from situation.py (0 negated, small when resolved or past, 1 otherwise); a word
  repeated in a message counts once;
- exclusion phrases ("燃气费" for gas_leak): hits overlapping them are dropped, other hits
  of that intent are scaled by `exclusion_factor` unless decisive (weight >= decisive_weight);
  a veto phrase (rain for flooding) scales even decisive ones;
- fuzzy similarity s is rescaled to max(0, (s - floor) / (1 - floor)) * fuzzy_weight and
  combined by noisy-OR with the keyword score (skipped when the keywords already decide);
- hazards: emergency intents with a live (not negated, resolved, past or excluded) hazard word;
- filler: smalltalk words next to another intent's evidence count `filler_factor` as much.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.intents.keywords import Hit
from bot.intents.phrasebook import Settings
from bot.intents.situation import Situation

FILLER_INTENTS = frozenset({"smalltalk"})


@dataclass(slots=True)
class Scores:
    scores: dict[str, float]
    hazards: frozenset[str]
    excluded: frozenset[str] = frozenset()
    vetoed: frozenset[str] = frozenset()
    decisive: frozenset[str] = frozenset()
    live: frozenset[str] = field(default_factory=frozenset)
    """Intents with a keyword hit at full strength (not negated, resolved, past, excluded)."""

    @property
    def best(self) -> float:
        return max(self.scores.values(), default=0.0)


def _overlaps(hit: Hit, spans: Sequence[Hit]) -> bool:
    return any(start < s.end and s.start < end for start, end in hit.spans for s in spans)


def keyword_scores(hits: Sequence[Hit], situation: Situation, settings: Settings) -> Scores:
    exclusions: dict[str, list[Hit]] = {}
    vetoed: set[str] = set()
    for hit, factor in zip(hits, situation.factors, strict=True):
        if factor <= 0.0:  # a negated exclusion or veto
            continue
        if hit.kind == "exclude":
            exclusions.setdefault(hit.intent, []).append(hit)
        elif hit.kind == "veto":
            vetoed.add(hit.intent)

    miss: dict[str, float] = {}
    live: set[str] = set()
    decisive: set[str] = set()
    pending_hazards: list[Hit] = []
    counted: set[tuple[str, str]] = set()
    decisive_weight = settings.decisive_weight
    for hit, factor in zip(hits, situation.factors, strict=True):
        kind = hit.kind
        if kind == "exclude" or kind == "veto":
            continue
        excluded = exclusions.get(hit.intent)
        if excluded and _overlaps(hit, excluded):
            continue
        if kind == "hazard":
            if factor >= 1.0:
                pending_hazards.append(hit)
            continue
        key = (hit.intent, hit.word)
        if key in counted:
            continue
        counted.add(key)
        weight = hit.weight * factor
        # A combo (words found apart) is never decisive: exclusions always scale it.
        strong = hit.weight >= decisive_weight and not hit.parts
        if hit.intent in vetoed or (excluded and not strong):
            weight *= settings.exclusion_factor
        elif factor >= 1.0:
            live.add(hit.intent)
            if strong:
                decisive.add(hit.intent)
        if weight > 0.0:
            miss[hit.intent] = miss.get(hit.intent, 1.0) * (1.0 - weight)
    hazards = {
        h.intent
        for h in pending_hazards
        if h.intent not in vetoed and (h.intent not in exclusions or h.intent in decisive)
    }
    return Scores(
        {intent: 1.0 - m for intent, m in miss.items()},
        frozenset(hazards),
        frozenset(exclusions),
        frozenset(vetoed),
        frozenset(decisive),
        frozenset(live),
    )


def add_fuzzy(
    scored: Scores,
    fuzzy: Mapping[str, float],
    situation: Situation,
    settings: Settings,
    guarded: frozenset[str],
) -> None:
    """Combine fuzzy similarities into `scored.scores` (in place)."""
    damped = situation.resolved or situation.past
    floor = settings.fuzzy_floor
    scores = scored.scores
    for intent, similarity in fuzzy.items():
        boost = max(0.0, (similarity - floor) / (1.0 - floor)) * settings.fuzzy_weight
        if boost <= 0.0:
            continue
        live = intent in scored.live
        if intent in situation.negated and not live:
            continue
        if intent in scored.vetoed or (intent in scored.excluded and intent not in scored.decisive):
            boost *= settings.exclusion_factor
        elif damped and intent in guarded and not live:
            boost *= settings.resolved_factor if situation.resolved else settings.past_factor
        scores[intent] = 1.0 - (1.0 - scores.get(intent, 0.0)) * (1.0 - boost)


def add_distress(
    scored: Scores, situation: Situation, emergencies: frozenset[str], settings: Settings
) -> None:
    """救命/快来人 next to some emergency evidence: that emergency grows (in place)."""
    if not situation.distress or situation.resolved or situation.past:
        return
    boost = settings.distress_boost
    for intent, score in scored.scores.items():
        if intent in emergencies and score >= settings.distress_min:
            scored.scores[intent] = 1.0 - (1.0 - score) * (1.0 - boost)


def damp_filler(scored: Scores, settings: Settings) -> None:
    scores = scored.scores
    if not FILLER_INTENTS & scores.keys():
        return
    if any(s >= settings.threshold for i, s in scores.items() if i not in FILLER_INTENTS):
        for intent in FILLER_INTENTS & scores.keys():
            scores[intent] *= settings.filler_factor


def score_intents(
    hits: Sequence[Hit],
    situation: Situation,
    fuzzy: Mapping[str, float],
    settings: Settings,
    guarded: frozenset[str],
) -> Scores:
    """Keyword scores, fuzzy added, filler damped: the whole computation in one call."""
    scored = keyword_scores(hits, situation, settings)
    add_fuzzy(scored, fuzzy, situation, settings, guarded)
    damp_filler(scored, settings)
    return scored
