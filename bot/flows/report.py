"""Repairs and complaints: where, what (a photo may come along), a phone; then a ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.flows import steps
from bot.flows.places import place_text
from bot.flows.spec import Flow
from bot.flows.ticketing import missing_details, offer_to_remember, open_ticket

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.flows.turn import Turn
    from bot.storage.models import Ticket


def _idle_after(settings: Settings) -> float:
    return settings.flow_idle_timeout_seconds


def done_text(turn: Turn, ticket: Ticket, *, incomplete: bool = False) -> str:
    slots = turn.slots
    kind = str(slots["intent"])
    head = "resident.report.idle_ticket" if incomplete else f"resident.{kind}.done"
    parts = [turn.text(head, ticket=ticket.id)]
    place = place_text(turn, slots.get("building"), slots.get("room"), slots.get("place"))
    if place.html:
        parts.append(turn.text("resident.where", place=place))
    if slots.get("photos"):
        parts.append(turn.text("resident.report.photos", count=len(slots["photos"])))
    parts.append(turn.text(f"resident.{kind}.next"))
    return "\n".join(parts)


async def _finish(turn: Turn) -> None:
    ticket = await open_ticket(turn)
    await turn.send_html(done_text(turn, ticket))
    await turn.end(await offer_to_remember(turn))


async def _idle(turn: Turn) -> None:
    """Gone quiet: a report with its description becomes a ticket anyway; else it lapses."""
    if turn.slots.get("description") or turn.slots.get("text"):
        ticket = await open_ticket(
            turn, incomplete=True, reason="idle", missing=missing_details(turn.slots)
        )
        await turn.send_html(done_text(turn, ticket, incomplete=True))
    else:
        await turn.send("resident.report.expired")
    await turn.end()


REPAIR = Flow(
    name="repair",
    steps=(
        steps.ESTATE,
        steps.building_step(),
        steps.PLACE_BUILDING,
        steps.PLACE,
        steps.ROOM,
        steps.DESCRIPTION,
        steps.PHONE,
    ),
    finish=_finish,
    on_idle=_idle,
    idle_seconds=_idle_after,
)

COMPLAINT = Flow(
    name="complaint",
    steps=(
        steps.DESCRIPTION,
        steps.ESTATE,
        steps.building_step(skippable=True),
        steps.PLACE_BUILDING,
        steps.PLACE,
        steps.ROOM,
        steps.PHONE,
    ),
    finish=_finish,
    on_idle=_idle,
    idle_seconds=_idle_after,
    opening=lambda slots: "resident.complaint.sorry",
)
