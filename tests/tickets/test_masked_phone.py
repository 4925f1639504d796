"""The staff group sees a resident's phone only as much as needed: in full for an emergency
and once claimed (the claimer calls), masked (138****5678) before that."""

from __future__ import annotations

from bot.core.privacy import mask_phone
from tests.tickets.conftest import Desk


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("020-12345678") == "020-****5678"
    assert mask_phone("91234567") == "****4567"


async def test_a_repair_alert_masks_the_phone_until_claimed(desk: Desk) -> None:
    ticket = await desk.open("repair", "normal", description="水龙头坏了")
    alert = desk.alert(ticket.id)
    assert "138****5678" in alert.plain and "13812345678" not in alert.plain
    await desk.staff(f"tk:claim:{ticket.id}")
    alert = desk.alert(ticket.id)
    assert "13812345678" in alert.plain  # the claimer can call


async def test_an_emergency_alert_shows_the_phone_in_full(desk: Desk) -> None:
    ticket = await desk.open(description="厨房有煤气味")
    assert "13812345678" in desk.alert(ticket.id).plain


async def test_an_outage_alert_is_masked_too(desk: Desk) -> None:
    ticket = await desk.open("power_outage", "urgent", description="停电了")
    assert "138****5678" in desk.alert(ticket.id).plain
