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

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.core.places import without_block
from bot.flows.answers import (
    CALLED,
    after_greeting,
    all_well,
    asks,
    asks_my_tickets,
    asks_us_to_call,
    asks_where_we_are,
    called,
    called_off,
    corrects,
    danger_now,
    distress,
    fixed,
    fixed_itself,
    getting_worse,
    is_cancel,
    is_resolved,
    names_danger,
    no_calls,
    not_fixed,
    nothing_wrong,
    other_matter,
    residue,
    sent_by_mistake,
    shaken,
    short_of_breath,
    stars,
    wants_person,
)
from bot.flows.emergency import (
    PLEA,
    QUESTION_LINE,
    SAID_WELL,
    call_for_me,
    line_key,
    safety,
    tell_where,
)
from bot.flows.engine import EMERGENCY_DETAILS
from bot.flows.places import mask_phone, place_text
from bot.flows.reading import Reading
from bot.flows.report import FIXED_ITSELF, STILL_NEEDED
from bot.flows.steps import YES
from bot.flows.ticketing import DETAILS, description_of, open_ticket
from bot.flows.validators import addressable, has_words, says_yes, squash, tries_answer
from bot.handlers.resident.base import (
    BYE,
    FIRST_PLACE,
    INTERRUPTED,
    DeskBase,
    DeskPart,
    corrected,
    describes,
    kindred,
    says_thanks,
)
from bot.intents import taxonomy as tx
from bot.intents.entities import extract_entities
from bot.storage.models import TicketStatus

MY_TICKETS_MAX_CHARS = 24
"""A question for the list of one's tickets is short; longer words say something more."""
HIDDEN_HARM = frozenset({"poisoning", "co"})
"""Situations whose harm shows later ("他现在没事 在玩" after a swallowed battery, "好点了" in
carbon monoxide): "seems fine" does not end the report."""
OWN_TEXT = "own_text"
"""Slot: an emergency's own first words, when `text` also holds those of what it interrupted."""
LAST_FAQ = "last_faq"
"""Slot of the FAQ entry answered last (the same one again goes to staff)."""
LAST_FAQ_AT = "last_faq_at"
"""Slot: when it was answered (ISO time)."""
LAST_FAQ_WINDOW = timedelta(minutes=30)
"""How long a follow-up counts as more of the question the FAQ answered."""
REPORTS = frozenset({tx.REPAIR, tx.COMPLAINT, tx.INQUIRY, tx.POWER_OUTAGE, tx.WATER_OUTAGE})
"""Intents whose report (or question) goes to staff on a ticket: within one under way,
words that read as another stay on it (Intake._stays)."""

if TYPE_CHECKING:
    from bot.flows.situations import Found
    from bot.flows.turn import Turn
    from bot.handlers.resident.open_ticket import OpenTicket
    from bot.handlers.resident.profile import ProfileDesk
    from bot.intents.classification import Classification
    from bot.storage.models import Ticket


class Intake(DeskPart):
    def __init__(self, base: DeskBase, open_ticket: OpenTicket, profile: ProfileDesk) -> None:
        super().__init__(base)
        self.open_ticket = open_ticket
        self.profile = profile

    # -- typed words -------------------------------------------------------------------------
    async def text(self, turn: Turn, text: str) -> None:
        if turn.state.active and self.engine.current(turn) is not None:
            await self._in_flow(turn, text)
            return
        if await self.profile.remember_typed(turn, text):
            return
        if turn.slots.pop("remember_at", None) is not None:  # a later "好的" answers another
            await self.engine.store.save(turn.state)  # thing (a typed "记住" still counts)
        if is_cancel(text):
            await self.engine.cancel(turn)
            return
        if asks_my_tickets(text) and len(squash(text)) <= MY_TICKETS_MAX_CHARS:
            await self.open_ticket.mine.show(turn)  # "我报了几个单子" (blind EB04, EB10)
            return
        found = self.base.classify(text)
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
        ticket = await self.open_ticket.ticket_for(turn)
        if ticket is not None:
            await self.open_ticket.on_open_ticket(turn, ticket, text, self.base.classify(text))

    async def _in_flow(self, turn: Turn, text: str) -> None:
        """Words inside a flow: a typed button, a cancel, a new emergency, or the answer."""
        current = self.engine.current(turn)
        assert current is not None
        flow, step = current
        if flow.emergency and called(text):  # "120已经打了 他们问小区怎么进": not told again
            turn.slots[CALLED] = True
        where = flow.emergency and asks_where_we_are(text)  # "120问地址 你们小区叫什么啊"
        service = asks_us_to_call(text) if flow.emergency else None
        if where and service is None:
            slots = turn.slots
            await tell_where(turn, slots.get("building"), slots.get("room"), slots.get("place"))
            self.engine.note(turn, text)
            await self.engine.reask(turn)
            return
        if service is not None:  # "帮我打119 我不敢打电话": we cannot; staff are asked, now
            intent, situation = str(turn.slots.get("intent")), turn.slots.get("situation")
            await call_for_me(turn, service, intent, situation)
            if where:  # "你们帮我叫救护车 … 不知道小区全名怎么说"
                slots = turn.slots
                await tell_where(turn, slots.get("building"), slots.get("room"), slots.get("place"))
            if step.name == "confirm":  # asked to call for it: a yes
                turn.slots["confirmed"] = YES
            self.engine.note(turn, text)
            await self.engine.cut_short(turn, flow)
            return
        if no_calls(text) and not turn.slots.get("no_calls"):  # "别打电话 他会听见"
            turn.slots["no_calls"] = True
            if step.name == "phone":  # not asked for a number any more
                self.engine.note(turn, text)
                await self.engine.advance(turn)
                return
        reading = self.engine.read(turn, flow, step, text)
        if reading.button is not None:  # "跳过", "不用了", "是的": before any cancel word
            await self.engine.apply(turn, flow, step, text, reading)
            return
        if step.name != STILL_NEEDED and (
            is_cancel(text) or (not flow.emergency and (is_resolved(text) or called_off(text)))
        ):
            await self.engine.cancel(turn)
            return
        if not flow.emergency and wants_person(text):
            # "转人工！！5号楼1801 水压小了一个礼拜了 … 别再问我了", "说人话" (blind DW05): no
            # more questions; the report so far goes to a person, as "转人工" alone does
            keep = {**self.base.pending(turn)}
            keep.update({k: turn.slots[k] for k in DETAILS if turn.slots.get(k)})
            keep["earlier"] = description_of(turn.slots)
            await self.engine.end(turn, keep)
            await self.to_staff(turn, tx.HUMAN_AGENT, text, "resident.human.done")
            return
        if (
            flow.step(STILL_NEEDED) is not None and STILL_NEEDED not in turn.slots
            and fixed_itself(text)
        ):
            # "好了 倒了点管道疏通剂 通了" (blind DK10): asked whether it is still wanted
            self.engine.note(turn, text)
            turn.slots[FIXED_ITSELF] = True
            await self.engine.advance(turn)
            return
        if corrects(text) and await self._correct(turn, text):
            return
        if (
            flow.emergency and step.name in EMERGENCY_DETAILS
            and all_well(text, str(turn.slots.get("intent") or ""))
            and turn.slots.get("situation") in HIDDEN_HARM
        ):
            # "他现在没事 在玩" after a swallowed button battery (blind DY12): the harm comes
            # later; the line again (go to hospital even if they seem fine), no way out
            self.engine.note(turn, text)
            await turn.send(f"safety.{turn.slots['situation']}.now")
            await self.engine.reask(turn)
            return
        if (
            flow.emergency and step.name in EMERGENCY_DETAILS
            and all_well(text, str(turn.slots.get("intent") or ""))
        ):
            # "我没事 别派人来" between the questions: asked once, with a button to end it
            # (silence still counts as yes: the ticket opens)
            self.engine.note(turn, text)  # staff read it if the ticket opens all the same
            turn.slots["unconfirmed"] = SAID_WELL
            turn.slots.pop("confirmed", None)
            await self.engine.advance(turn)
            return
        found = self.base.classify(text)
        together = (
            self._forced_together(turn, text)
            if not flow.emergency and (not tx.is_emergency(found.intent) or found.needs_confirmation)
            else None
        )
        if together is not None:  # a safety layer's words, completed by this message
            found = replace(
                found, intent=together.intent, severity=tx.severity_of(together.intent),
                needs_confirmation=False, score=max(found.score, 0.9),
            )  # fmt: skip
        same = found.intent == turn.slots.get("intent")
        if (
            flow.emergency
            and found.intent == tx.HUMAN_AGENT
            and step.name in EMERGENCY_DETAILS
            and not reading.understood
        ):
            self.engine.note(turn, text)  # "转人工" in an emergency: its ticket now, to people
            await self.engine.cut_short(turn, flow)
            return
        if not flow.emergency and not reading.understood and self.base.bare_plea(found):
            await self.plea(turn, text, found, carry=self.base.carried(turn))
            return
        if self.base.interrupts(flow, reading, found, same=same) and not self._own_situation(
            turn, text
        ):
            if flow.emergency and step.name in EMERGENCY_DETAILS and not distress(text):
                await self._also(turn, found.intent, text)  # told beside, not instead
            else:
                if not flow.emergency and not danger_now(text) and together is None:
                    # inside a repair or complaint, words without a word of danger that the
                    # model reads as an emergency ("一辆黑色大众 浙A开头" read as an injury,
                    # 0.96) are asked about first: the line at once, silence counts as yes
                    found = replace(found, needs_confirmation=True)
                await self.emergency(turn, found, text, carry=self.base.carried(turn))
                return
        if (
            not flow.emergency  # in danger a question gets the line, not a FAQ entry
            and not reading.understood
            and found.intent in (tx.INQUIRY, tx.SMALLTALK, tx.UNKNOWN)  # not "营业时间停电
            and asks(text)  # 提前一天才通知 合适吗" (a complaint, not the office hours)
        ):
            entry = self.faq(turn).answer(text, turn.locale)
            if entry is not None:  # a side question: answered, then ours again
                await self.base.send_faq(turn, entry.answer)
                await self.engine.reask(turn)
                return
        if step.name == "confirm" and await self._instead(turn, text, found, reading):
            return
        line_sent = await self._situation_told(turn, text)
        if flow.emergency:  # "要不要开灯看看", "我抠他嗓子眼儿": answered (also beside the line
            # of a situation the same words told: "我妈腿脚不好 … 防盗门有点烫手 开不开？")
            advice = self.base.advice.find(
                text, str(turn.slots.get("intent") or ""), turn.slots.get("situation")
            )
            if advice is not None:
                await turn.send(advice)
                line_sent = True
        if (
            flow.emergency
            and step.name in EMERGENCY_DETAILS
            and asks(text)
            and not reading.gained
            and not tries_answer(text, step.name)
        ):
            # "我们要走楼梯下去吗？我婆婆走路很慢" at "在哪一栋": a question about what to do,
            # not a place ("楼梯"): the life-saving line again (once), the words kept, the
            # question asked again (or the ticket opened, as for any words about the danger)
            if not turn.slots.get(QUESTION_LINE):
                turn.slots[QUESTION_LINE] = True
                if not line_sent:  # the situation's line was just sent: not twice
                    key = line_key(turn.text, safety(turn.slots), called=bool(turn.slots.get(CALLED)))
                    await turn.send(key)
            await self.engine.apply(turn, flow, step, text, Reading(rest=text, more=text))
            return
        if step.name == "confirm" and same and not found.needs_confirmation:
            turn.slots.update(reading.gained)  # "七号楼 东面那部 卡在十楼跟十一楼当中": kept
            await self.engine.accept(turn, flow, step, {"confirmed": "yes"})
            return
        leaves = (
            not flow.emergency
            and self.base.clear_request(found)
            and not same
            and not tx.is_emergency(found.intent)  # a weak one did not interrupt: stays
        )
        if leaves and not reading.understood and not self._stays(turn, found):
            keep = self.base.pending(turn)
            if found.intent == tx.HUMAN_AGENT:  # the report so far goes to the person too
                keep = {**keep, **{k: turn.slots[k] for k in DETAILS if turn.slots.get(k)}}
                keep["earlier"] = description_of(turn.slots)
            await self.engine.end(turn, keep)
            await self.dispatch(turn, text, found)
            return
        await self.engine.apply(turn, flow, step, text, reading)

    def _forced_together(self, turn: Turn, text: str) -> Found | None:
        """A safety-layer situation (situations.yaml `force`) that the words of a report under
        way make only together with what was said before it ("她门口快递堆了四五天了", then
        "她一个人住的 八十多了", blind DL04): that emergency, as if said at once."""
        earlier = description_of(turn.slots)
        if not earlier:
            return None
        intent = str(turn.slots.get("intent") or "")
        told = self.situations.find(f"{earlier}\n{text}", intent)
        if not told.forced or self.situations.find(earlier, intent).forced:
            return None
        return told

    async def _also(self, turn: Turn, intent: str, text: str) -> None:
        """Another danger read in the words of an emergency under way, without words of
        danger ("I'm in the lift now going up" in a report of a man following her): staff
        see it beside this one ("➕ 也提到") and the report goes on. The model's sure reading
        of such words was wrong more often than right (in the blind conversations: "我们在往下
        跑了" from a fire read as a storm, "a man said something in chinese" in a lift as a
        break-in): replacing the emergency told first would misdirect it, and sending that
        danger's line ("远离窗户" to someone running down the stairs) confuses; staff decide."""
        also = [str(i) for i in turn.slots.get("also") or []]
        if intent not in also:
            turn.slots["also"] = [*also, intent]

    async def _instead(
        self, turn: Turn, text: str, found: Classification, reading: Reading
    ) -> bool:
        """Words typed at "请问是燃气泄漏吗？" that clearly ask for something else ("不是困住
        就是里面空调不凉", "请问今天停瓦斯吗？还是要找人来修？"): the guess ends and that request
        starts, with the block already given and the words of a report it interrupted. Words
        of danger, words the model cannot place and words it reads as another danger still
        count as yes (the other danger is shown to staff beside it, "➕ 也提到"): in the blind
        conversations such fragments were read as another danger wrongly more often than
        rightly ("敲门没人开" at a child crying behind a door read as a gas leak, "他住9栋 1102
        一个人住" as an injury). True when the words were taken as something else."""
        if danger_now(text) or found.intent == turn.slots.get("intent"):
            return False
        if tx.is_emergency(found.intent):
            if await self._read_together(turn, text, found, reading):
                return True
            await self._also(turn, found.intent, text)
            return False
        more_of_it = found.intent == turn.slots.get(INTERRUPTED)  # "等了半个小时了" (complaint)
        if not (self.base.clear_request(found) or more_of_it):
            return False
        if found.intent == tx.INQUIRY and asks(text) and self.faq(turn).answer(text, turn.locale) is None:
            # "我没有报修啊 要不要开门" at a stranger at the door, "用眼药水冲行吗" at cleaner in
            # the eye (blind ER12, ER04): a question no FAQ entry answers is about this danger,
            # not a routine one for the desk; it stays a yes
            return False
        turn.slots.update(reading.gained)
        turn.slots.update(confirmed="no", what=text.strip()[:4000])
        if not await self.reconsider(turn):
            await self.engine.advance(turn)
        return True

    async def _read_together(
        self, turn: Turn, text: str, found: Classification, reading: Reading
    ) -> bool:
        """An answer to the guess that the model reads, alone and unsure, as another danger
        is read again with the first words: only when the two together are surely that
        danger ("邻居说院子里一直在冒水", guessed an injury, then "估计是外面那个水龙头或者
        水管冻裂了": alone a flood to ask about, together a flood, 0.82) does it replace the
        guess, with its own line. An answer read surely alone replaces it only when the
        first words were already read as that danger, or it was among their next readings
        ("门缝那里好像有点烟 有点呛" at a gas leak guessed from a smoke alarm that "一直在响":
        fire; "说他家厨房顶上往下渗水" at a gas leak guessed from "15栋还有一套房子空着":
        a flood). A fragment read surely alone that the first words never suggested ("他住
        你们小区9栋 1102 一个人住" at a missing father: an injury, 0.83) or read otherwise
        together ("敲门没人开" at a crying child: gas alone, the child together) stays a yes,
        as before: such readings were wrong more often than right. True when it replaced
        the guess."""
        earlier = str(turn.slots.get("text") or "")
        if not earlier:
            return False
        if not found.needs_confirmation:
            first = self.base.classify(earlier)
            if found.intent not in (first.intent, *(i for i, _ in first.alternatives)):
                return False
        together = self.base.classify(f"{earlier}\n{text}")
        if together.intent != found.intent or together.needs_confirmation:
            return False
        turn.slots.update(reading.gained)
        carry = {**self.base.carried(turn), "earlier": earlier}
        carry.pop("also", None)
        await self.start_emergency(turn, together.intent, text, together, carry=carry)
        return True

    def _own_situation(self, turn: Turn, text: str) -> bool:
        """The words tell a situation of the report under way ("我爸在家用制氧机 现在停了" in a
        power cut: `power_dependent`, its medical line first): that is taken on
        (`_situation_told`), not a new emergency that would drop the outage report."""
        intent = str(turn.slots.get("intent") or "")
        if not intent or tx.is_emergency(intent) or turn.slots.get("situation"):
            return False
        told = self.situations.find(text, intent)
        return bool(told.situation) and told.intent == intent and not told.forced

    async def _situation_told(self, turn: Turn, text: str) -> bool:
        """A situation told after the first message ("老伴还得用那个制氧机" in a power cut):
        the report takes it on (its ticket and staff alert name it) and its own safety line
        is sent at once. True when that line was sent."""
        intent = str(turn.slots.get("intent") or "")
        current = turn.slots.get("situation")
        if current and not self.situations.broad(str(current)):
            # "我在电梯里面 就我一个人" after "叔叔阿姨 电梯不动了": not a relative's
            said = f"{turn.slots.get('text') or ''}\n{text}"
            if self.situations.denied(str(current), said):
                turn.slots.pop("situation")
                return False
            return await self._danger_beside(turn, text, str(current))
        if not intent:
            return False
        # read with what was said before: "my mom is looking too" after "my little brother is
        # lost" is no missing adult (the situation's `unless` words are in the first message)
        told = self.situations.find(f"{turn.slots.get('text') or ''}\n{text}", intent)
        kin = tx.is_emergency(intent) and tx.is_emergency(told.intent)
        own = f"{turn.slots.get(OWN_TEXT) or turn.slots.get('text') or ''}\n{text}"
        if kin and told.intent != intent and self.situations.find(own, intent).situation != (
            told.situation
        ):
            # another emergency's situation only from the words of this emergency, not of the
            # request it interrupted: "头磕到了 流血" after "准备换厨房瓷砖" in a renovation
            # question is a fall, not a falling tile
            return False
        if told.situation == current:  # a broad one ("楼道有烟") said again
            return False
        if told.situation and (told.intent == intent or kin):
            # a situation of another emergency that refines this one ("煤烟味…敲门没人应" in
            # a fire: carbon monoxide) takes the report on as that emergency
            turn.slots["intent"] = told.intent
            turn.slots["situation"] = told.situation
            if turn.text.has(f"safety.{told.situation}.now"):
                await turn.send(f"safety.{told.situation}.now")
                return True
        return False

    async def _danger_beside(self, turn: Turn, text: str, current: str) -> bool:
        """A safety-layer danger of another kind told inside a report of a particular
        situation ("我妈刚去摸开关 叫电打咧一下" in water pouring from upstairs, blind EM07):
        its line at once and staff see it beside this report ("➕ 也提到"); the report stays
        what it is (the water must still be shut off). True when that line was sent."""
        intent = str(turn.slots.get("intent") or "")
        told = self.situations.find(text, intent)
        if (
            not told.forced or not told.situation or told.situation == current
            or told.intent == intent or not tx.is_emergency(told.intent)
            or not turn.text.has(f"safety.{told.situation}.now")
        ):
            return False
        await turn.send(f"safety.{told.situation}.now")
        await self._also(turn, told.intent, text)
        return True

    @staticmethod
    def _stays(turn: Turn, found: Classification) -> bool:
        """A report under way (a repair, a complaint, an outage) keeps words that read as
        another report or a question ("维修谁出钱", "这个月第三次了", "有通知吗"): they go
        on its ticket, where staff read them, instead of ending it for a new one that would
        lose what was said (and ping-pong between outage and complaint)."""
        return str(turn.slots.get("intent")) in REPORTS and found.intent in REPORTS

    async def _correct(self, turn: Turn, text: str) -> bool:
        """ "不对，房号说错了，是1205": the answers given are changed, the question asked
        again. False when the words name nothing to change."""
        changed = corrected(text, self.engine.checks.region)
        if not changed:
            return False
        place = without_block(
            turn.slots.get("place"), turn.slots.get("building"), changed.get("building")
        )
        if place is not None:  # "2栋东边那个电梯", then "是12栋 不是2栋" (blind DU09)
            turn.slots["place"] = place or None
        turn.slots.update(changed)
        lead = self.base.corrected_text(
            turn, changed, turn.slots.get("building"), turn.slots.get("room")
        )
        await self.engine.reask(turn, lead=lead)
        return True

    async def dispatch(self, turn: Turn, text: str, found: Classification) -> None:
        """No flow is active: start what the words ask for."""
        ticket = await self.open_ticket.ticket_for(turn)
        if self.base.bare_plea(found) and (ticket is None or not tx.is_emergency(ticket.intent)):
            if ticket is not None and turn.incoming is not None:  # staff on it hear it too
                await self.ctx.tickets.relay_from_resident(ticket, turn.incoming)
            await self.plea(turn, text, found)
            return
        if (
            ticket is None and not after_greeting(text) and not danger_now(text)
            and (found.needs_confirmation or not tx.is_emergency(found.intent))
        ):  # "請問現在有人嗎" (blind DM12, guessed a security matter): a greeting, answered so
            await self.smalltalk(turn, text)
            return
        if ticket is None and not danger_now(text) and not self.base.strong_emergency(found):
            waiting = await self.ctx.tickets.awaiting_feedback(turn.chat_id)
            if waiting is not None and turn.incoming is not None:
                said = False if not_fixed(text) else (True if fixed(text) else None)
                if await self.ctx.tickets.feedback.typed(
                    waiting, turn.incoming, fixed=said, stars=stars(text)
                ):
                    return  # "修了一半", "三颗星吧": the answer to 问题解决了吗 / the rating
                about_it = not self.base.clear_request(found) or found.intent in (
                    waiting.intent,
                    tx.COMPLAINT,
                )  # "师傅收了我80块钱", "气死我了": about that job; "物业费怎么交" is not
                # any emergency reading ("我老伴不行了", asked about) goes on as one
                if waiting.status == TicketStatus.RESOLVED and about_it and not (
                    tx.is_emergency(found.intent)
                ):
                    await self.open_ticket.on_open_ticket(turn, waiting, text, found)
                    return  # other words while it waits: to the staff on that ticket
        if ticket is None and not tx.is_emergency(found.intent) and (
            self.base.only_a_phone(text) or self.base.only_an_address(turn, text)
        ):
            await self.unknown(turn, text)  # a phone or an address before anything else: kept
            return
        on_scene = (  # "老太太有点喘不上气" beside an open lift ticket: that emergency worsens
            ticket is not None and tx.is_emergency(ticket.intent) and short_of_breath(text)
        )
        new_emergency = tx.is_emergency(found.intent) and not on_scene and (
            ticket is None
            or (
                not kindred(ticket.intent, found.intent)
                and not found.needs_confirmation
                and self.base.strong_beside(found, emergency=tx.is_emergency(ticket.intent))
            )
        )
        if (
            not new_emergency and ticket is not None and not tx.is_emergency(ticket.intent)
            and tx.is_emergency(found.intent) and found.needs_confirmation and getting_worse(text)
        ):  # a repair's damp patch that "越滴越多了": the danger guessed is asked about
            new_emergency = True
        if (
            ticket is not None and (ticket.extra or {}).get("situation") == PLEA
            and tx.is_emergency(found.intent)
            and (not found.needs_confirmation or names_danger(text) or danger_now(text))
        ):  # "等下 厨房里好大一股煤气味" on a plea's ticket (blind EB03): the danger, named
            await self.open_ticket.danger_named(turn, ticket, found.intent, text)
            return
        if new_emergency and ticket is not None and tx.is_emergency(ticket.intent):
            if not names_danger(text):  # no danger named ("I am ok but little scared" in a
                # stuck lift): beside the open one, not instead; a plea is about that one
                await self.open_ticket.also(turn, ticket, found.intent, text)
                return
        if new_emergency:
            if ticket is not None and turn.incoming is not None:  # staff on it hear it too
                await self.ctx.tickets.relay_from_resident(ticket, turn.incoming)
            if turn.incoming is not None and getattr(turn.incoming, "forwarded", False):
                found = replace(found, needs_confirmation=True)  # someone else's words: ask
            await self.emergency(turn, found, text, carry=self.base.pending(turn))
            return
        if ticket is not None and self._another_matter(ticket, text, found):
            # "另外我自己住的3号楼1单元602 这个月车位费扣了两次" beside a tenant's repair (blind
            # DO06), "对了 地下车库那个灯坏了" beside a question (DK05): its own report, not
            # words for the repairman of the first
            await self.by_intent(turn, found.intent, text, found)
            return
        if ticket is not None:
            await self.open_ticket.on_open_ticket(turn, ticket, text, found)
            return
        await self.by_intent(turn, found.intent, text, found)

    def _another_matter(self, ticket: Ticket, text: str, found: Classification) -> bool:
        """Words that say they are about something else ("另外", "对了", "顺便") and ask
        clearly for another kind of report than the open ticket, which is no emergency
        (beside an emergency every word stays with the staff on it)."""
        return (
            not tx.is_emergency(ticket.intent)
            and other_matter(text)
            and found.intent in (tx.REPAIR, tx.COMPLAINT, tx.INQUIRY)
            and found.intent != ticket.intent
            and self.base.clear_request(found)
        )

    async def by_intent(
        self, turn: Turn, intent: str, text: str, found: Classification | None = None
    ) -> None:
        if tx.is_emergency(intent):
            await self.start_emergency(turn, intent, text, found)
        elif tx.is_urgent(intent):
            await self.engine.begin(turn, "outage", self.known(turn, intent, text, found))
        elif intent in (tx.REPAIR, tx.COMPLAINT):
            slots = self.known(turn, intent, text, found)
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
        plea: bool = False,
    ) -> None:
        carry = dict(carry if carry is not None else self.base.pending(turn))
        earlier = carry.pop("earlier", None)
        slots = {**carry, **self.known(turn, intent, text, found)}
        if earlier:
            slots["text"] = f"{earlier}\n{text}"
            told = self.situations.find(slots["text"], intent)
            if not slots.get("situation") and told.forced and told.intent == intent:
                slots["situation"] = told.situation  # a safety layer's words over two messages
            slots[OWN_TEXT] = text
        if unconfirmed:
            slots["unconfirmed"] = True
        if plea:  # which danger is still unsaid: the plea step asks (emergency.py)
            slots.update({"situation": PLEA, PLEA: True})
        await self.engine.begin(turn, "emergency", slots)

    async def plea(
        self, turn: Turn, text: str, found: Classification, *, carry: dict[str, Any] | None = None
    ) -> None:
        """A plea that names no danger: an emergency all the same. Every emergency number
        at once, then "what is happening?" with a button for each danger; silence opens
        the ticket (unconfirmed, under the model's guess, with the words) like any
        emergency's. Inside a repair or complaint it takes along what that one knew."""
        intent = self.base.plea_guess(found)
        await self.start_emergency(turn, intent, text, found, carry=carry, plea=True)

    async def not_confirmed(self, turn: Turn) -> None:
        """The resident said nothing is wrong: the only way a guessed emergency ends without
        a ticket."""
        await self.engine.end(turn, self.base.pending(turn))
        await turn.send("resident.not_confirmed", buttons=self.base.menu_buttons(turn))

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
        found = self.base.classify(what)
        if tx.is_emergency(found.intent) and not found.needs_confirmation:
            carry = {**self.base.carried(turn), "earlier": earlier}
            carry.pop("also", None)
            await self.start_emergency(turn, found.intent, what, found, carry=carry)
            return True
        # a plea's words that clearly ask for something ordinary and name no danger ("救命啊
        # 我就快俾佢哋搞死", then "楼上日日钻墙…礼拜日都唔停"): that request, not an emergency
        # of unknown kind (the numbers were given at the plea)
        ordinary = (
            turn.slots.get(PLEA)
            and not tx.is_emergency(found.intent)
            and self.base.clear_request(found)
            and not danger_now(what)
        )
        danger = tx.is_emergency(found.intent) or danger_now(what) or danger_now(earlier)
        if danger and not ordinary:
            turn.slots["text"] = f"{earlier}\n{what}" if earlier else what
            turn.slots["other"] = True
            turn.slots.pop("unconfirmed", None)
            if tx.is_emergency(found.intent):
                turn.slots["intent"] = found.intent
                turn.slots.pop("situation", None)
                if turn.slots.get(PLEA) and found.needs_confirmation and not danger_now(what):
                    # "救命" then "厨房好多蟑螂" (gas, 0.43): asked, with the line, not told
                    turn.slots["unconfirmed"] = True
                    return False
                await turn.send("safety." + str(found.intent) + ".now")
            else:
                await turn.send_html(turn.numbers())
            return False
        known = {k: turn.slots[k] for k in ("building", "room") if turn.slots.get(k)}
        keep = {**self.base.pending(turn), **({FIRST_PLACE: known} if known else {})}
        await self.engine.end(turn, keep)  # "3号楼那部": the block goes on to the request
        if found.intent in (tx.REPAIR, tx.COMPLAINT) and earlier:
            what = f"{earlier}\n{what}"  # the report it interrupted keeps its words
        await self.by_intent(turn, found.intent, what, found)
        return True

    def known(
        self, turn: Turn, intent: str, text: str, found: Classification | None
    ) -> dict[str, Any]:
        """The flow's first slots: the intent, the words, and what they already tell."""
        slots: dict[str, Any] = {
            **self.base.pending(turn),
            "intent": intent,
            "text": text.strip()[:4000],
            "name": turn.user_name,
        }
        if found is None:
            return slots
        entities = found.entities
        cleaned = addressable(text)  # "工单#37", "B2-118", "粤B12345": no block or flat
        if cleaned != text:
            where = extract_entities(cleaned, self.engine.checks.region)[0]
            entities = replace(where, phone=entities.phone)
        slots.update(self.base.in_estate(turn, entities))
        if entities.phone:
            slots["phone"] = entities.phone
        if no_calls(text) or turn.slots.get("no_calls"):
            slots["no_calls"] = True
        slots.update(self.base.where(intent, self.engine.normalizer.to_simplified(text), slots))
        situation = self.situations.find(text, intent)
        if situation.situation and situation.intent == intent:
            slots["situation"] = situation.situation
        return slots

    # -- answers without a flow -------------------------------------------------------------
    async def inquiry(self, turn: Turn, text: str) -> None:
        if not after_greeting(text):  # "有冇人啊", "请问一个问题": no question for staff yet
            await turn.send("resident.smalltalk.hello", buttons=self.base.menu_buttons(turn))
            return
        entry = self.faq(turn).answer(text, turn.locale)
        if entry is None:
            await self.to_staff(turn, tx.INQUIRY, text, "resident.inquiry.ticket")
            return
        await self._answer(turn, entry, text)

    async def _answer(self, turn: Turn, entry: Any, text: str) -> None:
        """An FAQ answer; the same one asked for again in a row ("快递柜 爆炸了", then "我的
        快递 放不进去…可以放在物业的冰箱吗"): the answer did not help, so the question goes to
        staff instead of the same text a second time."""
        if self._last_faq(turn) == entry.id:
            turn.slots.pop(LAST_FAQ, None)
            await self.to_staff(turn, tx.INQUIRY, text, "resident.inquiry.ticket")
            return
        await self.base.send_faq(turn, entry.answer)
        turn.slots[LAST_FAQ] = entry.id
        turn.slots[LAST_FAQ_AT] = self.ctx.clock.now().isoformat()
        await self.engine.store.save(turn.state)

    def _last_faq(self, turn: Turn) -> str | None:
        """The FAQ entry answered last, within LAST_FAQ_WINDOW (the same question asked again
        the next day is answered again, not sent to staff)."""
        entry, at = turn.slots.get(LAST_FAQ), turn.slots.get(LAST_FAQ_AT)
        if not entry or not isinstance(at, str):
            return None
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            return None
        return str(entry) if self.ctx.clock.now() - when <= LAST_FAQ_WINDOW else None

    async def to_staff(self, turn: Turn, intent: str, text: str, done_key: str) -> None:
        """A ticket straight away (a question for staff, a request for a person)."""
        earlier = str(turn.slots.get("earlier") or "")  # a report left for a person
        kept = {k: turn.slots[k] for k in DETAILS if earlier and turn.slots.get(k)}
        silent = bool(turn.slots.get("no_calls") or no_calls(text))  # "我是聋人 不能接电话"
        entities, _ = extract_entities(addressable(text), self.engine.checks.region)
        said: dict[str, Any] = dict(self.base.in_estate(turn, entities))  # "我是8号楼3单元402的新租户"
        if entities.phone:
            said["phone"] = entities.phone
        turn.state.slots = {
            **self.base.pending(turn),
            **said,
            **kept,
            **({"no_calls": True} if silent else {}),
            "intent": intent,
            "text": "\n".join(p for p in (earlier, text.strip()) if p)[:4000],
        }
        ticket = await open_ticket(turn)
        await self.engine.end(turn)
        await turn.send(done_key, ticket=ticket.id)

    async def smalltalk(self, turn: Turn, text: str) -> None:
        rest = after_greeting(text)
        if rest and rest != text and has_words(rest):
            # "你好 报修 别墅28号": the greeting read as the message; what follows it is
            found = self.base.classify(rest)
            if found.intent not in (tx.SMALLTALK, tx.UNKNOWN):
                await self.dispatch(turn, text, found)
                return
            if self.base.only_an_address(turn, rest) or self.base.home_address(turn, rest):
                # "您好 12幢902", "你好 我是7栋2单元1801的业主 现在人在哈尔滨过年": kept for
                # what follows
                await self.unknown(turn, rest)
                return
        word = squash(text)
        if says_thanks(text):
            await turn.send("resident.smalltalk.thanks")
        elif any(word.startswith(w) for w in BYE):
            await turn.send("resident.smalltalk.bye")
        else:
            await turn.send("resident.smalltalk.hello", buttons=self.base.menu_buttons(turn))

    async def unknown(self, turn: Turn, text: str) -> None:
        entities, rest = extract_entities(text, self.engine.checks.region)
        if entities.phone and not residue(rest):  # a phone before anything else: kept
            turn.slots["phone"] = entities.phone
            masked = mask_phone(entities.phone)
            await self.open_ticket.outside_flow(turn, "resident.attachment.contact", masked=masked)
            return
        # "12幢902" alone, or "我是租客 住11栋604 房东在加拿大" that asks nothing yet
        address = self.base.only_an_address(turn, text) or self.base.home_address(turn, text)
        if address:  # "12幢902" before saying what is wrong: kept for the report that follows
            turn.slots[FIRST_PLACE] = address
            place = place_text(turn, address["building"], address.get("room"))
            await self.open_ticket.outside_flow(turn, "resident.noted.first", place=place)
            return
        if not after_greeting(text):  # "有冇人啊", "请问一个问题": a greeting, not a puzzle
            await turn.send("resident.smalltalk.hello", buttons=self.base.menu_buttons(turn))
            return
        entry = self.faq(turn).answer(text, turn.locale) if has_words(text) else None
        if entry is None and self._last_faq(turn) and has_words(text):
            # "物业费的发票怎么开" answered, then "要专票 抬头是公司的": more of that question,
            # which the answer did not cover: to staff, not "没看懂"
            turn.slots.pop(LAST_FAQ, None)
            await self.to_staff(turn, tx.INQUIRY, text, "resident.inquiry.ticket")
            return
        if entry is not None:
            await self._answer(turn, entry, text)
            return
        if sent_by_mistake(text):  # "啊 发错了 不好意思😅" (blind DU01): no "没看懂"
            await turn.send("resident.smalltalk.mistake")
            return
        if says_yes(text):  # "嗯", "好的", "ok" with nothing under way: no "没看懂"
            await turn.send("resident.smalltalk.ok")
            return
        if shaken(text):  # "刚才吓死我了": what happened? (with the numbers), not "没看懂"
            await turn.send("resident.menu.shaken", buttons=self.base.menu_buttons(turn))
            return
        await turn.send("resident.menu.unknown", buttons=self.base.menu_buttons(turn))
