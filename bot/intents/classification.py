"""`Classification`: the classifier's answer for one message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.intents.entities import Entities
from bot.intents.taxonomy import Severity, is_emergency


@dataclass(frozen=True)
class Classification:
    text: str
    """The message as received."""
    normalized: str
    """What was matched: the normalised message with building, room and phone cut out."""
    intent: str
    severity: Severity
    score: float
    """Confidence in `intent`, 0..1 (for `unknown`: 1 - the best intent's score)."""
    needs_confirmation: bool
    """An emergency guessed on weak evidence: ask the resident before raising the alarm."""
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    """The next best intents, best first, as (intent, score)."""
    entities: Entities = field(default_factory=Entities)

    @property
    def is_emergency(self) -> bool:
        return is_emergency(self.intent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "severity": self.severity.value,
            "score": self.score,
            "needs_confirmation": self.needs_confirmation,
            "alternatives": [{"intent": i, "score": s} for i, s in self.alternatives],
            "entities": self.entities.as_dict(),
        }
