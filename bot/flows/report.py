"""Repairs and complaints: where, what (a photo may come along), a phone; then a ticket."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.flows import steps
from bot.flows import validators as v
from bot.flows.places import place_text
from bot.flows.spec import Choice, Flow, Step
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


FIXED_ITSELF = "maybe_fixed"
"""Slot: the trouble seemed to go away while it was being reported (answers.fixed_itself)."""


async def _after_still_needed(turn: Turn) -> bool:
    """Solved while it was being reported: no ticket ("好了 … 通了", then "不用了")."""
    if turn.slots.get(STILL_NEEDED) != "no":
        return False
    await turn.end()
    await turn.send("resident.cancel.fixed")
    return True


STILL_NEEDED = "still_needed"
"""The step (and its slot) asking whether a report that seemed to solve itself is wanted."""

STILL_NEEDED_STEP = Step(
    name=STILL_NEEDED,
    fills=(STILL_NEEDED,),
    prompt="resident.ask.still_needed",
    validate=v.still_needed_answer(STILL_NEEDED),
    choices=(
        Choice("no", "resident.button.fixed_now", {STILL_NEEDED: "no"}),
        Choice("yes", "resident.button.still_broken", {STILL_NEEDED: "yes"}),
    ),
    when=lambda s: bool(s.get(FIXED_ITSELF)),
    after=_after_still_needed,
)
"""Asked at once when the trouble seemed to go away; silence files the report (nothing lost)."""

REPAIR = Flow(
    name="repair",
    steps=(
        STILL_NEEDED_STEP,
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
        STILL_NEEDED_STEP,
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
