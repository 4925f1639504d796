"""What a typed answer says, whatever question it arrives at: `read()` -> `Reading`.

Every answer that carries information is used:
- a button's label typed instead of pressed ("跳过", "不在家里", "是的" to an offer);
- "不知道" / "不方便说" at a question that may be skipped;
- the answer to the question, with a phone or an address said along ("3栋1202 电话138...")
  kept for the questions that ask for them (`gained`), even at the wrong question;
- a place outside the flats ("我在小区门口", "电梯里面") where the question accepts one;
- and what the message says beyond all that (`more`), so a new emergency inside an answer
  still interrupts and extra words still reach the ticket.
The engine applies a reading (`FlowEngine.apply`); `Intake` reads first to decide whether
the words start something new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.flows import answers as a
from bot.flows.spec import Answer, Slots, Step
from bot.flows.validators import Checks, addressable, says_no, says_yes, squash
from bot.intents.entities import extract_entities, parse_building, parse_phone

SKIP = "skip"
OFFER = "offer"
DECLINE = "decline"  # button value: not what the profile offers, ask afresh
ADDRESS_STEPS = frozenset({"building", "room", "place_building"})
_PHONE_WORDS = (
    r"(?:联系电话|电话号码|手机号码|手机号|电话|手机|号码|my number is|number|phone|tel|mobile)"
)


@dataclass(frozen=True, slots=True)
class Reading:
    values: dict[str, Any] | None = None  # the answer to the question asked
    button: str | None = None  # a button's value, its label typed (or "skip")
    gained: dict[str, Any] = field(default_factory=dict)  # answers to other questions
    pointer: str | None = None  # only pointed somewhere ("那棵树下面"): a place if said again
    error: Answer | None = None  # why it does not answer (the validator's refusal)
    rest: str = ""  # the text without a phone said along
    more: str = ""  # what it says beyond any answer

    @property
    def understood(self) -> bool:
        return self.values is not None or self.button is not None or bool(self.gained)


def read(
    text: str,
    step: Step,
    slots: Slots,
    checks: Checks,
    *,
    buttons: Sequence[tuple[str, str]] = (),
    optional: bool = False,
) -> Reading:
    """`buttons`: (value, label) of the question's buttons; `optional`: "不知道" skips it."""
    button = typed_button(text, buttons, optional=optional)
    if button is not None:
        return Reading(button=button)
    phone = parse_phone(text, checks.region) if step.name != "phone" else None
    rest = without_phone(text, phone) if phone else text
    gained = _gained(rest, step, slots, checks)
    if phone and phone != slots.get("phone"):  # the latest number said is the one to call
        gained["phone"] = phone
    more = a.residue(extract_entities(text, checks.region)[1])
    if optional and a.is_skip(rest):
        return Reading(button=SKIP, gained=gained)
    answer = step.validate(rest, slots, checks) if step.validate and rest.strip() else None
    if answer is not None and answer.error == "resident.invalid.too_long":
        answer = _explicit(rest, step, slots, checks) or answer  # "…我家3栋1202…" in a long text
    if answer is not None and not answer.ok and step.name == "building" and a.everywhere(rest):
        answer = Answer.accept(building=None, room=None)  # the whole estate
    if answer is not None and answer.ok:
        values = dict(answer.values)
        if step.places and "room" not in values and a.place_strength(rest) == 2:
            values.update(place=a.place_words(rest), room=None)  # "3栋大堂": no flat
        return Reading(values=values, gained=gained, rest=rest, more=more)
    said = _said_to_buttons(rest, buttons)
    if said is not None:  # "对，电话换了，打139…": yes to the offer, and a new phone
        return Reading(button=said, gained=gained, rest=rest, more=more)
    if step.places:
        strength = a.place_strength(rest)
        if strength == 2 and a.told_as_place(rest):
            return Reading(values=place_values(step, rest), gained=gained, rest=rest, more=more)
        if strength == 1:
            return Reading(gained=gained, pointer=a.place_words(rest), error=answer, rest=rest,
                           more=more)  # fmt: skip
    return Reading(gained=gained, error=answer, rest=rest, more=more)


def typed_button(text: str, buttons: Sequence[tuple[str, str]], *, optional: bool) -> str | None:
    """The value of the button whose label (or an obvious synonym) was typed."""
    if len(text) > 40:
        return None
    for value, label in buttons:
        if a.matches_label(text, label):
            return value
    values = {value for value, _ in buttons}
    if OFFER in values and (says_yes(text) or a.offers_yes(text)):
        return OFFER
    if SKIP in values and a.declines(text):  # "不用了", "没有": no phone to leave
        return SKIP
    if OFFER in values and (says_no(text) or a.moved(text)):  # not that one: ask afresh
        return DECLINE
    if (optional or SKIP in values) and a.is_skip(text):
        return SKIP
    return None


def _said_to_buttons(text: str, buttons: Sequence[tuple[str, str]]) -> str | None:
    """A clause of the answer that is yes or no to an offer ("对，电话换了")."""
    values = {value for value, _ in buttons}
    if OFFER not in values:
        return None
    clauses = [squash(c) for c in re.split(r"[\s,，。.!！?？;；、]+", text) if squash(c)]
    yes = any(says_yes(c) or a.offers_yes(c) for c in clauses)
    no = any(says_no(c) or a.moved(c) for c in clauses)
    if yes and not no:
        return OFFER
    if no and not yes:
        return DECLINE
    return None


def place_values(step: Step, text: str) -> dict[str, Any]:
    """A place outside the flats as the answer to a where-question."""
    place = a.place_words(text)
    if step.name == "room":
        return {"room": None, "place": place}
    return {"building": None, "room": None, "area": True, "place": place, "indoor": a.indoor(text)}


def _explicit(text: str, step: Step, slots: Slots, checks: Checks) -> Answer | None:
    """The answer said in so many words in a long text (a building with 栋/座/Block...)."""
    entities, _ = extract_entities(addressable(text), checks.region)
    estate = checks.estate
    if step.name in ("building", "place_building") and entities.building:
        if not estate.has_building(entities.building):
            return None
        values: dict[str, Any] = {"building": entities.building}
        if step.name == "place_building":
            values["place_building"] = True
        elif entities.room and estate.has_room(entities.building, entities.room):
            values["room"] = entities.room
        return Answer(values=values)
    if step.name == "room" and entities.room and not entities.building:
        if estate.has_room(slots.get("building"), entities.room):
            return Answer(values={"room": entities.room})
    return None


def _gained(text: str, step: Step, slots: Slots, checks: Checks) -> dict[str, Any]:
    """A building and room said in so many words ("3栋1202") at a question not asking them."""
    if step.name in ADDRESS_STEPS:
        return {}
    entities, _ = extract_entities(addressable(text), checks.region)
    estate, found = checks.estate, entities.building
    gained: dict[str, Any] = {}
    if found and not slots.get("building") and estate.has_building(found):
        gained["building"] = found
        if entities.room and estate.has_room(found, entities.room):
            gained["room"] = entities.room
    elif entities.room and found in (None, slots.get("building")) and not slots.get("room"):
        if slots.get("building") and estate.has_room(slots["building"], entities.room):
            gained["room"] = entities.room
    elif (  # "2号楼一单元2801" after 2号楼 (its flat skipped): the unit and the flat
        found and entities.room and not slots.get("room")
        and found.startswith(f"{slots.get('building')}-")
        and estate.has_room(found, entities.room)
    ):
        gained.update(building=found, room=entities.room)
    elif (  # "15栋1单元502" after "我住2栋" and "15栋楼下邻居…": the place's block, in full
        found and entities.room and not slots.get("room") and found != slots.get("building")
        and block_of(found) == block_of(parse_building(str(slots.get("place") or "")))
        and estate.has_room(found, entities.room)
    ):
        gained.update(building=found, room=entities.room, place=None, area=None)
    return gained


def block_of(building: str | None) -> str | None:
    """The block of a building id ("15-1" -> "15")."""
    return building.split("-", 1)[0] if building else None


def without_phone(text: str, phone: str) -> str:
    """`text` without the phone number found in it (and "电话" / "my number is" before it)."""
    digits = re.sub(r"\D", "", phone)
    number = r"[\s\-()]*".join(digits)
    pattern = rf"(?:{_PHONE_WORDS}\s*(?:是|为|is|:|：)?\s*)?(?:\+?\s*(?:86|852)[\s\-]*)?\(?{number}"
    cut = re.sub(pattern, " ", text, count=1, flags=re.IGNORECASE)
    return cut.strip(" \t\n,，。.、;；:：")
