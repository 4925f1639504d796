"""The 16 intent ids of /work/shared/intents.md and their severities (the contract)."""

from __future__ import annotations

from enum import Enum


class Severity(Enum):
    """How the bot behaves for an intent; `rank` orders them (emergency is highest)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.EMERGENCY: 2, Severity.URGENT: 1, Severity.NORMAL: 0}

GAS_LEAK = "gas_leak"
FIRE = "fire"
ELEVATOR_TRAPPED = "elevator_trapped"
FLOODING = "flooding"
MEDICAL = "medical"
SECURITY = "security"
LOST_CHILD = "lost_child"
NATURAL_DISASTER = "natural_disaster"
POWER_OUTAGE = "power_outage"
WATER_OUTAGE = "water_outage"
REPAIR = "repair"
COMPLAINT = "complaint"
INQUIRY = "inquiry"
HUMAN_AGENT = "human_agent"
SMALLTALK = "smalltalk"
UNKNOWN = "unknown"

SEVERITIES: dict[str, Severity] = {
    GAS_LEAK: Severity.EMERGENCY,
    FIRE: Severity.EMERGENCY,
    ELEVATOR_TRAPPED: Severity.EMERGENCY,
    FLOODING: Severity.EMERGENCY,
    MEDICAL: Severity.EMERGENCY,
    SECURITY: Severity.EMERGENCY,
    LOST_CHILD: Severity.EMERGENCY,
    NATURAL_DISASTER: Severity.EMERGENCY,
    POWER_OUTAGE: Severity.URGENT,
    WATER_OUTAGE: Severity.URGENT,
    REPAIR: Severity.NORMAL,
    COMPLAINT: Severity.NORMAL,
    INQUIRY: Severity.NORMAL,
    HUMAN_AGENT: Severity.NORMAL,
    SMALLTALK: Severity.NORMAL,
    UNKNOWN: Severity.NORMAL,
}

INTENTS: tuple[str, ...] = tuple(SEVERITIES)
EMERGENCY_INTENTS: frozenset[str] = frozenset(
    i for i, s in SEVERITIES.items() if s is Severity.EMERGENCY
)
URGENT_INTENTS: frozenset[str] = frozenset(i for i, s in SEVERITIES.items() if s is Severity.URGENT)


def severity_of(intent: str) -> Severity:
    """Severity of an intent id; raises KeyError for an id outside the contract."""
    return SEVERITIES[intent]


def is_emergency(intent: str) -> bool:
    return intent in EMERGENCY_INTENTS


def is_urgent(intent: str) -> bool:
    return intent in URGENT_INTENTS


def severity_rank(intent: str) -> int:
    """2 for emergency, 1 for urgent, 0 for normal (and for unknown ids)."""
    severity = SEVERITIES.get(intent)
    return severity.rank if severity else 0
