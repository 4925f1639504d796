"""The flow engine: runs any flow of `bot/flows/catalog.py` one question at a time.

State lives in the `conversations` table (`ConversationStore`), so a restart continues where
it stopped. Each question has a deadline (`deadline_at`); `sweep()` hands a passed deadline
to the flow's `on_idle` (emergencies open their ticket with what is known). One lock per
chat keeps a message and the sweep from interleaving.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from bot.core.actions import EditText, Keyboard, keyboard
from bot.core.incoming import Incoming
from bot.estate import EstateRegistry
from bot.estates import Estates
from bot.flows.answers import hurt_now, residue
from bot.flows.catalog import CATALOG
from bot.flows.locks import KeyedLocks
from bot.flows.places import mask_phone, place_text
from bot.flows.reading import ADDRESS_STEPS, DECLINE, OFFER, SKIP, Reading, place_values, read
from bot.flows.spec import Answer, Choice, Flow, Offer, Step
from bot.flows.steps import ASK_ESTATE, RECENT_PLACE, fit_place, offered
from bot.flows.store import Marks, State
from bot.flows.turn import Turn
from bot.flows.validators import MAX_SHORT_ANSWER, PHONE_PART, Checks, has_words, tries_answer
from bot.texts import Raw

if TYPE_CHECKING:
    from bot.core.ports import ConversationStorage, Isolation
    from bot.flows.context import FlowContext

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 1.0
RETRY_SECONDS = 10.0
NOTE_MIN_CHARS = 2  # an unusable answer this long is kept as a note for the ticket
MAX_NOTES = 10
MAX_TRIES = 3  # unusable answers to a required question before it is skipped anyway
MAX_TRIES_OPTIONAL = 2  # ... to an optional one (and to every question of an emergency)
DETAIL_STEPS = frozenset({"building", "room", "place_building", "phone"})
EMERGENCY_DETAILS = frozenset({*DETAIL_STEPS, "estate", "place", "floor"})
EMERGENCY_STRAYS = 2
"""Messages of an emergency that answer none of its detail questions: at the second, the
ticket opens with what is known (staff ask the rest; later details still reach it). A
frightened resident who talks about the danger instead of the address is not kept from the
staff by questions (a resident who answers gets every question)."""
REPORT_STRAYS = 1
"""Messages about a repair, complaint or outage at its address question that do not count
as a failed answer: one (the words are kept, the question asked again); after it they
count, so "请问在哪一栋" is not asked six times of someone talking about the outage."""
STRAYS = "strays"  # the slot that counts them
ECHO_CHARS = 40  # of words added to the ticket, shown back to the resident


OFFERED_STEPS = frozenset({"building", "place_building", "phone"})
"""Questions whose offer (a remembered or recent block, a phone) is taken when talked past."""


class FrontDeskPort(Protocol):
    """What the engine hands back to the resident's front desk (`bot/handlers/resident/`)
    when a flow asks: the guessed emergency is not happening, or something else is."""

    async def not_confirmed(self, turn: Turn) -> None: ...

    async def reconsider(self, turn: Turn) -> bool: ...


class FlowEngine:
    """Runs flows; implements `Conversation` (what a flow definition asks of it).

    Built by the bootstrap with the conversation's typed context, the storage of
    conversation state and the per-conversation isolation (aiogram's storage + lock)."""

    def __init__(
        self, ctx: FlowContext, *, store: ConversationStorage, locks: Isolation | None = None
    ) -> None:
        from bot.intents.normalize import TextNormalizer

        self.ctx = ctx
        self.settings = ctx.settings
        self.clock = ctx.clock
        self.texts = ctx.texts
        self.outbox = ctx.outbox
        self.normalizer = TextNormalizer()  # Traditional -> Simplified for reading answers
        self.store = store
        self.estates = ctx.estates or Estates.single(ctx.settings)
        self.estate = self.estates.default.registry  # one estate: its registry
        self.checks = self.checks_for({})
        self.locks = locks or KeyedLocks()
        self.catalog: dict[str, Flow] = dict(CATALOG)  # the flows this engine runs, by name
        self.desk: FrontDeskPort | None = None  # the resident's front desk (the bootstrap sets it)

    # -- estates ----------------------------------------------------------------------------
    def registry(self, estate_id: int | None) -> EstateRegistry:
        """The buildings to check answers against: the estate's; with several estates and
        none chosen yet, any building (checked once the estate is known)."""
        estate = self.estates.get(estate_id)
        if estate is None and not self.estates.several:
            estate = self.estates.default
        return estate.registry if estate is not None else EstateRegistry.empty()

    def checks_for(self, slots: dict[str, Any]) -> Checks:
        estate = self.estates.get(slots.get("estate")) or self.estates.default
        region: Literal["CN", "HK"] = "HK" if estate.region == "HK" else "CN"
        return Checks(
            region=region, estate=self.registry(slots.get("estate")), estates=self.estates
        )

    async def estate_of(self, turn: Turn) -> int | None:
        """The resident's estate: the conversation's, else the profile's, else the only one."""
        said = turn.slots.get("estate")
        if isinstance(said, int) and self.estates.known(said):
            return said
        profile = await turn.profile()
        return self.estates.resolved(profile.estate_id if profile is not None else None)

    def choices(self, step: Step) -> tuple[Choice, ...]:
        """A question's fixed buttons, then those made from data (the estates)."""
        extra = step.choices_from(self.ctx) if step.choices_from is not None else ()
        return (*step.choices, *extra)

    # -- state ------------------------------------------------------------------------------
    async def load(self, chat_id: str, user_id: str) -> State:
        return await self.store.load(chat_id, user_id)

    def flow_of(self, state: State) -> Flow | None:
        return self.catalog.get(state.flow) if state.flow else None

    def current(self, turn: Turn) -> tuple[Flow, Step] | None:
        flow = self.flow_of(turn.state)
        step = flow.step(turn.state.step) if flow else None
        return (flow, step) if flow and step else None

    async def end(self, turn: Turn, keep: dict[str, Any] | None = None) -> None:
        """Leave the flow; `keep` stays in the conversation for the next one."""
        turn.state.reset(keep)
        await self.store.save(turn.state)

    async def not_confirmed(self, turn: Turn) -> None:
        """A guessed emergency the resident says is not happening (the front desk decides)."""
        assert self.desk is not None, "the bootstrap gives the engine its front desk"
        await self.desk.not_confirmed(turn)

    async def reconsider(self, turn: Turn) -> bool:
        """What is happening instead of a guessed emergency (the front desk reads it)."""
        assert self.desk is not None, "the bootstrap gives the engine its front desk"
        return await self.desk.reconsider(turn)

    def turn(
        self, state: State, locale: str, user_name: str = "", incoming: Incoming | None = None
    ) -> Turn:
        """A turn of this engine's conversations."""
        return Turn(self.ctx, self, state, locale, user_name, incoming)

    # -- running a flow ---------------------------------------------------------------------
    async def begin(self, turn: Turn, name: str, slots: dict[str, Any]) -> None:
        """Start flow `name` with what is already known (None values are not known)."""
        flow = self.catalog[name]
        state = turn.state
        state.flow, state.step = name, None
        state.started_at = self.clock.now()
        state.slots = {k: v for k, v in slots.items() if v is not None}
        state.slots["locale"] = turn.locale
        state.slots.pop(ASK_ESTATE, None)
        if not self.estates.known(state.slots.get("estate")):
            state.slots.pop("estate", None)
            estate = await self.estate_of(turn)
            if estate is None:
                state.slots[ASK_ESTATE] = True  # asked like the building, in its turn
            else:
                state.slots["estate"] = estate
        fit_place(self.ctx, state.slots)
        asks_where = flow.step("building") is not None
        if asks_where and not any(
            state.slots.get(k) for k in ("building", "area", "everywhere")
        ):  # a place inside a block ("电梯里") is offered the block
            profile = await turn.profile()
            recent = await self.ctx.tickets.recent_place(
                turn.chat_id, after=profile.forgotten_at if profile is not None else None
            )
            if recent:  # a report of a few hours ago: its block and flat offered
                state.slots[RECENT_PLACE] = recent
        state.marks = Marks()
        opening = flow.opening(state.slots) if flow.opening else None
        if opening:
            await turn.send(opening)
        await self.advance(turn)

    async def advance(self, turn: Turn, lead: str = "") -> None:
        """Ask the next needed question, run the next action, or finish.

        `lead` goes before the next question ("已记下电话…"); finishing says enough itself.
        """
        flow = self.flow_of(turn.state)
        while flow is not None:
            step = flow.next_step(turn.slots)
            turn.state.step = step.name if step else None
            if step is None:
                # a safety net: should finishing fail half-way (a crash, a database error),
                # the sweep finishes it again soon; nothing is dropped
                turn.state.deadline_at = self.clock.now() + timedelta(seconds=RETRY_SECONDS)
                await self.store.save(turn.state)
                await flow.finish(turn)
                if turn.state.flow == flow.name and turn.state.step is None:
                    await self.end(turn)
                return
            if step.action is not None:
                await self.store.save(turn.state)
                if await step.action(turn):
                    return
                turn.slots.setdefault(step.fills[0], True)
                continue
            self._restart_clock(turn, flow, step)
            await self.ask(turn, flow, step, lead=lead)
            return

    def _restart_clock(self, turn: Turn, flow: Flow, step: Step) -> None:
        seconds = (step.timeout or flow.idle_seconds)(self.settings)
        turn.state.deadline_at = self.clock.now() + timedelta(seconds=seconds)

    async def ask(
        self, turn: Turn, flow: Flow, step: Step, error: Answer | None = None, lead: str = ""
    ) -> None:
        """Send the step's question (or why the last answer did not fit), with its buttons."""
        offer = await offered(turn, step)
        if error is not None and error.error:
            html = turn.text(error.error, **{**self.prompt_values(turn), **error.error_values})
        else:
            key = step.prompt_key(turn.slots)
            if offer is not None and turn.text.has(key + "_offer"):
                key += "_offer"
            elif step.prompt_place and turn.slots.get("place"):
                key = step.prompt_place
            html = turn.text(key, **self.prompt_values(turn, offer))
        turn.state.marks.prompt = html
        if lead:
            html = f"{lead}\n\n{html}"
        buttons = self.buttons(turn, flow, step, offer)
        turn.state.marks.buttons = {
            "step": step.name,
            "shown": [
                [b.data.rsplit(":", 1)[-1], b.text]
                for row in buttons or ()
                for b in row
                if b.data.startswith(f"flow:{step.name}:")
            ],
        }
        await self.store.save(turn.state)
        await turn.send_html(html, buttons)

    def optional(self, flow: Flow, step: Step) -> bool:
        """Whether "不知道" may skip the question: never block an emergency on a detail."""
        return flow.emergency or step.optional or step.skippable

    def max_tries(self, flow: Flow, step: Step) -> int:
        if self.optional(flow, step):
            return min(MAX_TRIES_OPTIONAL, flow.max_attempts or MAX_TRIES_OPTIONAL)
        return flow.max_attempts or MAX_TRIES

    def read(self, turn: Turn, flow: Flow, step: Step, text: str) -> Reading:
        """What `text` says as an answer to the current question (see `bot/flows/reading.py`)."""
        room_first = turn.state.marks.room  # validators see it as `_room` (building_first)
        return read(
            self.normalizer.to_simplified(text),
            step,
            {**turn.slots, "_room": room_first} if room_first else turn.slots,
            self.checks_for(turn.slots),
            buttons=self.button_values(turn, step),
            optional=self.optional(flow, step),
        )

    async def answer(self, turn: Turn, text: str) -> None:
        """A typed answer to the current question."""
        current = self.current(turn)
        if current is None:
            return
        flow, step = current
        if step.validate is None:
            await self.advance(turn)
            return
        await self.apply(turn, flow, step, text, self.read(turn, flow, step, text))

    async def apply(self, turn: Turn, flow: Flow, step: Step, text: str, reading: Reading) -> None:
        """Use everything the answer says; re-ask kindly, at most twice, what it did not."""
        if reading.button is not None:
            turn.slots.update(reading.gained)
            if not await self.choose(turn, flow, step, reading.button, typed=True):
                await self.ask(turn, flow, step)  # the offer is gone (/forget): ask afresh
            return
        lead = self._take(turn, reading.gained)
        if reading.values is not None:
            words_kept = step.name in ("description", "place")  # the answer is the words
            if not words_kept and (reading.more or reading.values.get("place")):
                self.note(turn, text)  # words beyond the answer reach the ticket
            await self.accept(turn, flow, step, dict(reading.values), lead=lead)
            return
        if reading.gained and not reading.more:  # the answer to another question only
            await self.advance(turn, lead=lead)
            return
        room_first = reading.error.error_values.get("room") if reading.error else None
        if step.name == "building" and room_first:
            turn.state.marks.room = room_first  # "1202", then "3栋": the room is kept
        unit = reading.error.error_values.get("unit_of") if reading.error else None
        if step.name == "room" and unit:  # 16栋, then "1单元": "16栋1单元哪一户？"
            turn.slots["building"] = str(unit)
            if not flow.emergency:
                self._restart_clock(turn, flow, step)
            await self.ask(turn, flow, step, lead=lead)
            return
        begun = reading.error.error_values.get(PHONE_PART) if reading.error else None
        if step.name == "phone" and begun:
            # "电话 139 0571", then "2846": the first digits kept (on the ticket too, should it
            # open first), the rest asked for; no failed try, but in an emergency, where the
            # ticket waits on no detail, it counts like any other
            turn.slots[PHONE_PART] = str(begun)
            if not flow.emergency:
                self._restart_clock(turn, flow, step)
                await self.ask(turn, flow, step, error=reading.error, lead=lead)
                return
        noted = not room_first and self.note(turn, text)
        # about the danger, not the question: words with no number (a wrong building, a
        # short phone, a pointer or emoji only are tries at answering it: kindly re-asked)
        # "119打了" (the fire service), "6岁", "我们在14楼" at the building question: no try
        strays = has_words(text) and not tries_answer(text, step.name)
        if strays and not (reading.gained or reading.pointer or room_first):
            if (
                self._strayed(turn, flow, step)
                or self._in_danger(flow, step, text)
                or (flow.emergency and await self._offer_talked_past(turn, step))
            ):
                await self.cut_short(turn, flow)
                return
        patient = (
            strays and noted and not flow.emergency and step.name in ADDRESS_STEPS
            and self._told_more(turn)
        )
        if not patient and self._tried(turn, flow, step):
            # said twice where it is ("那棵树下面", then "就在树下面"): that is the place; a
            # pointer said once and then other words ("挂在外面墙上那个…", "空调我已经关了")
            # is no answer
            # ("里面" twice about a lift already named is no new place)
            pointer = reading.pointer if turn.state.marks.pointer else None
            if pointer and step.places and not turn.slots.get("place"):
                await self.accept(turn, flow, step, place_values(step, pointer), lead=lead)
                return
            await self.skip(turn, flow, step, lead)
            return
        if reading.pointer:
            turn.state.marks.pointer = reading.pointer
        self._restart_clock(turn, flow, step)
        error, why = self._why(turn, step, text, reading, noted, emergency=flow.emergency)
        await self.ask(turn, flow, step, error=error, lead="\n".join(p for p in (lead, why) if p))

    def tries(self, turn: Turn) -> int:
        """Unusable answers to the current question so far."""
        return int(turn.state.marks.tries.get(turn.state.step or "", 0))

    def _tried(self, turn: Turn, flow: Flow, step: Step) -> bool:
        """Count an unusable answer; True when the question has been asked often enough."""
        tries = dict(turn.state.marks.tries)
        tries[step.name] = tries.get(step.name, 0) + 1
        turn.state.marks.tries = tries
        return tries[step.name] >= self.max_tries(flow, step)

    def _strayed(self, turn: Turn, flow: Flow, step: Step) -> bool:
        """Count a message of an emergency that answered no detail question; True when the
        ticket should not wait any longer (EMERGENCY_STRAYS)."""
        if not flow.emergency or step.name not in EMERGENCY_DETAILS:
            return False
        turn.slots[STRAYS] = int(turn.slots.get(STRAYS) or 0) + 1
        return int(turn.slots[STRAYS]) >= EMERGENCY_STRAYS

    @staticmethod
    async def _offer_talked_past(turn: Turn, step: Step) -> bool:
        """A block or a phone offered in an emergency ("还是在 3栋1单元601 吗？") answered with
        words about the danger ("打了120 说马上到", blind DV03, DW10): the ticket opens now
        with what was offered (staff told it was not confirmed), not after another message."""
        return step.name in OFFERED_STEPS and await offered(turn, step) is not None

    @staticmethod
    def _in_danger(flow: Flow, step: Step, text: str) -> bool:
        """Words of someone in danger ("头磕破了在流血", "女的在喊救命") instead of the answer
        to an emergency's detail question: its ticket opens now, not at the next message."""
        # not "着火" in "不是着火 是有人在烧纸", nor "没流血"
        return flow.emergency and step.name in EMERGENCY_DETAILS and hurt_now(text)

    @staticmethod
    def _told_more(turn: Turn) -> bool:
        """Words about a repair or complaint at its address question ("it make
        very loud noise", "我跟他们说过好几次了") are kept for staff and the question asked
        again, without counting as a failed try, up to REPORT_STRAYS such messages (then
        they count, so the questions never loop)."""
        turn.slots[STRAYS] = int(turn.slots.get(STRAYS) or 0) + 1
        return int(turn.slots[STRAYS]) <= REPORT_STRAYS

    async def cut_short(self, turn: Turn, flow: Flow) -> None:
        """Open the emergency's ticket now: every detail still asked is left to staff (the
        ticket says which); what the resident sends next goes to the ticket. A block or a
        phone offered at the question being asked ("还是在 10栋1单元302 吗？") and talked past
        is taken, as in silence, and staff are told it was not confirmed."""
        current = flow.step(turn.state.step) if turn.state.step else None
        if flow.emergency and current is not None and current.name in OFFERED_STEPS:
            offer = await offered(turn, current)
            wanted = "phone" if current.name == "phone" else "building"
            if offer is not None and offer.values.get(wanted):
                turn.slots.update(offer.values)
                if wanted == "building":
                    turn.slots["place_offered"] = True
        for step in flow.steps:
            if step.name in EMERGENCY_DETAILS and step.needed(turn.slots):
                turn.slots.update(dict.fromkeys(step.fills))
        turn.slots["cut_short"] = True
        turn.state.marks.tries, turn.state.marks.pointer = {}, None
        await self.advance(turn)

    async def skip(self, turn: Turn, flow: Flow, step: Step, lead: str = "") -> None:
        """Go on without this answer (staff will ask): never a loop, never a dead end. In an
        emergency, a block offered ("还是在 8栋 吗？") and talked past is taken, and staff
        are told it was not confirmed."""
        values: dict[str, Any] = dict.fromkeys(step.fills)
        where = flow.emergency and step.name in ("building", "place_building")
        offer = await offered(turn, step) if where else None
        if offer is not None and offer.values.get("building"):
            values.update(offer.values)
            turn.slots["place_offered"] = True
        lead = "\n".join(p for p in (lead, turn.text("resident.skipped")) if p)
        await self.accept(turn, flow, step, values, lead=lead)

    def _why(
        self, turn: Turn, step: Step, text: str, reading: Reading, noted: bool, *,
        emergency: bool = False,
    ) -> tuple[Answer | None, str]:
        """(the validator's refusal, or a kind line before the question asked again)."""
        rest = reading.rest or text
        digits = tries_answer(rest, step.name)
        emoji_only = not has_words(rest) and not any(ch.isdigit() for ch in rest)
        if emoji_only and step.name in DETAIL_STEPS:
            return None, turn.text("resident.again")
        if len(text) > MAX_SHORT_ANSWER:
            return Answer.refuse("resident.invalid.too_long"), ""
        told = step.name in ("phone", "room", "floor") or (
            step.name in ("building", "place_building")
            and (not step.places or emergency or not reading.pointer)
        )
        if not digits and told and noted:  # "这个月第三次了": kept for staff, the question again
            words = " ".join(rest.split())  # without a phone said along (noted above it)
            short = words if len(words) <= ECHO_CHARS else words[:ECHO_CHARS] + "…"
            return None, turn.text("resident.noted.words", words=short)
        if not digits and step.places and step.name == "building":
            return Answer.refuse("resident.invalid.where"), ""
        return reading.error, ""

    def _take(self, turn: Turn, gained: dict[str, Any]) -> str:
        """Keep the details answered early; the line that says so."""
        if not gained:
            return ""
        turn.slots.update(gained)
        lines = []
        if "building" in gained:
            place = place_text(turn, gained["building"], gained.get("room"))
            lines.append(turn.text("resident.noted.place", place=place))
        elif "room" in gained:
            place = place_text(turn, turn.slots.get("building"), gained["room"])
            lines.append(turn.text("resident.noted.place", place=place))
        if "phone" in gained:
            lines.append(turn.text("resident.noted.phone", masked=mask_phone(gained["phone"])))
        return "\n".join(lines)

    async def accept(
        self, turn: Turn, flow: Flow, step: Step, values: dict[str, Any], lead: str = ""
    ) -> None:
        skipped = step.name == "building" and not values.get("building") and "area" not in values
        if skipped and turn.state.marks.room:
            values = {**values, "room": turn.state.marks.room}  # the room said first is kept
        turn.slots.update(values)
        if values.get("phone"):
            turn.slots.pop(PHONE_PART, None)
        turn.state.marks.tries, turn.state.marks.pointer = {}, None
        if step.after is not None and await step.after(turn):
            return
        await self.advance(turn, lead=lead)

    async def reask(self, turn: Turn, lead: str = "", *, counts: bool = False) -> None:
        """Ask the current question again (after a photo, a voice message, a sticker...), or
        the next one when a correction answered it.

        `counts`: the message could not answer it (a voice message, a sticker): like an
        unusable answer, it counts towards skipping the question."""
        current = self.current(turn)
        if current is None:
            return
        flow, step = current
        if not step.needed(turn.slots):  # answered meanwhile ("应该是…9栋2单元 我住1102")
            await self.advance(turn, lead=lead)
            return
        if counts and step.validate is not None and self._tried(turn, flow, step):
            await self.skip(turn, flow, step, lead)
            return
        await self.ask(turn, flow, step, lead=lead)

    async def press(self, turn: Turn, step_name: str, value: str) -> bool:
        """A button of a question; False when it belongs to a question no longer asked."""
        current = self.current(turn)
        if current is None or current[1].name != step_name:
            return False
        return await self.choose(turn, *current, value, typed=False)

    async def choose(self, turn: Turn, flow: Flow, step: Step, value: str, *, typed: bool) -> bool:
        """A button pressed, or its label typed (then the question keeps its buttons)."""
        if value == DECLINE:
            turn.state.marks.declined = [*turn.state.marks.declined, step.name]
            if not typed:
                await self.settle(turn, turn.text.plain("resident.button.not_it"))
            await self.ask(turn, flow, step)
            return True
        values: dict[str, Any] | None = None
        label = ""
        if value == OFFER:
            offer = await offered(turn, step)
            if offer is not None:
                values, label = dict(offer.values), self.offer_label(turn, offer)
        elif value == SKIP and (step.skippable or (typed and self.optional(flow, step))):
            values, label = dict.fromkeys(step.fills), turn.text.plain("resident.button.skip")
        else:
            choice = next((c for c in self.choices(step) if c.value == value), None)
            if choice is not None:
                values, label = dict(choice.values), choice.text or turn.text.plain(choice.label)
        if values is None:
            return False
        if not typed:
            await self.settle(turn, label)
        lead = turn.text("resident.skipped") if typed and value == SKIP else ""
        await self.accept(turn, flow, step, values, lead=lead)
        return True

    async def settle(self, turn: Turn, label: str) -> None:
        """Take the buttons off the question just answered by a press, showing the choice."""
        prompt = turn.state.marks.prompt
        message_id = turn.incoming.message_id if turn.incoming else None
        if prompt and message_id is not None:
            text = turn.text("resident.chosen", prompt=Raw(prompt), choice=label)
            await self.outbox.send(EditText(turn.chat_id, message_id, text, None))

    async def cancel(self, turn: Turn) -> None:
        flow = self.flow_of(turn.state)
        if flow is None:
            await turn.send("resident.cancel.nothing")
            return
        await self.end(turn)
        await turn.send("resident.cancel.emergency" if flow.emergency else "resident.cancel.done")

    def note(self, turn: Turn, text: str) -> bool:
        """Keep words that did not answer the question: they go on the ticket (nothing lost).

        Words that say something ("没事了"; not "好的", "嗯"), or any digits ("15栋", "12345":
        a wrong building, a partial phone) are kept; True when the words are on the ticket."""
        cleaned = " ".join((text or "").split())
        digits = any(ch.isdigit() for ch in cleaned)
        says = has_words(cleaned) and len(cleaned) >= NOTE_MIN_CHARS and bool(residue(cleaned))
        if not says and not digits:
            return False
        notes = list(turn.slots.get("notes", []))
        if cleaned[:1000] in notes:
            return True
        if len(notes) >= MAX_NOTES:
            return False
        turn.slots["notes"] = [*notes, cleaned[:1000]]
        return True

    # -- rendering ------------------------------------------------------------------------------

    def prompt_values(self, turn: Turn, offer: Offer | None = None) -> dict[str, object]:
        slots = turn.slots
        values: dict[str, object] = {
            "place": place_text(turn, slots.get("building"), slots.get("room"), slots.get("place")),
            "building": place_text(turn, slots.get("building"), None, None),
        }
        intent = slots.get("intent")
        if intent and turn.text.has(f"safety.{intent}.now"):
            key = slots.get("situation") or intent
            named = key if key != "plea" and turn.text.has(f"safety.{key}.name") else intent
            values["hazard"] = turn.text(f"safety.{named}.name")  # "请问是老人走失吗？"
            values["safety_now"] = Raw(turn.text(f"safety.{key}.now"))
        if offer is not None:
            values.update(offer.label_values)
            values["offer_place"] = place_text(
                turn, offer.values.get("building"), offer.values.get("room")
            )
        return values

    def offer_label(self, turn: Turn, offer: Offer) -> str:
        return turn.text.plain(offer.label, **self.prompt_values(turn, offer))

    def buttons(self, turn: Turn, flow: Flow, step: Step, offer: Offer | None) -> Keyboard | None:
        rows: list[list[tuple[str, str]]] = []
        if offer is not None:
            rows.append([(self.offer_label(turn, offer), f"flow:{step.name}:{OFFER}")])
        row = [
            (c.text or turn.text.plain(c.label), f"flow:{step.name}:{c.value}")
            for c in self.choices(step)
        ]
        if len(row) > 3:  # many (the estates, the dangers): `step.columns` a row
            width = max(1, step.columns)
            rows.extend(row[i : i + width] for i in range(0, len(row), width))
            row = []
        if offer is not None and offer.decline:
            row.insert(0, (turn.text.plain(offer.decline), f"flow:{step.name}:{DECLINE}"))
        if step.skippable:
            row.append((turn.text.plain("resident.button.skip"), f"flow:{step.name}:{SKIP}"))
        if row:
            rows.append(row)
        if not flow.emergency:
            rows.append([(turn.text.plain("resident.button.cancel"), "flow:cancel")])
        return keyboard(*rows) if rows else None

    def button_values(self, turn: Turn, step: Step) -> list[tuple[str, str]]:
        """(value, label) of the question's own buttons, as `buttons` shows them now."""
        shown = turn.state.marks.buttons or {}
        if shown.get("step") != step.name:
            return []
        return [(str(value), str(label)) for value, label in shown.get("shown", ())]

    # -- idle deadlines -------------------------------------------------------------------------
    async def sweep(self) -> int:
        """Handle every conversation whose step deadline has passed; returns count."""
        handled = 0
        for chat_id, user_id, deadline in await self.store.due(self.clock.now()):
            async with self.locks(chat_id):
                if not await self.store.claim(chat_id, deadline):
                    continue
                state = await self.store.load(chat_id, user_id)
                flow = self.flow_of(state)
                if flow is None:
                    continue
                locale = str(state.slots.get("locale") or self.texts.default)
                turn = self.turn(state, locale, state.slots.get("name", ""))
                try:
                    if state.step is None:  # finishing was interrupted: finish it now
                        await self.advance(turn)
                    else:
                        await flow.on_idle(turn)
                    handled += 1
                except Exception:
                    log.exception("idle handling failed for chat %s (flow %s)", chat_id, flow.name)
                    await self._retry_later(chat_id, user_id)
        return handled

    async def _retry_later(self, chat_id: str, user_id: str) -> None:
        """An idle handler failed (database hiccup?): try again soon; never drop it."""
        try:
            state = await self.store.load(chat_id, user_id)
            if state.active:
                state.deadline_at = self.clock.now() + timedelta(seconds=RETRY_SECONDS)
                await self.store.save(state)
        except Exception:
            log.exception("could not reschedule idle handling for chat %s", chat_id)

    async def run_sweeper(self, stop: asyncio.Event) -> None:
        """Expire idle steps (emergencies escalate after FLOW_IDLE_ESCALATE_SECONDS)."""
        while not stop.is_set():
            try:
                await self.sweep()
            except Exception:
                log.exception("flow sweep failed; retrying")
            try:
                await asyncio.wait_for(stop.wait(), timeout=SWEEP_INTERVAL)
            except TimeoutError:
                pass
