"""From probabilities to one intent: the most severe intent that passes its threshold wins.

1. The emergency intents' probabilities are added up. When that mass reaches
   `emergency_sure`, the most probable emergency is the answer; when it reaches only
   `emergency_confirm`, the answer is that emergency with `needs_confirmation` (the bot asks,
   with the life-saving line, and silence counts as yes).
2. Otherwise an outage whose probability (with the other outage's) reaches `urgent` wins.
3. Otherwise the most probable of the rest; below `unknown_below` that is `unknown`.

The thresholds are chosen on grouped cross-validation (`python -m bot intents tune`) and
written to `locales/<locale>/classifier.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from bot.intents.taxonomy import EMERGENCY_INTENTS, UNKNOWN, URGENT_INTENTS


@dataclass(frozen=True, slots=True)
class Thresholds:
    emergency_sure: float = 0.5
    emergency_confirm: float = 0.25
    urgent: float = 0.4
    unknown_below: float = 0.2


@dataclass(frozen=True, slots=True)
class Decision:
    intent: str
    score: float
    needs_confirmation: bool
    alternatives: list[tuple[str, float]]


_EMERGENCY = tuple(sorted(EMERGENCY_INTENTS))
_URGENT = tuple(sorted(URGENT_INTENTS))


def _top(probs: Mapping[str, float], intents: Sequence[str]) -> tuple[str, float, float]:
    """(the most probable of `intents`, its probability, their total); ties: the later id."""
    best, top, total = intents[0], -1.0, 0.0
    for intent in intents:
        p = probs.get(intent, 0.0)
        total += p
        if p >= top:
            best, top = intent, p
    return best, top, total


def decide(probs: Mapping[str, float], t: Thresholds, limit: int = 3) -> Decision:
    ranked = sorted(probs.items(), key=_PROBABILITY, reverse=True)  # stable: ties keep id order
    intent, _, mass = _top(probs, _EMERGENCY)
    if mass >= t.emergency_confirm:
        return _decision(intent, round(mass, 4), mass < t.emergency_sure, ranked, limit)
    intent, _, urgent = _top(probs, _URGENT)
    if urgent >= t.urgent:
        return _decision(intent, round(urgent, 4), False, ranked, limit)
    intent, score = next(
        (i, p) for i, p in ranked if i not in EMERGENCY_INTENTS and i not in URGENT_INTENTS
    )
    if score < t.unknown_below:
        intent, score = UNKNOWN, 1.0 - score
    return _decision(intent, round(score, 4), False, ranked, limit)


_PROBABILITY = itemgetter(1)


def _decision(
    intent: str, score: float, confirm: bool, ranked: Sequence[tuple[str, float]], limit: int
) -> Decision:
    alternatives: list[tuple[str, float]] = []
    for i, p in ranked:
        if i != intent:
            alternatives.append((i, round(p, 4)))
            if len(alternatives) == limit:
                break
    return Decision(intent, score, confirm, alternatives)


def combine(whole: Decision, parts: Sequence[Decision]) -> Decision:
    """A long message's decision: a sure emergency found in any clause wins over the whole
    message's answer, then an outage (a clause alone is weaker evidence than the message:
    its guesses to confirm are left out)."""
    best = whole
    for part in parts:
        if part.needs_confirmation:
            continue
        if _rank(part) > _rank(best):
            best = part
    if best is whole:
        return whole
    alternatives = [(whole.intent, whole.score), *best.alternatives]
    seen: set[str] = {best.intent}
    unique = [a for a in alternatives if not (a[0] in seen or seen.add(a[0]))]  # type: ignore[func-returns-value]
    return Decision(best.intent, best.score, best.needs_confirmation, unique[:3])


def _rank(d: Decision) -> tuple[int, float]:
    if d.intent in EMERGENCY_INTENTS:
        return (3 if not d.needs_confirmation else 2, d.score)
    if d.intent in URGENT_INTENTS:
        return (1, d.score)
    return (0, 0.0)
