"""What a resident's words start: an emergency, an outage report, a repair or complaint, an
FAQ answer, a ticket for staff, a friendly word, or the menu of what the bot can do.

Rules (issue 3, issue 4):
- a new emergency always interrupts any other flow, taking along what is already known;
- inside a flow, words answer the question; in a non-emergency flow, a clearly different
  request that does not answer it leaves the flow for that request;
- with no flow active and a ticket still open, anything but a new emergency goes to the
  staff on that ticket (`relay_from_resident`), and the bot says nothing itself.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.actions import Keyboard, keyboard
from bot.core.ids import strict_id
from bot.core.incoming import Attachment, AttachmentKind
from bot.faq import FaqAnswerer
from bot.flows.answers import (
    asks,
    asks_progress,
    corrects,
    declines,
    distress,
    everywhere,
    indoor,
    is_cancel,
    is_resolved,
    matches_label,
    nothing_wrong,
    offers_yes,
    place_in,
    residue,
    worse,
)
from bot.flows.places import mask_phone, place_text
from bot.flows.registration import profile_text
from bot.flows.situations import Situations
from bot.flows.ticketing import PENDING, open_ticket
from bot.flows.validators import has_words, says_no, says_yes, squash
from bot.intents import taxonomy as tx
from bot.intents.entities import extract_entities, parse_phone
from bot.texts import Raw
from bot.tickets.states import Actor

if TYPE_CHECKING:
    from bot.flows.engine import FlowEngine
    from bot.flows.reading import Reading
    from bot.flows.spec import Flow
    from bot.flows.turn import Turn
    from bot.intents.classification import Classification
    from bot.storage.models import Ticket

# intents a resident can pick from the emergency menu, in the order shown
EMERGENCY_MENU = (
    tx.FIRE,
    tx.GAS_LEAK,
    tx.ELEVATOR_TRAPPED,
    tx.FLOODING,
    tx.MEDICAL,
    tx.SECURITY,
    tx.LOST_CHILD,
    tx.NATURAL_DISASTER,
    tx.POWER_OUTAGE,
    tx.WATER_OUTAGE,
)
# slots an interrupting emergency takes over from the flow it interrupts
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


def corrections(text: str, region: Any, *, correcting: bool = True) -> dict[str, str]:
    """Building, room and phone named in a message (a bare "1205" counts as a room only in
    a correction)."""
    entities, rest = extract_entities(text, region)
    changed = {}
    if entities.building:
        changed["building"] = entities.building
    room = entities.room
    if room is None and correcting:  # "不对，是1205": the number is the room
        bare = _BARE_ROOM.search(rest)
        room = bare.group(1) if bare else None
    if room and (correcting or entities.building):
        changed["room"] = room
    if entities.phone:
        changed["phone"] = entities.phone
    return changed


def describes(normalized: str) -> bool:
    """Whether a message says what is wrong, beyond asking for a repair or a complaint."""
    rest = _REQUEST_WORDS.sub(" ", normalized.casefold())
    return len("".join(ch for ch in rest if ch.isalnum())) >= 2


class Intake:
    def __init__(self, engine: FlowEngine) -> None:
        self.engine = engine
        self.ctx = engine.ctx
        self.faq = FaqAnswerer.load(
            self.ctx.settings.locales_dir,
            normalizer=engine.normalizer.normalize,
            default=self.ctx.texts.default,
        )
        prepare = engine.normalizer.prepare
        self.situations = Situations.load(
            self.ctx.settings.locales_dir / "zh" / "situations.yaml", prepare
        )

    def classify(self, text: str) -> Classification:
        """The classifier's answer, with the situations' safety layer: a crisis, a child
        locked in a car, carbon monoxide or falling objects are that emergency whatever the
        model said (bot/flows/situations.py)."""
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
        return found

    # -- typed words -------------------------------------------------------------------------
    async def text(self, turn: Turn, text: str) -> None:
        if turn.state.active and self.engine.current(turn) is not None:
            await self._in_flow(turn, text)
            return
        if await self._remember_typed(turn, text):
            return
        if is_cancel(text):
            await self.engine.cancel(turn)
            return
        found = self.classify(text)
        if turn.state.active:  # finishing was interrupted (a crash): finish first
            await self.engine.advance(turn)
        await self.dispatch(turn, text, found)

    async def edited(self, turn: Turn, text: str) -> None:
        """An edited message: inside a flow a correction of what it said (building, room,
        phone); on an open ticket passed on like a message; otherwise left alone (the
        answer to the original was given already)."""
        if turn.state.active and self.engine.current(turn) is not None:
            if await self._correct(turn, text):
                return
            await self._in_flow(turn, text)
            return
        ticket = await self.ctx.tickets.active_ticket_for(turn.chat_id)
        if ticket is not None:
            await self.on_open_ticket(turn, ticket, text, self.classify(text))

    async def _in_flow(self, turn: Turn, text: str) -> None:
        """Words inside a flow: a typed button, a cancel, a new emergency, or the answer."""
        current = self.engine.current(turn)
        assert current is not None
        flow, step = current
        reading = self.engine.read(turn, flow, step, text)
        if reading.button is not None:  # "跳过", "不用了", "是的": before any cancel word
            await self.engine.apply(turn, flow, step, text, reading)
            return
        if is_cancel(text) or (not flow.emergency and is_resolved(text)):
            await self.engine.cancel(turn)
            return
        if corrects(text) and await self._correct(turn, text):
            return
        found = self.classify(text)
        same = found.intent == turn.slots.get("intent")
        if self._interrupts(flow, reading, found, same=same):
            await self.emergency(turn, found, text, carry=self.carried(turn))
            return
        if not reading.understood and not tx.is_emergency(found.intent) and asks(text):
            entry = self.faq.answer(text, turn.locale)
            if entry is not None:  # a side question: answered, then ours again
                await self.send_faq(turn, entry.answer)
                await self.engine.reask(turn)
                return
        if step.name == "confirm" and same and not found.needs_confirmation:
            await self.engine.accept(turn, flow, step, {"confirmed": "yes"})
            return
        leaves = (
            not flow.emergency
            and self._clear_request(found)
            and not same
            and not tx.is_emergency(found.intent)  # a weak one did not interrupt: stays
        )
        if leaves and not reading.understood:
            await self.engine.end(turn, self.pending(turn))
            await self.dispatch(turn, text, found)
            return
        await self.engine.apply(turn, flow, step, text, reading)

    async def _correct(self, turn: Turn, text: str) -> bool:
        """"不对，房号说错了，是1205": the answers given are changed, the question asked
        again. False when the words name nothing to change."""
        changed = corrections(text, self.engine.checks.region)
        if not changed:
            return False
        turn.slots.update(changed)
        lead = self._corrected_text(
            turn, changed, turn.slots.get("building"), turn.slots.get("room")
        )
        await self.engine.reask(turn, lead=lead)
        return True

    @staticmethod
    def _corrected_text(
        turn: Turn, changed: dict[str, str], building: str | None, room: str | None
    ) -> str:
        parts = []
        if "building" in changed or "room" in changed:
            place = place_text(turn, building, room, None)
            parts.append(turn.text("resident.corrected.place", place=place))
        if "phone" in changed:
            parts.append(turn.text("resident.corrected.phone", masked=mask_phone(changed["phone"])))
        return "\n".join(parts)

    @staticmethod
    def _interrupts(flow: Flow, reading: Reading, found: Classification, *, same: bool) -> bool:
        """A new emergency interrupts, unless the words only answered the question ("我在3栋"
        is no lift entrapment), or it is a weak guess in the middle of another emergency, or
        a middling one inside a repair or complaint without words of distress (the words
        stay on that report, where staff read them). Short answers carry little evidence, so
        the bar is INTERRUPT_ABOVE."""
        if not tx.is_emergency(found.intent) or (flow.emergency and same):
            return False
        if reading.understood and not reading.more:
            return False
        if flow.emergency and found.needs_confirmation:
            return False
        return _strong(found)

    @staticmethod
    def _clear_request(found: Classification) -> bool:
        """Clear enough to leave the conversation for it."""
        if found.intent in (tx.UNKNOWN, tx.SMALLTALK) or found.needs_confirmation:
            return False
        return found.score >= LEAVE_ABOVE

    def pending(self, turn: Turn) -> dict[str, Any]:
        """What the resident sent that the next flow should take along (a photo, a contact)."""
        return {k: turn.slots[k] for k in PENDING if turn.slots.get(k)}

    def carried(self, turn: Turn) -> dict[str, Any]:
        slots = turn.slots
        carry = {k: slots[k] for k in CARRIED if slots.get(k) is not None}
        if slots.get("text"):
            carry["earlier"] = slots["text"]
        intent = slots.get("intent")
        if intent and tx.is_emergency(str(intent)):
            carry["also"] = [*slots.get("also", []), intent]
        return carry

    async def dispatch(self, turn: Turn, text: str, found: Classification) -> None:
        """No flow is active: start what the words ask for."""
        ticket = await self.ctx.tickets.active_ticket_for(turn.chat_id)
        if ticket is None and not tx.is_emergency(found.intent) and self._only_a_phone(text):
            await self.unknown(turn, text)  # a phone before anything else: kept
            return
        new_emergency = tx.is_emergency(found.intent) and (
            ticket is None
            or (
                ticket.intent != found.intent
                and _strong(found)
                and not found.needs_confirmation
            )
        )
        if new_emergency:
            if ticket is not None and turn.incoming is not None:  # staff on it hear it too
                await self.ctx.tickets.relay_from_resident(ticket, turn.incoming)
            if turn.incoming is not None and getattr(turn.incoming, "forwarded", False):
                found = replace(found, needs_confirmation=True)  # someone else's words: ask
            await self.emergency(turn, found, text, carry=self.pending(turn))
            return
        if ticket is not None:
            await self.on_open_ticket(turn, ticket, text, found)
            return
        await self.by_intent(turn, found.intent, text, found)

    # -- a ticket is open: every message is answered -------------------------------------
    async def on_open_ticket(
        self, turn: Turn, ticket: Ticket, text: str, found: Classification | None
    ) -> None:
        """The resident writes while a ticket is open: staff get the words under the alert,
        and the resident always gets an answer: worse -> staff alerted again and the
        safety line repeated; "没事了/不用来了" -> an offer to close; "进度?" -> the state;
        anything else -> passed on, with the state."""
        assert turn.incoming is not None
        await self.ctx.tickets.relay_from_resident(ticket, turn.incoming)
        state = Raw(turn.text(f"tickets.open.state.{ticket.status}"))
        changed = corrections(text, self.engine.checks.region, correcting=corrects(text))
        shared = turn.incoming.attachment
        if shared is not None and shared.kind is AttachmentKind.CONTACT:  # a phone, shared
            phone = parse_phone(shared.phone or "", self.engine.checks.region)
            if phone:
                changed["phone"] = phone
        changed = {
            k: v for k, v in changed.items() if corrects(text) or not getattr(ticket, k)
        }
        emergency = tx.is_emergency(ticket.intent)
        if changed:  # a phone given later, or a correction: the ticket follows
            await self.ctx.tickets.update_details(ticket, **changed)
            building = changed.get("building", ticket.building)
            room = changed.get("room", ticket.room)
            await turn.send_html(self._corrected_text(turn, changed, building, room))
            if not (emergency and worse(text)):
                return
        if text and (is_resolved(text) or is_cancel(text) or nothing_wrong(text)):
            buttons = keyboard(
                [
                    (turn.label("tickets.button.close"), f"menu:close:{ticket.id}"),
                    (turn.label("tickets.button.keep"), f"menu:keep:{ticket.id}"),
                ]
            )
            await turn.send("tickets.open.close_offer", buttons, id=ticket.id)
            return
        same = found is not None and found.intent == ticket.intent
        if emergency and text and (worse(text) or (same and not asks_progress(text))):
            await self.ctx.tickets.alerts.note(
                ticket, "staff.reminder.worse", with_buttons=True, words=text[:300]
            )
            key = (ticket.extra or {}).get("situation") or ticket.intent
            await turn.send(f"safety.{key}.now")
            await turn.send("tickets.open.worse", id=ticket.id, state=state)
            return
        if text and asks_progress(text):
            await turn.send("tickets.open.progress", id=ticket.id, state=state)
            return
        await turn.send("tickets.open.relayed", id=ticket.id, state=state)

    async def by_intent(
        self, turn: Turn, intent: str, text: str, found: Classification | None = None
    ) -> None:
        if tx.is_emergency(intent):
            await self.start_emergency(turn, intent, text, found)
        elif tx.is_urgent(intent):
            await self.engine.begin(turn, "outage", self._known(turn, intent, text, found))
        elif intent in (tx.REPAIR, tx.COMPLAINT):
            slots = self._known(turn, intent, text, found)
            if found is not None and describes(found.normalized):
                slots["description"] = text.strip()[:4000]
            await self.engine.begin(turn, intent, slots)
        elif intent == tx.INQUIRY:
            await self.inquiry(turn, text)
        elif intent == tx.HUMAN_AGENT:
            await self.to_staff(turn, tx.HUMAN_AGENT, text, "resident.human.done")
        elif intent == tx.SMALLTALK:
            await self.smalltalk(turn, text)
        else:
            await self.unknown(turn, text)

    # -- emergencies --------------------------------------------------------------------------
    async def emergency(
        self, turn: Turn, found: Classification, text: str, *, carry: dict[str, Any]
    ) -> None:
        await self.start_emergency(
            turn, found.intent, text, found, carry=carry, unconfirmed=found.needs_confirmation
        )

    async def start_emergency(
        self,
        turn: Turn,
        intent: str,
        text: str,
        found: Classification | None = None,
        *,
        carry: dict[str, Any] | None = None,
        unconfirmed: bool = False,
    ) -> None:
        carry = dict(carry if carry is not None else self.pending(turn))
        earlier = carry.pop("earlier", None)
        slots = {**carry, **self._known(turn, intent, text, found)}
        if earlier:
            slots["text"] = f"{earlier}\n{text}"
        if unconfirmed:
            slots["unconfirmed"] = True
        await self.engine.begin(turn, "emergency", slots)

    async def not_confirmed(self, turn: Turn) -> None:
        """The resident said nothing is wrong: the only way a guessed emergency ends without
        a ticket."""
        await self.engine.end(turn, self.pending(turn))
        await turn.send("resident.not_confirmed", buttons=self.menu_buttons(turn))

    async def reconsider(self, turn: Turn) -> bool:
        """What is happening, after "not that" to a guessed emergency. Another emergency
        starts its own flow (its life-saving line first); words of danger or fear keep this
        report an emergency (the questions go on, a ticket follows); "nothing is wrong" ends
        it; anything else is handled as what it is (a repair, a question...). True when the
        emergency flow was left."""
        what = str(turn.slots.get("what") or "")
        earlier = str(turn.slots.get("text") or "")
        if nothing_wrong(what):
            await self.not_confirmed(turn)
            return True
        found = self.classify(what)
        if tx.is_emergency(found.intent) and not found.needs_confirmation:
            carry = {**self.carried(turn), "earlier": earlier}
            carry.pop("also", None)
            await self.start_emergency(turn, found.intent, what, found, carry=carry)
            return True
        if tx.is_emergency(found.intent) or distress(what) or distress(earlier):
            turn.slots["text"] = f"{earlier}\n{what}" if earlier else what
            turn.slots["other"] = True
            turn.slots.pop("unconfirmed", None)
            if tx.is_emergency(found.intent):
                turn.slots["intent"] = found.intent
                turn.slots.pop("situation", None)
                await turn.send("safety." + str(found.intent) + ".now")
            else:
                await turn.send_html(turn.numbers())
            return False
        await self.engine.end(turn, self.pending(turn))
        await self.by_intent(turn, found.intent, what, found)
        return True

    def _known(
        self, turn: Turn, intent: str, text: str, found: Classification | None
    ) -> dict[str, Any]:
        """The flow's first slots: the intent, the words, and what they already tell."""
        slots: dict[str, Any] = {
            **self.pending(turn),
            "intent": intent,
            "text": text.strip()[:4000],
            "name": turn.user_name,
        }
        if found is None:
            return slots
        entities, estate = found.entities, self.engine.estate
        if entities.building and estate.has_building(entities.building):
            slots["building"] = entities.building
            if entities.room and estate.has_room(entities.building, entities.room):
                slots["room"] = entities.room
        if entities.phone:
            slots["phone"] = entities.phone
        slots.update(self._where(intent, self.engine.normalizer.to_simplified(text), slots))
        situation = self.situations.find(text, intent)
        if situation.situation and situation.intent == intent:
            slots["situation"] = situation.situation
        return slots

    @staticmethod
    def _where(intent: str, text: str, slots: dict[str, Any]) -> dict[str, Any]:
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

    # -- answers without a flow -------------------------------------------------------------
    async def inquiry(self, turn: Turn, text: str) -> None:
        entry = self.faq.answer(text, turn.locale)
        if entry is None:
            await self.to_staff(turn, tx.INQUIRY, text, "resident.inquiry.ticket")
            return
        await self.send_faq(turn, entry.answer)

    async def send_faq(self, turn: Turn, answer: str) -> None:
        for service, number in self.ctx.settings.emergency_numbers().items():
            answer = answer.replace("{" + service + "}", number)
        await turn.send_html(
            turn.text("resident.inquiry.answer", answer=Raw(answer)),
            keyboard([(turn.label("resident.button.human"), "menu:human")]),
        )

    async def to_staff(self, turn: Turn, intent: str, text: str, done_key: str) -> None:
        """A ticket straight away (a question for staff, a request for a person)."""
        turn.state.slots = {**self.pending(turn), "intent": intent, "text": text.strip()[:4000]}
        ticket = await open_ticket(turn)
        await self.engine.end(turn)
        await turn.send(done_key, ticket=ticket.id)

    async def smalltalk(self, turn: Turn, text: str) -> None:
        word = squash(text)
        if any(w in word for w in THANKS):
            await turn.send("resident.smalltalk.thanks")
        elif any(word.startswith(w) for w in BYE):
            await turn.send("resident.smalltalk.bye")
        else:
            await turn.send("resident.smalltalk.hello", buttons=self.menu_buttons(turn))

    def _only_a_phone(self, text: str) -> bool:
        entities, rest = extract_entities(text, self.engine.checks.region)
        return bool(entities.phone) and not residue(rest)

    async def unknown(self, turn: Turn, text: str) -> None:
        entities, rest = extract_entities(text, self.engine.checks.region)
        if entities.phone and not residue(rest):  # a phone before anything else: kept
            turn.slots["phone"] = entities.phone
            masked = mask_phone(entities.phone)
            await self._outside_flow(turn, "resident.attachment.contact", masked=masked)
            return
        entry = self.faq.answer(text, turn.locale) if has_words(text) else None
        if entry is not None:
            await self.send_faq(turn, entry.answer)
            return
        await turn.send("resident.menu.unknown", buttons=self.menu_buttons(turn))

    # -- menus ------------------------------------------------------------------------------------
    def menu_buttons(self, turn: Turn) -> Keyboard:
        t = turn.label
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
        )

    async def menu(self, turn: Turn) -> None:
        await turn.send("resident.menu.text", buttons=self.menu_buttons(turn))

    def emergency_buttons(self, turn: Turn) -> Keyboard:
        items = [(turn.label(f"safety.{i}.button"), f"menu:em:{i}") for i in EMERGENCY_MENU]
        return keyboard(*(items[i : i + 2] for i in range(0, len(items), 2)))

    def faq_buttons(self, turn: Turn) -> Keyboard:
        topics = self.faq.topics(turn.locale)[:FAQ_TOPICS_SHOWN]
        items = [(e.title, f"menu:faq:{e.id}") for e in topics]
        rows = [items[i : i + 2] for i in range(0, len(items), 2)]
        rows.append([(turn.label("resident.button.human"), "menu:human")])
        return keyboard(*rows)

    async def choose(self, turn: Turn, choice: str) -> str | None:
        """A `menu:` button. Returns the text key of a short notice on the button, if any."""
        head, _, arg = choice.partition(":")
        flow = self.engine.flow_of(turn.state)
        starts_emergency = head == "em" and tx.is_emergency(arg)
        if flow is not None and flow.emergency and not starts_emergency and head != "remember":
            await self.engine.reask(turn)
            return "resident.toast.finish_first"
        if head == "em" and arg in EMERGENCY_MENU:
            carry = self.carried(turn) if flow is not None else self.pending(turn)
            label = turn.text(f"safety.{arg}.name")
            if tx.is_emergency(arg):
                carry["source"] = "menu"
                await self.start_emergency(turn, arg, label, carry=carry)
            else:
                await self._leave(turn)
                await self.by_intent(turn, arg, label)
            return None
        if head == "remember":
            return await self.remember(turn, arg == "yes")
        if head in ("close", "keep"):
            return await self._close_or_keep(turn, head == "close", arg)
        await self._leave(turn)
        if head == "emergency":
            await turn.send("resident.menu.emergency", buttons=self.emergency_buttons(turn))
        elif head in (tx.REPAIR, tx.COMPLAINT):
            slots = {**self.pending(turn), "intent": head, "name": turn.user_name, "source": "menu"}
            await self.engine.begin(turn, head, slots)
        elif head == tx.INQUIRY:
            await turn.send("resident.inquiry.ask", buttons=self.faq_buttons(turn))
        elif head == "faq":
            entry = self.faq.entry(arg, turn.locale)
            if entry is None:
                return "resident.toast.expired"
            await self.send_faq(turn, entry.answer)
        elif head == "human":
            await self.to_staff(
                turn, tx.HUMAN_AGENT, turn.text("resident.human.by_menu"), "resident.human.done"
            )
        elif head == "register":
            await self.register(turn, consented=True)
        else:
            await self.menu(turn)
        return None

    async def _close_or_keep(self, turn: Turn, close: bool, arg: str) -> str | None:
        ticket_id = strict_id(arg)
        ticket = await self.ctx.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None or ticket.chat_id != turn.chat_id:
            return "resident.toast.expired"
        if close:
            actor = Actor("resident", turn.user_id, turn.user_name)
            done = await self.ctx.tickets.workflow.cancel_by_resident(ticket.id, actor)
            if done is None:
                return "resident.toast.expired"
            await turn.send("tickets.open.closed", id=ticket.id)
            return None
        state = Raw(turn.text(f"tickets.open.state.{ticket.status}"))
        await turn.send("tickets.open.kept", id=ticket.id, state=state)
        return None

    async def _leave(self, turn: Turn) -> None:
        if turn.state.active:
            await self.engine.end(turn, self.pending(turn))

    # -- the resident's details ---------------------------------------------------------------
    async def _remember_typed(self, turn: Turn, text: str) -> bool:
        """A typed "记住" / "不用了" to "下次要直接用这些信息吗？": like pressing the button.

        A plain yes or no counts only soon after the question (a later "好" may answer staff).
        """
        asked = turn.slots.get("remember_at")
        if not turn.slots.get("remember") or len(text) > 20:
            return False
        yes_label = matches_label(text, turn.label("resident.button.remember_yes"))
        no_label = matches_label(text, turn.label("resident.button.remember_no"))
        recent = False
        if isinstance(asked, str):
            since = self.ctx.clock.now() - datetime.fromisoformat(asked)
            recent = since <= timedelta(seconds=REMEMBER_TYPED_SECONDS)
        yes = yes_label or (recent and (says_yes(text) or offers_yes(text)))
        no = no_label or (recent and (says_no(text) or declines(text)))
        if yes == no:
            return False
        await self.remember(turn, yes, pressed=False)
        return True

    async def remember(self, turn: Turn, yes: bool, *, pressed: bool = True) -> str | None:
        details = turn.slots.get("remember")
        if not details:
            return "resident.toast.expired"
        keep = {k: v for k, v in turn.slots.items() if k not in ("remember", "remember_at")}
        if turn.state.active:
            turn.state.slots = keep
            await self.engine.store.save(turn.state)
        else:
            await self.engine.end(turn, keep)
        if not yes:
            if pressed:
                await self.engine.settle(turn, turn.label("resident.button.remember_no"))
            await turn.send("resident.remember.declined")
            return None
        await self.ctx.profiles.remember(
            turn.user_id, turn.chat_id, name=turn.user_name, locale=turn.locale, **details
        )
        await turn.send(
            "resident.remember.done",
            details=profile_text(
                turn, details.get("building"), details.get("room"), details.get("phone")
            ),
        )
        return None

    async def register(self, turn: Turn, *, consented: bool = False) -> None:
        slots: dict[str, Any] = {"intent": "register", "name": turn.user_name}
        if consented:
            slots["consent"] = "yes"
        await self.engine.begin(turn, "register", slots)

    async def start(self, turn: Turn) -> None:
        """/start: welcome, then registration (or the details already kept)."""
        flow = self.engine.flow_of(turn.state)
        if flow is not None and flow.emergency:
            await self.engine.reask(turn)
            return
        await self._leave(turn)
        await turn.send("resident.welcome", name=turn.user_name or turn.text("resident.you"))
        profile = await turn.profile()
        if profile is not None and profile.has_details:
            details = profile_text(turn, profile.building, profile.room, profile.phone)
            await turn.send(
                "resident.register.already",
                keyboard([(turn.label("resident.button.update"), "menu:register")]),
                details=details,
            )
            return
        await self.register(turn)

    async def show_me(self, turn: Turn) -> None:
        profile = await turn.profile()
        if profile is None or not profile.has_details:
            await turn.send("resident.me.empty")
            return
        await turn.send(
            "resident.me.shown",
            keyboard([(turn.label("resident.button.update"), "menu:register")]),
            details=profile_text(turn, profile.building, profile.room, profile.phone),
        )

    async def forget(self, turn: Turn) -> None:
        had = await self.ctx.profiles.forget(turn.user_id)
        turn.forget_cached_profile()
        if turn.state.active:
            turn.slots.pop("remember", None)
            await self.engine.store.save(turn.state)
        else:
            await self.engine.end(turn)
        await turn.send("resident.forget.done" if had else "resident.forget.nothing")

    # -- not words ----------------------------------------------------------------------------------
    async def attachment(self, turn: Turn, attachment: Attachment, caption: str) -> None:
        """A photo, voice message, sticker, location, contact or file: a clear answer, and
        whatever it carries (a photo, a phone) kept for the ticket that follows."""
        kind = attachment.kind
        if kind in (AttachmentKind.PHOTO, AttachmentKind.DOCUMENT):
            await self._keep_file(turn, attachment)
            if caption:
                await self.text(turn, caption)
            elif turn.state.active:
                await self.engine.reask(turn, lead=turn.text("resident.attachment.photo_in_flow"))
            else:
                await self._outside_flow(turn, "resident.attachment.photo")
            return
        if kind is AttachmentKind.CONTACT:
            phone = parse_phone(attachment.phone or "", self.engine.checks.region)
            if phone is None:
                await self._reply(turn, "resident.attachment.contact_unreadable")
                return
            current = self.engine.current(turn)
            if current is not None and current[1].name == "phone":
                await self.engine.accept(turn, *current, {"phone": phone})
                return
            if not turn.slots.get("phone"):
                turn.slots["phone"] = phone
            await self._reply(turn, "resident.attachment.contact", masked=mask_phone(phone))
            return
        if kind is AttachmentKind.LOCATION:
            turn.slots["location"] = {
                "latitude": attachment.latitude,
                "longitude": attachment.longitude,
            }
            current = self.engine.current(turn)
            if current is not None and current[1].name == "place":
                place = turn.text("resident.attachment.pin")
                await self.engine.accept(turn, *current, {"place": place})
                return
            await self._reply(turn, "resident.attachment.location")
            return
        key = {
            AttachmentKind.VOICE: "resident.attachment.voice",
            AttachmentKind.AUDIO: "resident.attachment.voice",
            AttachmentKind.VIDEO: "resident.attachment.video",
            AttachmentKind.STICKER: "resident.attachment.sticker",
        }.get(kind, "resident.attachment.other")
        await self._reply(turn, key, keep=False, counts=True)

    async def _reply(
        self, turn: Turn, key: str, *, keep: bool = True, counts: bool = False, **values: object
    ) -> None:
        """Answer a non-text message: inside a flow, with the question asked again (and a
        lead without a question of its own: `<key>_in_flow` when there is one); `counts`
        when the message could not answer (a voice message twice in an emergency moves on)."""
        if turn.state.active:
            lead_key = key
            for variant in ("_again" if counts and self.engine.tries(turn) else "", "_in_flow"):
                if variant and turn.has_text(key + variant):
                    lead_key = key + variant
                    break
            await self.engine.reask(turn, lead=turn.text(lead_key, **values), counts=counts)
            return
        if keep:
            await self._outside_flow(turn, key, **values)
        else:
            await turn.send(key, buttons=self.menu_buttons(turn), **values)

    async def _outside_flow(self, turn: Turn, key: str, **values: object) -> None:
        """Something kept for the next flow; a ticket still open gets it instead."""
        ticket = await self.ctx.tickets.active_ticket_for(turn.chat_id)
        if ticket is not None and turn.incoming is not None:
            await self.on_open_ticket(turn, ticket, "", None)
            return
        await self.engine.store.save(turn.state)
        await turn.send(key, buttons=self.menu_buttons(turn), **values)

    async def _keep_file(self, turn: Turn, attachment: Attachment) -> None:
        if not attachment.file_id:
            return
        is_image = attachment.kind is AttachmentKind.PHOTO or (
            (attachment.mime_type or "").startswith("image/")
        )
        slot = "photos" if is_image else "documents"
        files = list(turn.slots.get(slot, []))
        if attachment.file_id not in files:
            turn.slots[slot] = [*files, attachment.file_id]
        await self.engine.store.save(turn.state)
