"""The 16 intent ids and their severities (the contract of intents.md)."""

from __future__ import annotations

from bot.intents import taxonomy as tx


def test_ids_and_severities() -> None:
    assert len(tx.INTENTS) == 16
    assert tx.EMERGENCY_INTENTS == {
        "gas_leak", "fire", "elevator_trapped", "flooding", "medical", "security",
        "lost_child", "natural_disaster",
    }  # fmt: skip
    assert tx.URGENT_INTENTS == {"power_outage", "water_outage"}
    normal = set(tx.INTENTS) - tx.EMERGENCY_INTENTS - tx.URGENT_INTENTS
    assert normal == {"repair", "complaint", "inquiry", "human_agent", "smalltalk", "unknown"}


def test_helpers() -> None:
    assert tx.is_emergency("fire") and not tx.is_emergency("power_outage")
    assert tx.is_urgent("water_outage") and not tx.is_urgent("repair")
    assert tx.severity_of("gas_leak") is tx.Severity.EMERGENCY
    assert tx.Severity.EMERGENCY.rank > tx.Severity.URGENT.rank > tx.Severity.NORMAL.rank
    assert tx.severity_rank("no_such_intent") == 0
    assert tx.severity_of("unknown").value == "normal"
