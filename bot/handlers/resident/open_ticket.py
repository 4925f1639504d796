"""A ticket is open and no flow is running: every message goes to the staff on that ticket
(`relay_from_resident`), corrections of place or phone update it, the bot says nothing."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.core.actions import keyboard
from bot.core.incoming import AttachmentKind
from bot.flows.answers import (
    CALLED,
    all_well,
    armed,
    asks,
    asks_progress,
    asks_to_close,
    asks_us_to_call,
    asks_where_we_are,
    better,
    breathless,
    called,
    called_off,
    corrects,
    crisis_of_writer,
    denies_guess,
    found_person,
    getting_worse,
    indoor,
    is_cancel,
    is_resolved,
    no_calls,
    not_fixed,
    other_matter,
    out_of_lift,
    repaired,
    worse,
)
from bot.flows.emergency import CALL_FOR_ME, call_for_me, line_key, tell_where
from bot.flows.reading import block_of
from bot.flows.validators import (
    MOBILE_DIGITS,
    PHONE_PART,
    addressable,
    asked_for_rest,
    other_phone,
    phone_begun,
    phone_rest,
)
from bot.handlers.resident.base import (
    DeskBase,
    DeskPart,
    address_alone,
    before_home,
    corrected,
    corrections,
    kindred,
    own_home,
    thanks_only,
)
from bot.intents import taxonomy as tx
from bot.intents.entities import parse_location, parse_phone
from bot.storage.models import TicketStatus
from bot.texts import Raw
from bot.tickets.states import Actor

LIFE_SITUATIONS = frozenset({"power_dependent"})
"""Situations of a non-emergency ticket where a life depends on it (followed up as one)."""
LINE_AGAIN_MAX = 2
"""Questions on an open emergency that get its safety line again (then only passed on)."""
_ADDRESS_SAID = re.compile(r"地址|住址|門牌|门牌|(?<![a-z])address(?![a-z])", re.I)
"""Words that say what follows is the address ("地址是桂花苑4栋1单元102")."""
_BARE_ROOM = re.compile(r"^\s*\d{3,4}\s*[室号]?\s*$")

DESK_INTENTS = frozenset({tx.INQUIRY, tx.COMPLAINT, tx.HUMAN_AGENT})
"""Tickets answered by the desk, not by someone sent: "会在这里回复您", not "正在安排人手"."""


def _completes(ticket: Ticket, changed: dict[str, str]) -> bool:
    """A flat in the block the ticket has without one ("4栋1单元102" at 4栋)."""
    if not ticket.building or ticket.room or not changed.get("room"):
        return False
    block = changed.get("building")
    return block is None or _same_block(block, ticket.building)


def _same_block(first: str, second: str) -> bool:
    """Two building ids of one block ("4" and "4-1")."""
    return block_of(first) == block_of(second)


def _over(ticket: Ticket, text: str) -> bool:
    """The words say the danger of the ticket is over for the people in it: the child or
    the relative found, the people out of the lift."""
    if ticket.intent == tx.LOST_CHILD:
        return found_person(text)
    return ticket.intent == tx.ELEVATOR_TRAPPED and out_of_lift(text)


def ticket_state(turn: Turn, ticket: Ticket) -> Raw:
    """Where the ticket is, in words for the resident."""
    desk = ticket.intent in DESK_INTENTS and ticket.status in (
        TicketStatus.OPEN,
        TicketStatus.REOPENED,
    )
    return Raw(turn.text(f"tickets.open.state.{'desk' if desk else ticket.status}"))


if TYPE_CHECKING:
    from bot.flows.turn import Turn
    from bot.handlers.resident.mine import MyTickets
    from bot.intents.classification import Classification
    from bot.storage.models import Ticket


class OpenTicket(DeskPart):
    def __init__(self, base: DeskBase, mine: MyTickets) -> None:
        super().__init__(base)
        self.mine = mine

    async def ticket_for(self, turn: Turn) -> Ticket | None:
        """The open ticket the resident's words go to: the one chosen in "我的工单", else
        the newest still being worked on."""
        chosen = await self.mine.chosen(turn)
        if chosen is not None:
            return chosen
        return await self.ctx.tickets.active_ticket_for(turn.chat_id)

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
        state = ticket_state(turn, ticket)
        extra = ticket.extra or {}
        service = asks_us_to_call(text) if text else None
        if service is not None:  # "你们打了没有？？", "你们帮我打119吧": we cannot; staff can
            number = await call_for_me(turn, service, ticket.intent, extra.get("situation"))
            fresh = await self.ctx.tickets.merge_extra(ticket, **{CALL_FOR_ME: number})
            await self.ctx.tickets.alerts.refresh(fresh)
            await self.ctx.tickets.alerts.note(
                fresh, "staff.reminder.call_for_me", with_buttons=True, number=number,
                words=text[:300],
            )  # fmt: skip
            return
        if text and asks_where_we_are(text):  # "120打了 他们问地址 你们小区叫什么啊"
            await tell_where(turn, ticket.building, ticket.room, extra.get("place"))
            return
        if text and no_calls(text) and not extra.get("no_calls"):
            await self.ctx.tickets.mark_no_calls(ticket)  # "别打电话 他会听见": staff write
            await turn.send("tickets.open.no_calls", id=ticket.id)
        if text and called(text) and not extra.get(CALLED):  # "打了120": the call line no more
            ticket = await self.ctx.tickets.merge_extra(ticket, **{CALLED: True})
            extra = ticket.extra or {}
        changed = self._changes(turn, ticket, text)
        if not ticket.phone and not changed.get("phone") and text:
            begun, joined = self._phone_in_parts(ticket, text)
            if joined:
                changed = {"phone": joined}  # "电话 139 0571", then "2846"
            elif begun:
                await self.ctx.tickets.merge_extra(ticket, **{PHONE_PART: begun})
                await turn.send("resident.invalid.phone_part", **asked_for_rest(begun).error_values)
                return
        # a power cut with someone on a breathing machine is followed up as an emergency
        emergency = tx.is_emergency(ticket.intent) or extra.get("situation") in LIFE_SITUATIONS
        if changed:  # a phone given later, or a correction: the ticket follows
            # "已改为" only for what it replaces; a flat added to the block known is "已记下"
            moved = changed.get("building")
            had_place = bool(ticket.room) or bool(
                ticket.building and moved and not _same_block(moved, ticket.building)
            )
            had_phone = bool(ticket.phone)
            ticket = await self.ctx.tickets.update_details(ticket, **changed)
            await turn.send_html(
                self.base.corrected_text(
                    turn, changed, ticket.building, ticket.room,
                    had_place=had_place, had_phone=had_phone,
                )
            )
            if not (emergency and worse(text)):
                return
        # "开灯瞅瞅行不", "门把手有点烫", "爱唔爱报警啊": the one right answer, instead of the
        # emergency's line again (the words reach staff with the rest)
        advice = (
            self.base.advice.find(text, ticket.intent, extra.get("situation"))
            if emergency and text else None
        )
        if emergency and text and await self._situation_now(turn, ticket, text, advice is not None):
            return
        if advice is not None:
            await turn.send(advice)
        found_them = bool(text) and _over(ticket, text)
        closing = bool(text) and (
            is_resolved(text) or is_cancel(text) or all_well(text, ticket.intent)
            or called_off(text)  # "哦 不用了 我刚碰到他奶奶了 孩子发烧 在家呢" (blind EQ05)
            # a guess that silence confirmed, now denied ("哦 不是 她在唱青藏高原", blind EQ12)
            or (
                extra.get("unconfirmed") is True and denies_guess(text)
                and not (found is not None and tx.is_emergency(found.intent))
            )
            or asks_to_close(text)
            or found_them
            or (not emergency and repaired(text) and not not_fixed(text))  # "修好了 谢谢"
        )
        if corrects(text) and any(ch.isdigit() for ch in text) and not asks_to_close(text):
            closing = False  # "哦不对 收据号是…078 刚才打错了": a correction, not "all is well"
        if closing and not_fixed(text) and not asks_to_close(text):
            closing = False  # "按错了 按错了 没解决" (blind DU08): not over, whatever else it says
        if closing and not emergency and asks_to_close(text):
            # "这个单子帮我撤了吧": asked in so many words, about a repair or a complaint: done
            actor = Actor("resident", turn.user_id, turn.user_name)
            if await self.ctx.tickets.workflow.cancel_by_resident(ticket.id, actor) is not None:
                await turn.send("tickets.open.closed", id=ticket.id)
                return
        if closing:
            buttons = keyboard(
                [
                    (turn.text.plain("tickets.button.close"), f"menu:close:{ticket.id}"),
                    (turn.text.plain("tickets.button.keep"), f"menu:keep:{ticket.id}"),
                ]
            )
            await turn.send("tickets.open.close_offer", buttons, id=ticket.id)
            return
        same = found is not None and kindred(found.intent, ticket.intent)
        steady = asks_progress(text) or better(text)  # a question, or news that it eased
        key = extra.get("situation") or ticket.intent
        if armed(text):
            key = "security"  # a knife beside a fight's injury: 110, keep away (blind DW07)
        elif breathless(text) and ticket.intent != tx.MEDICAL:
            key = "medical"  # short of breath in a lift, smoke: 120 first (not instead of
            # a medical situation's own line: a child pulled out of the pool, blind DT01)
        if emergency and text and (worse(text) or (same and not steady)):
            # worse: said so; the same danger in other words ("能不能看监控"): alerted again,
            # without saying it got worse
            told = "worse" if getting_worse(text) else "again"  # "还没人来吗": not worse
            await self.ctx.tickets.alerts.note(
                ticket, f"staff.reminder.{told}", with_buttons=True, words=text[:300]
            )
            if advice is None:
                await turn.send(line_key(turn.text, key, called=bool(extra.get(CALLED))))
            await turn.send(f"tickets.open.{told}", id=ticket.id, state=state)
            return
        if text and asks_progress(text):
            await turn.send("tickets.open.progress", id=ticket.id, state=state)
            return
        if emergency and text and asks(text) and not other_matter(text) and advice is None:
            # "要不要扶他起来？", "能不能把门扒开": the line again (not at every question)
            repeated = int(extra.get("line_again") or 0)
            if repeated < LINE_AGAIN_MAX:
                await self.ctx.tickets.merge_extra(ticket, line_again=repeated + 1)
                await turn.send(line_key(turn.text, key, called=bool(extra.get(CALLED))))
        if text and extra.get("situation") == "crisis" and crisis_of_writer(ticket.description or ""):
            # "不用管我 就是想找个人说一下": someone who is listened to, not a ticket's state
            await turn.send("safety.crisis.listen")
            return
        if (
            text and not emergency and found is not None and found.intent == tx.INQUIRY
            and asks(text)
        ):  # "物业办公室几点开门" beside an open question: answered now, and passed on
            entry = self.faq(turn).answer(text, turn.locale)
            if entry is not None:
                await self.base.send_faq(turn, entry.answer)
                return
        if text and thanks_only(text):  # "谢谢", "ありがとうございます 谢谢": no "已转给"
            await turn.send("tickets.open.thanks", id=ticket.id, state=state)
            return
        await turn.send("tickets.open.relayed", id=ticket.id, state=state)

    async def _situation_now(
        self, turn: Turn, ticket: Ticket, text: str, answered: bool = False
    ) -> bool:
        """A situation of this emergency told after its ticket opened ("好像没气了 胸口不动了"
        beside a collapse, "我住30楼 坐轮椅" beside a fire): its line at once, the ticket and
        staff take it on. True when one was told. A broad one ("叫不太醒了") does not take the
        place of the answer to what the words ask (`answered`: "…我再往他嘴里灌点糖水")."""
        told = self.situations.find(text, ticket.intent)
        extra = ticket.extra or {}
        if (
            not told.situation or told.intent != ticket.intent
            or told.situation == extra.get("situation")
            or not turn.text.has(f"safety.{told.situation}.now")
            or (answered and self.situations.broad(told.situation))
        ):
            return False
        ticket = await self.ctx.tickets.merge_extra(ticket, situation=told.situation)
        await turn.send(f"safety.{told.situation}.now")
        await self.ctx.tickets.alerts.note(
            ticket, "staff.reminder.situation", with_buttons=True, words=text[:300]
        )
        await turn.send("tickets.open.again", id=ticket.id, state=ticket_state(turn, ticket))
        return True

    @staticmethod
    def _phone_in_parts(ticket: Ticket, text: str) -> tuple[str | None, str | None]:
        """(a mobile's first digits, to keep; the mobile finished by `text` after the digits
        kept) for a ticket without a phone."""
        kept = str((ticket.extra or {}).get(PHONE_PART) or "")
        joined = phone_rest(kept, text) if kept else None
        if joined is not None and len(joined) == MOBILE_DIGITS:
            return None, joined
        return joined or phone_begun(text), None

    def _changes(self, turn: Turn, ticket: Ticket, text: str) -> dict[str, str]:
        """Block, flat and phone the message gives the ticket: a correction ("不对 是1205"),
        a phone given later or shared, the resident's own address, a bare flat after the
        block; without a word of correction, only what the ticket does not have yet."""
        assert turn.incoming is not None
        region = self.engine.checks.region
        correcting = corrects(text)
        changed = corrected(text, region) if correcting else corrections(text, region, correcting=False)
        shared = turn.incoming.attachment
        if shared is not None and shared.kind is AttachmentKind.CONTACT:  # a phone, shared
            phone = parse_phone(shared.phone or "", region)
            if phone:
                changed["phone"] = phone
        if not ticket.phone and "phone" not in changed and "+" in (text or ""):
            foreign = other_phone(text)  # "whatsapp only +62 812 3456 7890" (blind DN07)
            if foreign and foreign.startswith("+"):
                changed["phone"] = foreign
        if not correcting:
            changed = self._address_told(ticket, text, changed)
        if ticket.building and not ticket.room and _BARE_ROOM.match(text or ""):
            changed["room"] = text.strip().rstrip("室号")  # "12栋", then "102": its flat
        return {
            k: v
            for k, v in changed.items()
            if correcting
            or not getattr(ticket, k)
            or (k == "building" and v.startswith(f"{ticket.building}-"))  # 4栋 -> 4栋1单元
        }

    def _address_told(self, ticket: Ticket, text: str, changed: dict[str, str]) -> dict[str, str]:
        """A block or flat in words about an open ticket, without a word of correction, is
        taken only when it is where the resident lives ("住 8棟 1706", "我是5栋2单元801") or
        when the message is the address and little else ("8栋1单元502 姓王"); not a friend's
        block in a question about fees, nor (on a ticket about a place outside the flats)
        the home of a passer-by ("我不是5栋的 我住9栋602 路过的")."""
        where = {k for k in ("building", "room") if k in changed}
        if not where:
            return changed
        rest = {k: v for k, v in changed.items() if k not in where}
        region = self.engine.checks.region
        place = str((ticket.extra or {}).get("place") or "")
        first: dict[str, str] = {}
        if not ticket.building and (not place or indoor(place)):
            # the ticket does not know which block yet ("位置未知", "楼道"): a block said now
            # is where it happens ("20号楼一楼东户 地上有点凉"), the one said before "我是
            # 601的" if both
            first = corrections(before_home(text), region, correcting=False)
            if first.get("building") and (first.get("room") or own_home(text) is None):
                return {**rest, **{k: v for k, v in first.items() if k in ("building", "room")}}
        if _ADDRESS_SAID.search(text) or _completes(ticket, changed):
            # "地址是桂花苑4栋1单元102，我在外地赶不回去" beside a ticket at 4栋: the flat of
            # its block (or an address said as one) completes it
            return changed
        home = own_home(text)
        if home is not None:
            if (ticket.extra or {}).get("place"):
                return {**rest, **({"building": first["building"]} if first.get("building") else {})}
            said = corrections(home, region, correcting=False)
            mine = {k: v for k, v in said.items() if k in ("building", "room")}
            if "room" not in mine:  # "我家四楼四零一": a flat said in words
                room = parse_location(addressable(home))[1]
                mine.update({"room": room} if room else {})
            if mine and "building" not in mine and "building" in changed:
                mine["building"] = changed["building"]  # "二十一栋三单元 我家四楼四零一"
            if not mine and first.get("building"):  # "4栋 我住6楼 电题 停了": the block
                mine = {"building": first["building"]}
            return {**rest, **mine}
        return changed if address_alone(text, region) else rest

    async def also(self, turn: Turn, ticket: Ticket, intent: str, text: str) -> None:
        """Another danger read, without words of danger, in what the resident writes about
        an open emergency ("孩子六七岁 现在醒着在哭" beside a child's fall, "水还在涨" beside a
        flood): told beside it, not as a new emergency that would ask for the address again
        and split the report. Staff read the words and "➕ 也提到" and decide; the resident
        gets the ticket's state, not that danger's line: in the blind conversations the
        model's reading of such follow-ups was wrong more often than right ("Please someone
        come up" about a fallen employer read as a break-in, "他说他住9栋 家里没人" as a
        lost child), and a wrong line confuses a frightened person."""
        assert turn.incoming is not None
        if getting_worse(text):  # "味道越来越大了，她有点头晕": worse first, and what is new
            await self.ctx.tickets.also_mentioned(ticket, intent, text)
            await self.on_open_ticket(turn, ticket, text, None)
            return
        if _over(ticket, text):  # "a guy with a key got me out" (read as a break-in): over
            await self.on_open_ticket(turn, ticket, text, None)
            return
        await self.ctx.tickets.relay_from_resident(ticket, turn.incoming)
        await self.ctx.tickets.also_mentioned(ticket, intent, text)
        state = ticket_state(turn, ticket)
        await turn.send("tickets.open.relayed", id=ticket.id, state=state)

    async def danger_named(self, turn: Turn, ticket: Ticket, intent: str, text: str) -> None:
        """A plea's ticket ("紧急求助·未说明") told what the danger is ("等下 厨房里好大一股煤气味",
        blind EB03): the ticket becomes that emergency, the resident gets its line at once,
        and staff are told under the alert."""
        assert turn.incoming is not None
        await self.ctx.tickets.relay_from_resident(ticket, turn.incoming)
        extra = {k: v for k, v in (ticket.extra or {}).items() if k != "situation"}
        await self.ctx.tickets.set_values(ticket.id, intent=intent, extra=extra)
        fresh = await self.ctx.tickets.get(ticket.id) or ticket
        await self.ctx.tickets.alerts.refresh(fresh)
        await self.ctx.tickets.alerts.note(
            fresh, "staff.reminder.situation", with_buttons=True, words=text[:300]
        )
        await turn.send(line_key(turn.text, intent, called=bool(extra.get(CALLED))))
        await turn.send("tickets.open.relayed", id=fresh.id, state=ticket_state(turn, fresh))

    async def outside_flow(self, turn: Turn, key: str, **values: object) -> None:
        """Something kept for the next flow; a ticket still open gets it instead."""
        ticket = await self.ticket_for(turn)
        if ticket is not None and turn.incoming is not None:
            await self.on_open_ticket(turn, ticket, "", None)
            return
        await self.engine.store.save(turn.state)
        await turn.send(key, buttons=self.base.menu_buttons(turn), **values)
