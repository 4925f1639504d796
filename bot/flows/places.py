"""How a building, room or place reads to a person: "3栋1202", "3栋2单元", "Block 3, Flat 1202"."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.core.privacy import mask_phone  # noqa: F401  (re-exported: flows use it from here)
from bot.intents.entities import parse_building
from bot.texts import Raw

if TYPE_CHECKING:
    from bot.flows.turn import Turn


def building_text(turn: Turn, building: str) -> str:
    if "-" in building:
        main, unit = building.split("-", 1)
        return turn.text("resident.place.unit", building=main, unit=unit)
    if not building[-1:].isascii():  # "2单元": already reads as a place
        return html.escape(building, quote=False)
    return turn.text("resident.place.building", building=building)


def place_text(turn: Turn, building: str | None, room: str | None, place: str | None = None) -> Raw:
    """HTML (escaped) for a building/room, or the resident's own words for a place (after
    its building when the words do not name one: "3栋 电梯里面")."""
    if place:
        words = html.escape(place, quote=False)
        if building and parse_building(place) is None:
            return Raw(f"{building_text(turn, building)} {words}")
        return Raw(words)
    if building and room:
        return Raw(
            turn.text("resident.place.full", building=Raw(building_text(turn, building)), room=room)
        )
    if building:
        return Raw(building_text(turn, building))
    if room:
        return Raw(turn.text("resident.place.room", room=room))
    return Raw("")

