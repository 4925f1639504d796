"""/start registration: building, room and phone, kept only with explicit consent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.flows import steps
from bot.flows.places import mask_phone, place_text
from bot.flows.spec import Flow
from bot.texts import Raw

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.flows.turn import Turn


def _idle_after(settings: Settings) -> float:
    return settings.flow_idle_timeout_seconds


async def _after_consent(turn: Turn) -> bool:
    if turn.slots.get("consent") == steps.YES:
        return False
    await turn.end()
    await turn.send("resident.register.declined")
    return True


def profile_text(
    turn: Turn,
    building: str | None,
    room: str | None,
    phone: str | None,
    *,
    known_only: bool = False,
) -> Raw:
    """The details as /me and the registration show them ("未登记" for what is missing)."""
    place = place_text(turn, building, room)
    none = turn.text("resident.me.none")
    lines = []
    if place.html or not known_only:
        lines.append(turn.text("resident.me.place", place=place if place.html else none))
    if phone or not known_only:
        lines.append(turn.text("resident.me.phone", phone=mask_phone(phone) if phone else none))
    return Raw("\n".join(lines))


async def _finish(turn: Turn) -> None:
    slots = turn.slots
    await turn.ctx.profiles.remember(
        turn.user_id,
        turn.chat_id,
        name=turn.user_name,
        locale=turn.locale,
        building=slots.get("building"),
        room=slots.get("room"),
        phone=slots.get("phone"),
    )
    details = profile_text(turn, slots.get("building"), slots.get("room"), slots.get("phone"))
    await turn.send("resident.register.done", details=details)


async def _idle(turn: Turn) -> None:
    await turn.end()


REGISTER = Flow(
    name="register",
    steps=(
        steps.ESTATE,
        steps.yes_no_step(
            "consent",
            "consent",
            "resident.ask.consent",
            "resident.button.register_yes",
            "resident.button.register_no",
            after=_after_consent,
        ),
        steps.building_step(public_area=False),
        steps.HOME_ROOM,
        steps.PHONE,
    ),
    finish=_finish,
    on_idle=_idle,
    idle_seconds=_idle_after,
)
