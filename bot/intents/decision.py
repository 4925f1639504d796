"""Choosing the intent from the scores (see Settings for the knobs).

1. Among intents scoring at least `threshold`, the more severe wins when its score is within
   its severity's margin of the other's (`emergency_margin`, `margin` for urgent): the
   intent with the highest score + margin wins.
2. Best score below `threshold`: a live hazard word gives its emergency intent with
   `needs_confirmation`; otherwise `unknown`.
3. A non-emergency result below `hazard_override_below` yields to a live hazard word
   (again with `needs_confirmation`).
4. An emergency chosen below `confirm_below` needs confirmation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.intents.phrasebook import Settings
from bot.intents.taxonomy import UNKNOWN, is_emergency, severity_rank


@dataclass(frozen=True, slots=True)
class Decision:
    intent: str
    score: float
    needs_confirmation: bool
    alternatives: list[tuple[str, float]]


def decide(
    scores: Mapping[str, float], hazards: frozenset[str], settings: Settings, limit: int = 3
) -> Decision:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best = ranked[0][1] if ranked else 0.0
    hazard = max(hazards, key=lambda i: (scores.get(i, 0.0), i)) if hazards else None

    if best < settings.threshold:
        if hazard is not None:
            intent, needs_confirmation = hazard, True
        else:
            intent, needs_confirmation = UNKNOWN, False
    else:
        bonus = {2: settings.emergency_margin, 1: settings.margin, 0: 0.0}
        floor = settings.severity_floor
        contenders = [
            (i, s + (bonus[severity_rank(i)] if s >= floor else 0.0))
            for i, s in ranked
            if s >= settings.threshold
        ]
        intent = max(contenders, key=lambda kv: (kv[1], severity_rank(kv[0])))[0]
        needs_confirmation = False
        if (
            not is_emergency(intent)
            and hazard is not None
            and scores[intent] < settings.hazard_override_below
        ):
            intent, needs_confirmation = hazard, True
        elif is_emergency(intent) and scores[intent] < settings.confirm_below:
            needs_confirmation = True

    score = 1.0 - best if intent == UNKNOWN else scores.get(intent, 0.0)
    alternatives = [(i, round(s, 4)) for i, s in ranked if i != intent and s > 0.0][:limit]
    return Decision(intent, round(score, 4), needs_confirmation, alternatives)
