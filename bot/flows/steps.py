"""The questions several flows share: where (building, room, or a public place), the phone,
a description; with the profile's remembered answers offered as buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.flows import validators as v
from bot.flows.answers import indoor
from bot.flows.places import mask_phone
from bot.flows.spec import Choice, Offer, Slots, Step
from bot.intents.entities import HOUSE_SUFFIX
from bot.profiles import Profile

if TYPE_CHECKING:
    from bot.flows.turn import Turn


RECENT_PLACE = "recent_place"
"""Slot of the block and flat of the chat's report of a few hours ago (offered if none is
remembered)."""


async def offered(turn: Turn, step: Step) -> Offer | None:
    """What `step` offers as a button now (the remembered or recent place, the phone...):
    none once the resident declined it."""
    if step.offer is None or step.name in turn.state.marks.declined:
        return None
    return step.offer(turn.slots, await turn.profile())


def _offer_place(slots: Slots, profile: Profile | None) -> Offer | None:
    recent = slots.get(RECENT_PLACE)
    if profile is not None and profile.building:
        values: dict[str, Any] = {"building": profile.building}
        if profile.room:
            values["room"] = profile.room
    elif isinstance(recent, dict) and recent.get("building"):
        values = {k: recent[k] for k in ("building", "room") if recent.get(k)}
    else:
        return None
    return Offer(
        label="resident.offer.place",
        values=values,
        label_values={"building": values["building"], "room": values.get("room") or ""},
        decline="resident.button.not_it",
    )


def _offer_block(slots: Slots, profile: Profile | None) -> Offer | None:
    """The block of the remembered or recent place, for a place inside one ("电梯里")."""
    offer = _offer_place(slots, profile)
    if offer is None:
        return None
    block = offer.values["building"]
    return Offer(
        label="resident.offer.place",
        values={"building": block, "place_building": True},
        label_values={"building": block, "room": ""},
        decline="resident.button.not_it",
    )


def _offer_room(slots: Slots, profile: Profile | None) -> Offer | None:
    if profile is None or not profile.room or profile.building != slots.get("building"):
        return None
    return Offer(
        label="resident.offer.room",
        values={"room": profile.room},
        label_values={"room": profile.room},
        decline="resident.button.not_it",
    )


def _offer_phone(slots: Slots, profile: Profile | None) -> Offer | None:
    """The remembered phone, else the one of the chat's recent or open report."""
    recent = slots.get(RECENT_PLACE)
    phone = profile.phone if profile is not None and profile.phone else None
    if phone is None and isinstance(recent, dict) and recent.get("phone"):
        phone = str(recent["phone"])
    if phone is None:
        return None
    return Offer(
        label="resident.offer.phone",
        values={"phone": phone},
        label_values={"masked": mask_phone(phone)},
    )


PUBLIC_AREA = Choice(
    value="area",
    label="resident.button.public_area",
    values={"building": None, "room": None, "area": True},
)


def building_step(*, public_area: bool = True, skippable: bool = False) -> Step:
    """Which building and flat? ("3栋1202" answers both); offers the remembered place.

    With `public_area`, a place outside the flats answers it too ("小区门口", "3栋大堂").
    """
    return Step(
        name="building",
        fills=("building",),
        prompt="resident.ask.building",
        prompt_place="resident.ask.place_building",
        validate=v.building,
        offer=_offer_place,
        choices=(PUBLIC_AREA,) if public_area else (),
        skippable=skippable,
        places=public_area,
        when=lambda slots: not slots.get("area") and not slots.get("everywhere"),
    )


PLACE = Step(
    name="place",
    fills=("place",),
    prompt="resident.ask.place",
    validate=v.place,
    when=lambda slots: bool(slots.get("area")),
)

# the place of these is not a flat: no room is asked
NO_ROOM_INTENTS = frozenset({"elevator_trapped"})


def needs_room(slots: Slots) -> bool:
    """A room is asked when the building is known and the place is not a public one nor a
    house ("别墅28号": the house is the whole address)."""
    return (
        not slots.get("place")
        and slots.get("intent") not in NO_ROOM_INTENTS
        and not str(slots.get("building") or "").endswith(HOUSE_SUFFIX)
    )


# "电梯里" at the building question: a place inside a building; which building, then?
PLACE_BUILDING = Step(
    name="place_building",
    fills=("place_building",),
    prompt="resident.ask.place_building",
    validate=v.place_building,
    offer=_offer_block,
    optional=True,
    when=lambda slots: bool(slots.get("indoor")) and not slots.get("building"),
)


def room_step(*, places: bool = True) -> Step:
    """Which flat? Optional ("不知道" skips it); with `places`, "电梯里面" answers it too."""
    return Step(
        name="room",
        fills=("room",),
        prompt="resident.ask.room",
        validate=v.room,
        offer=_offer_room,
        optional=True,
        places=places,
        when=lambda slots: slots.get("building") is not None and needs_room(slots),
    )


ROOM = room_step()
HOME_ROOM = room_step(places=False)  # outages and registration: the resident's own flat

PHONE = Step(
    name="phone",  # a phone typed at any other question fills it too
    fills=("phone",),
    prompt="resident.ask.phone",
    validate=v.phone,
    offer=_offer_phone,
    skippable=True,
    when=lambda s: not s.get("no_calls"),  # "别打电话 他会听见": staff write here instead
)

DESCRIPTION = Step(
    name="description",
    fills=("description",),
    prompt="resident.ask.description",
    validate=v.description,
)

YES = "yes"
NO = "no"


def yes_no_step(
    name: str, slot: str, prompt: str, yes_label: str, no_label: str, **kw: Any
) -> Step:
    return Step(
        name=name,
        fills=(slot,),
        prompt=prompt,
        validate=v.yes_no(slot),
        choices=(Choice(YES, yes_label, {slot: YES}), Choice(NO, no_label, {slot: NO})),
        **kw,
    )


def _floor_needed(slots: Slots) -> bool:
    """A fire whose flat is not known: which floor (firefighters go by floors)."""
    if slots.get("intent") != "fire" or slots.get("room"):
        return False
    place = str(slots.get("place") or "")
    if place and not indoor(place):  # "2号楼后面那个车棚": no floor to ask
        return False
    return bool(slots.get("building")) and ("room" in slots or bool(place))


FLOOR = Step(
    name="floor",
    fills=("floor",),
    prompt="resident.ask.floor",
    validate=v.floor,
    optional=True,
    when=_floor_needed,
)


# -- which estate (several estates, ESTATES_FILE) ---------------------------------------------
ASK_ESTATE = "estate_ask"  # set by the engine when the resident's estate is not known


def _estate_choices(ctx: Any) -> tuple[Choice, ...]:
    estates = getattr(ctx, "estates", None)
    if estates is None:
        return ()
    return tuple(Choice(str(e.id), "", {"estate": e.id}, text=e.name) for e in estates.all)


async def _estate_chosen(turn: Turn) -> bool:
    """The resident belongs to the estate they named; what they said of a building that the
    estate does not have is asked again."""
    chosen = turn.slots.get("estate")
    if isinstance(chosen, int):
        await turn.ctx.profiles.set_estate(turn.user_id, turn.chat_id, chosen)
        turn.forget_cached_profile()
        fit_place(turn.ctx, turn.slots)
    return False


def fit_place(ctx: Any, slots: Slots) -> None:
    """Drop a building (and room) the slots' estate does not have: it is asked again."""
    estates = getattr(ctx, "estates", None)
    estate = estates.get(slots.get("estate")) if estates is not None else None
    if estate is None or not slots.get("building"):
        return
    registry = estate.registry
    if not registry.has_building(str(slots["building"])):
        slots.pop("building", None)
        slots.pop("room", None)
    elif slots.get("room") and not registry.has_room(str(slots["building"]), str(slots["room"])):
        slots.pop("room", None)


ESTATE = Step(
    name="estate",  # asked only with several estates and none known (the engine marks it)
    fills=("estate",),
    prompt="resident.ask.estate",
    validate=v.estate,
    choices_from=_estate_choices,
    optional=True,
    after=_estate_chosen,
    when=lambda slots: bool(slots.get(ASK_ESTATE)),
)
