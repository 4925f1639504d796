"""The front desk's shared ground: the rules and words it reads by, classifying with the
situations' safety layer, what a conversation carries between flows, the menus' buttons,
FAQ answers."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.core.actions import Keyboard, keyboard
from bot.faq import FaqAnswerer
from bot.flows.advice import AdviceBook
from bot.flows.answers import (
    distress,
    everywhere,
    indoor,
    only_a_place,
    place_in,
    pleads,
    residue,
    without_pleas,
)
from bot.flows.emergency import PLEA, PLEA_KINDS
from bot.flows.language import pick_locale
from bot.flows.places import mask_phone, place_text
from bot.flows.situations import Situations
from bot.flows.ticketing import PENDING, description_of
from bot.flows.validators import addressable, squash
from bot.intents import taxonomy as tx
from bot.intents.entities import Entities, extract_entities, parse_location, taken_back
from bot.texts import Raw

CLASSIFIED_REMEMBERED = 2048  # texts whose classification is kept (a burst is read twice)

if TYPE_CHECKING:
    from bot.core.incoming import Incoming
    from bot.flows.engine import FlowEngine
    from bot.flows.reading import Reading
    from bot.flows.spec import Flow
    from bot.flows.turn import Turn
    from bot.intents.classification import Classification


# intents a resident can pick from the emergency menu, in the order shown
EMERGENCY_MENU = (*PLEA_KINDS, tx.POWER_OUTAGE, tx.WATER_OUTAGE)
# slots an interrupting emergency takes over from the flow it interrupts
INTERRUPTED = "interrupted"
"""Slot of an emergency that interrupted a report: that report's intent."""
THANKS_ONLY_CHARS = 16
THANKS_LEFT = 1
_THANKS_FILLER = re.compile(
    r"好的|好滴|收到|okay|ok|你们|您|师傅|非常|太|了|啦|呀|哈|so|much|very|a lot|you|"
    r"[\u3040-\u30ff]+|[!！。.,，~～\s]"
)
ADDRESS_SPAN = 12
"""Characters after "我住" where the resident's address is read."""
_CLAUSE_END = r"\s*(?:室|号|房|$|[\s，,。.;；!！?？、]|不是|not)"
ADDRESS_ALONE_CHARS = 4
"""Other characters an address may come with and still be one on its own ("姓王")."""
FIRST_PLACE = "first_place"
"""Slot of a block and flat sent before anything else: the next flow takes them along."""
CARRIED = (*PENDING, "building", "room", "area", "place", "notes")
THANKS = frozenset(
    "谢谢 多谢 谢了 感谢 谢谢你 谢谢您 辛苦了 辛苦 thanks thank thankyou thx ty".split()
)
BYE = frozenset("再见 拜拜 bye goodbye 晚安 回见 88".split())
FAQ_TOPICS_SHOWN = 8
LEAVE_ABOVE = 0.5
"""A repair or complaint being reported is left for another request this probable."""
INTERRUPT_ABOVE = 0.7
INTERRUPT_MIN_CHARS = 4
"""The emergency probability that interrupts a conversation (or words of distress)."""
REMEMBER_TYPED_SECONDS = 600  # a typed "好" answers "记住这些信息吗？" this soon after it
# words that only ask for help ("我要报修"): with nothing else, the problem is still to be asked
_REQUEST_WORDS = re.compile(
    "报修|维修|修理|投诉|建议|反映|我要|我想|想要|需要|麻烦|帮我|帮忙|一下|请问|你好|您好|有个|问题|东西|"
    r"\b(?:i|want|to|need|please|report|a|an|make|complain|complaint|repair|fix|something)\b"
)


def _strong(found: Classification) -> bool:
    """Enough to interrupt a conversation or an open ticket with another emergency: words
    of distress, or a probable one said in more than a word or two ("门口" is too little)."""
    if distress(found.text):
        return True
    return found.score >= INTERRUPT_ABOVE and len(found.normalized) >= INTERRUPT_MIN_CHARS


_BARE_ROOM = re.compile(r"(?<![0-9])([0-9]{3,4}[a-z]?)(?![0-9])", re.IGNORECASE)


_NEGATED = re.compile(
    r"(?:不是|并非|並非|不在|唔係|not\s+(?:in\s+|at\s+)?)\s*(?:在\s*)?[^\s，,。.!！?？;；是]{1,12}", re.I
)
_OWN_HOME = re.compile(
    r"(?:我住|我家|住在|家住|我是|我们住|我們住|我们家|我們家|my unit|my flat|my home|"
    r"i stay|we stay|i live|we live|owner of|tenant of|landlord of|i rent|we rent|i own|we own|"
    r"^住|(?<=[\s，,。;；！!？?])住)\s*(?:在|是|的|is|at|in)?\s*",
    re.I,
)


_CLAUSES = re.compile(r"[\s,，。;；!！?？]+")
_TAKEN_BACK = re.compile(r"不对|说错|打错|写错|按错|搞错")


_PINYIN_PLACE = re.compile(r"(?<!\d)\d{1,2}\s*(?:hao\s*lou|dong|dan\s*yuan)(?![a-z])")
"""A block typed in toneless pinyin ("7hao lou 3 dan yuan 602"): read as an answer is."""


def corrections(text: str, region: Any, *, correcting: bool = True) -> dict[str, str]:
    """Building, room and phone named in a message (a bare "1205" counts as a room only in
    a correction); not one said to be wrong ("不对，不是3栋，是5栋" is 5栋), nor a count
    ("120 sqm", "6岁")."""
    text = _NEGATED.sub(" ", addressable(text))
    entities, rest = extract_entities(text, region)
    changed = {}
    if entities.building:
        changed["building"] = entities.building
    elif _PINYIN_PLACE.search(text.casefold()):  # "5dong 2danyuan 1101" (blind EN01)
        building, said = parse_location(text)
        if building:
            changed["building"] = building
            if said:
                changed["room"] = said
            if entities.phone:  # "5dong 2danyuan 1101 13912345678": the phone too
                changed["phone"] = entities.phone
            return changed
    room = entities.room
    if room is None and entities.building:  # "二十一栋三单元 四楼四零一": a flat said in words
        building, said = parse_location(text)
        room = said if building == entities.building else None
    if room is None and correcting:  # "不对，是1205": the number is the room
        bare = _BARE_ROOM.search(rest)
        room = bare.group(1) if bare else None
    if room and (correcting or entities.building):
        changed["room"] = room
    instead = taken_back(text, entities.building, room) if entities.building else None
    if instead is not None:  # "5栋1单元 不对 是5栋2单元 901": the address said last
        changed.pop("room", None)
        changed.update({k: v for k, v in zip(("building", "room"), instead, strict=True) if v})
    marker = _TAKEN_BACK.search(text)
    if marker is not None:
        # "12栋..不对 13栋二单元 … 反正是602" (blind EH01): the block said after the marker
        for clause in _CLAUSES.split(text[marker.end():]):
            later, its_room = parse_location(clause)
            if later and later != changed.get("building"):
                changed["building"] = later
                if its_room:
                    changed["room"] = its_room
                break
    said = changed.get("building")
    if said and "-" not in said:
        # "是6栋 6栋1单元" (blind DU02, DU09): the block said in full, with its unit
        for clause in _CLAUSES.split(text):
            fuller, its_room = parse_location(clause)
            if fuller and fuller.startswith(said + "-"):
                changed["building"] = fuller
                if its_room and "room" not in changed:
                    changed["room"] = its_room
                break
    if entities.phone:
        changed["phone"] = entities.phone
    return changed


KINDRED = (frozenset({tx.FLOODING, tx.NATURAL_DISASTER}),)
"""Emergencies the model tells apart that are one event to the resident (a typhoon's
water in the car park): beside an open ticket of one, the other is that ticket's."""


def kindred(first: str, second: str) -> bool:
    """The same emergency, or two that are one event (KINDRED)."""
    return first == second or any({first, second} <= pair for pair in KINDRED)


def corrected(text: str, region: Any) -> dict[str, str]:
    """What a correction changes ("不对，房号说错了，是1205", "是B座"); a flat only when its
    number ends a clause, not one named in passing ("应该是1502装修的工人洒的")."""
    found = corrections(text, region)
    room = found.get("room")
    if room and not re.search(rf"{re.escape(room)}(?:{_CLAUSE_END})", text or "", re.I):
        found.pop("room")  # "1502装修的工人": a flat named in passing, not the correction
    return found


_EN_THANKS = re.compile(r"(?<![a-z])(?:thanks|thank|thankyou|thx|ty)(?![a-z])")


def says_thanks(text: str) -> bool:
    """Whether the words thank: Chinese anywhere, English as a word ("ty" is not in
    "property", blind DN01)."""
    word = squash(text).casefold()
    chinese = any(w in word for w in THANKS if not w.isascii())
    return chinese or _EN_THANKS.search((text or "").casefold()) is not None


def thanks_only(text: str) -> bool:
    """A short thank-you and nothing else to pass on ("谢谢", "好的 谢谢你们", "thanks!")."""
    word = squash(text).casefold()
    if len(word) > THANKS_ONLY_CHARS or not says_thanks(text):
        return False
    rest = word
    for w in sorted(THANKS, key=len, reverse=True):
        rest = rest.replace(w, " ")
    return len(_THANKS_FILLER.sub("", rest).strip()) <= THANKS_LEFT


def own_home(text: str) -> str | None:
    """What follows "我住" / "我家" / "my unit is" / "I stay" (where the resident lives), or
    None when the words do not say where they live."""
    found = _OWN_HOME.search(text or "")
    return text[found.end() : found.end() + 24] if found else None


def before_home(text: str) -> str:
    """The words before the resident says where they live ("4号楼3单元602 我是601的" ->
    "4号楼3单元602 "): all of them when they do not say it."""
    found = _OWN_HOME.search(text or "")
    return (text or "")[: found.start()] if found else text or ""


def address_alone(text: str, region: Any) -> bool:
    """The words are an address and little else ("8栋1单元502 姓王", "15栋")."""
    entities, rest = extract_entities(text, region)
    return bool(entities.building or entities.room) and len(residue(rest)) <= ADDRESS_ALONE_CHARS


def describes(normalized: str) -> bool:
    """Whether a message says what is wrong, beyond asking for a repair or a complaint."""
    rest = _REQUEST_WORDS.sub(" ", normalized.casefold())
    return len("".join(ch for ch in rest if ch.isalnum())) >= 2


class DeskBase:
    def __init__(self, engine: FlowEngine) -> None:
        self.engine = engine
        self.ctx = engine.ctx
        self.faq = FaqAnswerer.load(
            self.ctx.settings.locales_dir,
            normalizer=engine.normalizer.normalize,
            default=self.ctx.texts.default,
        )
        self.faqs = {  # an estate's own FAQ (ESTATES_FILE); else the one of locales/
            estate.id: FaqAnswerer.from_files(
                estate.faq_files,
                normalizer=engine.normalizer.normalize,
                default=self.ctx.texts.default,
            )
            for estate in engine.estates.all
            if estate.faq_files
        }
        prepare = engine.normalizer.prepare
        self.situations = Situations.load(
            self.ctx.settings.locales_dir / "zh" / "situations.yaml", prepare
        )
        self.advice = AdviceBook.load(
            self.ctx.settings.locales_dir / "zh" / "advice.yaml", prepare, self.ctx.advice
        )
        self._classified: OrderedDict[str, Classification] = OrderedDict()  # the latest texts

    def classify(self, text: str) -> Classification:
        """The classifier's answer, with the situations' safety layer: a crisis, a child
        locked in a car, carbon monoxide or falling objects are that emergency whatever the
        model said (bot/flows/situations.py)."""
        known = self._classified.get(text)
        if known is not None:  # the intake classified it on arrival (its life-saving line)
            return known
        found = self._classify(text)
        self._classified[text] = found
        while len(self._classified) > CLASSIFIED_REMEMBERED:
            self._classified.popitem(last=False)
        return found

    def _classify(self, text: str) -> Classification:
        found = self.ctx.classifier.classify(text)
        situation = self.situations.find(text, found.intent)
        if situation.forced:
            found = replace(
                found,
                intent=situation.intent,
                severity=tx.severity_of(situation.intent),
                needs_confirmation=False,
                alternatives=[(found.intent, found.score), *found.alternatives][:3],
            )
        elif situation.situation and situation.intent != found.intent:
            # a situation of a related emergency (a fight with someone bleeding is read as
            # medical; its line is the police's and the ambulance's): that emergency, with
            # the classifier's doubt kept
            found = replace(
                found,
                intent=situation.intent,
                severity=tx.severity_of(situation.intent),
                alternatives=[(found.intent, found.score), *found.alternatives][:3],
            )
        return found

    def life_saving_line(self, incoming: Incoming) -> tuple[str, str] | None:
        """The life-saving line a resident's message calls for at once, as the conversation
        would send it: (text key, text); None when it asks for none or only a confirmation.
        The intake queues it on arrival (a burst waits for no handling); the conversation
        then skips that line (`Incoming.line_sent`)."""
        text = incoming.text
        if (
            not text or not incoming.is_private or incoming.is_button or incoming.edited
            or incoming.forwarded or text.startswith("/")
        ):
            return None
        found = self.classify(text)
        if self.bare_plea(found):
            key = f"safety.{PLEA}.now"  # every number: the plea names no danger
        elif not tx.is_emergency(found.intent) or found.needs_confirmation:
            return None
        else:
            situation = self.situations.find(text, found.intent)
            what = (
                situation.situation
                if situation.situation and situation.intent == found.intent
                else None
            )
            key = f"safety.{what or found.intent}.now"
        locale = pick_locale(self.ctx.texts, text, incoming.language_code, None)
        t = self.ctx.texts.bind(locale, defaults=self.ctx.settings.emergency_numbers())
        if not t.has(key):
            return None
        return key, t(key)

    @staticmethod
    def corrected_text(
        turn: Turn, changed: dict[str, str], building: str | None, room: str | None,
        *, had_place: bool = True, had_phone: bool = True,
    ) -> str:
        """"已改为…" for what changed; "已记下…" for what was not known before (a ticket
        without a block or a phone: nothing is corrected)."""
        parts = []
        if "building" in changed or "room" in changed:
            place = place_text(turn, building, room, None)
            key = "place" if had_place else "place_added"
            parts.append(turn.text(f"resident.corrected.{key}", place=place))
        if "phone" in changed:
            key = "phone" if had_phone else "phone_added"
            parts.append(turn.text(f"resident.corrected.{key}", masked=mask_phone(changed["phone"])))
        return "\n".join(parts)

    def interrupts(
        self, flow: Flow, reading: Reading, found: Classification, *, same: bool
    ) -> bool:
        """A new emergency interrupts, unless the words only answered the question ("我在3栋"
        is no lift entrapment; nor an answer with more words the model only guesses at) or,
        inside an emergency, only named a place or a floor
        ("十楼电梯厅" is where the fall happened, not a lift entrapment), or it is a weak
        guess in the middle of another emergency, or a plea that names no other danger
        ("我不会弄这个 你们快来人啊" is this emergency's, whatever the model guessed from
        the plea), or a middling one inside a repair or complaint without words of distress
        (the words stay on that report, where staff read them). Short answers carry little
        evidence, so the bar is INTERRUPT_ABOVE."""
        if not tx.is_emergency(found.intent) or (flow.emergency and same):
            return False
        if reading.understood and not reading.more:
            return False
        if flow.emergency and not reading.more:
            return False  # only a place or a floor ("十楼电梯厅"): where this one happens
        if flow.emergency and found.needs_confirmation:
            return False
        if flow.emergency and reading.understood and not distress(found.text):
            return False  # "他住9栋1102 一个人住": an answer; its words stay on this report
        if found.needs_confirmation and not distress(found.text):
            if reading.understood or only_a_place(found.text):
                return False  # "Block 5, 16/F, between flat C…", "就在东门岗亭边上": a guess
        return self.strong_beside(found, emergency=flow.emergency)

    @staticmethod
    def strong_emergency(found: Classification) -> bool:
        """An emergency read surely enough to start one whatever else is going on."""
        return tx.is_emergency(found.intent) and not found.needs_confirmation and _strong(found)

    def bare_plea(self, found: Classification) -> bool:
        """A plea for help that names no danger ("救命", "救救我", "快来人啊", "help!!"):
        without its pleas the message says nothing the model can place (unknown, a
        greeting, a request for a person). It is an emergency, but which one only the
        resident can tell: the model's guess from a plea would give a frightened person the
        wrong life-saving line (120 for a fire) or, worse, "I did not understand"."""
        if not pleads(found.text):
            return False
        rest = self.classify(without_pleas(found.text))
        return rest.intent in (tx.UNKNOWN, tx.SMALLTALK, tx.HUMAN_AGENT)

    @staticmethod
    def plea_guess(found: Classification) -> str:
        """The emergency a plea's ticket is filed under until the resident says which (the
        model's likeliest emergency; staff see it as unconfirmed, with the words)."""
        ranked = [found.intent, *(intent for intent, _ in found.alternatives)]
        return next((i for i in ranked if tx.is_emergency(i)), tx.MEDICAL)

    def strong_beside(self, found: Classification, *, emergency: bool) -> bool:
        """Enough to start another emergency beside a report under way: strong, and, beside
        an emergency, when the words plead for help, still surely that emergency without
        the pleas (a plea says there is danger, not which: "你们快来人啊" belongs to the
        emergency already told; "救命 厨房着火了" names a fire). A guess is not enough, as
        for any words inside an emergency: they stay on its report, where staff read them."""
        if not emergency or not pleads(found.text):
            return _strong(found)
        rest = self.classify(without_pleas(found.text))
        return rest.intent == found.intent and not rest.needs_confirmation

    @staticmethod
    def clear_request(found: Classification) -> bool:
        """Clear enough to leave the conversation for it."""
        if found.intent in (tx.UNKNOWN, tx.SMALLTALK) or found.needs_confirmation:
            return False
        return found.score >= LEAVE_ABOVE

    def pending(self, turn: Turn) -> dict[str, Any]:
        """What the resident sent that the next flow should take along (a photo, a contact,
        a block and flat sent before saying what is wrong)."""
        kept = {k: turn.slots[k] for k in PENDING if turn.slots.get(k)}
        first = turn.slots.get(FIRST_PLACE)
        if isinstance(first, dict):
            kept.update({k: v for k, v in first.items() if k in ("building", "room") and v})
        return kept

    def home_address(self, turn: Turn, text: str) -> dict[str, str]:
        """The block (and flat) of this estate where the words say the resident lives ("我是
        租客 住11栋604 房东在加拿大"), as slots; {} when they say none."""
        home = own_home(text)
        if not home:
            return {}
        entities, _ = extract_entities(addressable(home[:ADDRESS_SPAN]), self.engine.checks.region)
        return self.in_estate(turn, entities)

    def only_an_address(self, turn: Turn, text: str) -> dict[str, str]:
        """The block (and flat) of this estate a message says and nothing else ("12幢902",
        "5号楼2单元601"), as slots; {} when it says more or names no block of the estate."""
        entities, rest = extract_entities(addressable(text), self.engine.checks.region)
        return {} if residue(rest) else self.in_estate(turn, entities)

    def in_estate(self, turn: Turn, entities: Entities) -> dict[str, str]:
        """The block and flat of `entities` that this resident's estate has, as slots."""
        estate = self.engine.registry(turn.resident_estate)
        if not entities.building or not estate.has_building(entities.building):
            return {}
        found = {"building": entities.building}
        if entities.room and estate.has_room(entities.building, entities.room):
            found["room"] = entities.room
        return found

    def carried(self, turn: Turn) -> dict[str, Any]:
        slots = turn.slots
        carry = {k: slots[k] for k in CARRIED if slots.get(k) is not None}
        if slots.get("text"):  # with the words kept on the way ("小发电机 在厨房开着呢")
            carry["earlier"] = description_of(slots)
        intent = slots.get("intent")
        if intent and tx.is_emergency(str(intent)):
            carry["also"] = [*slots.get("also", []), intent]
        elif intent:
            carry[INTERRUPTED] = intent  # the report an emergency interrupts
        return carry

    @staticmethod
    def where(intent: str, text: str, slots: dict[str, Any]) -> dict[str, Any]:
        """A public place the first message names: no flat to ask ("电梯里有人晕倒了"), nor a
        building ("北门停车场有人晕倒了"); the whole estate out of water: no building to ask."""
        if tx.is_urgent(intent):
            return {"everywhere": True} if everywhere(text) else {}
        place = place_in(text)
        if place is None or slots.get("room"):
            return {}
        if slots.get("building") or indoor(place):  # "电梯里...": which building still asked
            return {"place": place}
        return {"area": True, "place": place}

    async def send_faq(self, turn: Turn, answer: str) -> None:
        for service, number in self.ctx.settings.emergency_numbers().items():
            answer = answer.replace("{" + service + "}", number)
        await turn.send_html(
            turn.text("resident.inquiry.answer", answer=Raw(answer)),
            keyboard([(turn.text.plain("resident.button.human"), "menu:human")]),
        )

    def only_a_phone(self, text: str) -> bool:
        entities, rest = extract_entities(text, self.engine.checks.region)
        return bool(entities.phone) and not residue(rest)

    # -- menus ------------------------------------------------------------------------------------
    def menu_buttons(self, turn: Turn) -> Keyboard:
        t = turn.text.plain
        return keyboard(
            [(t("resident.button.emergency"), "menu:emergency")],
            [
                (t("resident.button.repair"), "menu:repair"),
                (t("resident.button.complaint"), "menu:complaint"),
            ],
            [
                (t("resident.button.inquiry"), "menu:inquiry"),
                (t("resident.button.human"), "menu:human"),
            ],
            [(t("resident.button.mine"), "menu:mine")],
        )

    async def menu(self, turn: Turn) -> None:
        await turn.send("resident.menu.text", buttons=self.menu_buttons(turn))

    def emergency_buttons(self, turn: Turn) -> Keyboard:
        items = [(turn.text.plain(f"safety.{i}.button"), f"menu:em:{i}") for i in EMERGENCY_MENU]
        return keyboard(*(items[i : i + 2] for i in range(0, len(items), 2)))

    def faq_of(self, turn: Turn) -> FaqAnswerer:
        """The FAQ of the resident's estate."""
        estate = turn.estate
        return self.faqs.get(estate.id, self.faq) if estate is not None else self.faq

    def faq_buttons(self, turn: Turn) -> Keyboard:
        topics = self.faq_of(turn).topics(turn.locale)[:FAQ_TOPICS_SHOWN]
        items = [(e.title, f"menu:faq:{e.id}") for e in topics]
        rows = [items[i : i + 2] for i in range(0, len(items), 2)]
        rows.append([(turn.text.plain("resident.button.human"), "menu:human")])
        return keyboard(*rows)

    async def leave(self, turn: Turn) -> None:
        if turn.state.active:
            await self.engine.end(turn, self.pending(turn))


class DeskPart:
    """One part of the front desk: the engine, the context, the FAQ and the situations of
    the shared `DeskBase` (`self.base`), and the other parts it names."""

    def __init__(self, base: DeskBase) -> None:
        self.base = base
        self.engine = base.engine
        self.ctx = base.ctx
        self.situations = base.situations

    def faq(self, turn: Turn) -> FaqAnswerer:
        """The FAQ of the resident's estate."""
        return self.base.faq_of(turn)
