"""From a conversation's slots to a ticket, and the offer to remember the answers."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.core.actions import keyboard
from bot.flows.registration import profile_text
from bot.flows.steps import needs_room
from bot.flows.validators import PHONE_PART
from bot.intents import taxonomy as tx
from bot.intents.taxonomy import severity_of
from bot.tickets.draft import TicketDraft
from bot.tickets.states import SYSTEM

if TYPE_CHECKING:
    from bot.flows.turn import Turn
    from bot.storage.models import Ticket

DETAILS = ("building", "room", "phone")
TAKEN_OVER = frozenset({tx.INQUIRY, tx.COMPLAINT, tx.HUMAN_AGENT})
"""Tickets for the desk that an emergency of the same resident, soon after, takes over."""
TAKE_OVER_WINDOW = timedelta(minutes=30)
# what a resident may send before saying what happened; the next flow takes it along
PENDING = ("photos", "documents", "location", "phone")


def missing_details(slots: dict[str, Any]) -> list[str]:
    wanted = ([] if slots.get("no_calls") else ["phone"]) + (
        ["place"] if slots.get("area") else ["building"]
    )
    if not slots.get("area") and needs_room(slots):
        wanted.append("room")
    return [name for name in wanted if not slots.get(name)]


def description_of(slots: dict[str, Any]) -> str:
    """The resident's own words: the first message, the description, then any notes."""
    parts: list[str] = []
    for part in (slots.get("text"), slots.get("description"), *slots.get("notes", ())):
        if part and part not in parts:
            parts.append(str(part))
    return "\n".join(parts)


def _estate(turn: Turn, profiles_estate: int | None) -> int | None:
    """The ticket's estate: the conversation's, else the resident's (None: not known yet)."""
    said = turn.slots.get("estate")
    estates = turn.ctx.estates
    if estates is None:
        return said if isinstance(said, int) else None
    if isinstance(said, int) and estates.known(said):
        return said
    return estates.resolved(profiles_estate)


async def open_ticket(turn: Turn, **extra: Any) -> Ticket:
    """Open the ticket for this conversation (the ticket service alerts the staff group)."""
    slots = turn.slots
    intent = str(slots["intent"])
    profile = await turn.ctx.profiles.ensure(
        turn.user_id, turn.chat_id, turn.user_name, turn.locale
    )
    keys = (
        "place", "location", "also", "documents", "situation", "floor", "no_calls", "place_offered",
        "called", "call_for_me",
    )
    info = {k: slots[k] for k in keys if slots.get(k)}
    if slots.get(PHONE_PART) and not slots.get("phone"):  # "139 0571": the rest may follow
        info[PHONE_PART] = slots[PHONE_PART]
    if slots.get("source"):
        info["source"] = slots["source"]
    if slots.get("cut_short"):  # opened before every detail was answered (engine.cut_short)
        info.update(incomplete=True, reason="unanswered", missing=missing_details(slots))
    description = description_of(slots)
    earlier = await _desk_tickets(turn) if tx.is_emergency(intent) else []
    told = [t.description for t in earlier if t.description and t.description not in description]
    draft = TicketDraft(
        chat_id=turn.chat_id,
        user_id=turn.user_id,
        user_name=turn.user_name or str(slots.get("name") or ""),
        intent=intent,
        severity=severity_of(intent).value,
        description="\n".join([*told, description])[:4000],
        building=slots.get("building"),
        room=slots.get("room"),
        phone=slots.get("phone"),
        resident_id=profile.id,
        estate_id=_estate(turn, profile.estate_id),
        locale=turn.locale,
        photos=list(slots.get("photos", ())),
        extra={**info, **extra},
    )
    ticket = await turn.ctx.tickets.open_ticket(draft)
    turn.state.ticket_id = ticket.id
    for other in earlier:  # staff handle one ticket, with every word on it
        await turn.ctx.tickets.closing.duplicate(other, ticket.id, SYSTEM, taken_over=True)
    return ticket


async def _desk_tickets(turn: Turn) -> list[Ticket]:
    """A question for staff (or a complaint, a request for a person) that the same resident
    opened in the last half hour and nobody has taken yet, when an emergency follows: the
    first words were the emergency told small ("楼道有点烟 应该没事吧" went to the desk, "烟好像
    是从下面飘上来的" became a fire). The emergency's ticket takes their words and they are
    closed as its duplicates, so staff do not work two tickets, one of them without its
    danger."""
    since = turn.ctx.clock.now() - TAKE_OVER_WINDOW
    return list(await turn.ctx.tickets.untaken(turn.chat_id, TAKEN_OVER, since))


async def offer_to_remember(turn: Turn) -> dict[str, Any]:
    """After a report: keep the answers for next time, if the resident agrees.

    A resident who already agreed gets the missing details filled in silently; anyone else
    is asked once, with two buttons. Returns what the conversation keeps until they answer.
    """
    details = {k: turn.slots[k] for k in DETAILS if turn.slots.get(k)}
    if turn.slots.get("place") and not turn.slots.get("room"):
        details.pop("building", None)  # "7栋2单元楼道", "4号楼的电梯": where it was, not home
    if not details:
        return {}
    profile = await turn.profile()
    if profile is not None and profile.consent:
        await turn.ctx.profiles.remember(
            turn.user_id,
            turn.chat_id,
            name=turn.user_name,
            locale=turn.locale,
            replace=False,
            **details,
        )
        return {}
    await turn.send(
        "resident.remember.ask",
        keyboard(
            [
                (turn.text.plain("resident.button.remember_yes"), "menu:remember:yes"),
                (turn.text.plain("resident.button.remember_no"), "menu:remember:no"),
            ]
        ),
        details=profile_text(
            turn,
            details.get("building"),
            details.get("room"),
            details.get("phone"),
            known_only=True,
        ),
    )
    return {"remember": details, "remember_at": turn.ctx.clock.now().isoformat()}
