"""Emergencies (gas, fire, lift, flood, medical, security, lost child, disaster) and outages.

What the resident lives through:
1. the life-saving line at once (`safety.<intent>.now`), before any question; a hazard
   guessed on weak evidence is first confirmed ("是否在报告燃气泄漏?"), the line under it;
   a plea that names no danger ("救命", "快来人啊") gets every emergency number at once
   (`safety.plea.now`), then "what is happening?" with a button for each danger;
2. building, room and phone, one question at a time, skipping what the message or the
   profile already gave; a public place ("小区门口") answers "where"; "不知道" skips a
   question and two unusable answers skip it too: the ticket never waits on a detail;
3. the ticket (staff alerted), the full instructions, the emergency numbers, what happens next.
Silence for FLOW_IDLE_ESCALATE_SECONDS opens the ticket with what is known: never dropped.
Outages ask the building first and answer from an outage notice when one covers it; a power
cut where someone lives on a breathing or oxygen machine (situation `power_dependent`) gets
its medical line first and a ticket even when a notice answers.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from bot.flows import steps
from bot.flows import validators as v
from bot.flows.answers import asks
from bot.flows.places import mask_phone, place_text
from bot.flows.spec import Choice, Flow, Slots, Step
from bot.flows.ticketing import missing_details, offer_to_remember, open_ticket
from bot.intents import taxonomy as tx
from bot.texts import Raw

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.flows.turn import Turn
    from bot.storage.models import Ticket
    from bot.texts import LocaleTexts


def _escalate_after(settings: Settings) -> float:
    return settings.flow_idle_escalate_seconds


def safety(slots: Slots) -> str:
    """Whose safety texts apply: the situation's (locales/zh/situations.yaml) or the
    intent's."""
    return str(slots.get("situation") or slots["intent"])


def line_key(t: LocaleTexts, key: str, *, called: bool) -> str:
    """The text key of the life-saving line of `key` (an intent or a situation): once the
    resident has said the service was called ("120已经打了"), its `now_called` variant where
    there is one (what to do while waiting, not "立即拨打 120" again); a situation's own line
    (chest compressions, a sealed door) is always sent whole."""
    if called and t.has(f"safety.{key}.now_called"):
        return f"safety.{key}.now_called"
    return f"safety.{key}.now"


CALL_FOR_ME = "call_for_me"
"""Slot and ticket extra: the number the resident asked us to call for them (staff do)."""
_SERVICE_OF = {
    "fire": "fire", "gas_leak": "fire", "elevator_trapped": "fire", "natural_disaster": "fire",
    "child_locked_in": "fire", "medical": "ambulance", "security": "police", "lost_child": "police",
    "crisis": "police", "car": "police",
}  # fmt: skip
"""Whom to call for an emergency (its situation first), when the resident names no one."""


async def call_for_me(turn: Turn, service: str, intent: str, situation: str | None) -> str:
    """"帮我打119 我不敢打电话" (blind DQ01): this line cannot place calls, and says so at once;
    staff are asked to call (the number is kept for the ticket). Returns the number."""
    numbers = turn.emergency_numbers()
    service = service or _SERVICE_OF.get(situation or "") or _SERVICE_OF.get(intent, "")
    if service:
        number = numbers[service]
        await turn.send("resident.call_for_me.named", number=number)
    else:
        number = " / ".join(dict.fromkeys(numbers[k] for k in ("police", "fire", "ambulance")))
        await turn.send("resident.call_for_me.general")
    turn.slots[CALL_FOR_ME] = number
    return number


async def tell_where(
    turn: Turn, building: str | None, room: str | None, place: str | None = None
) -> None:
    """"他们问地址 你们小区叫什么啊": the estate's name and address (ESTATE_NAME,
    ESTATE_ADDRESS, or the estates file) and the block and flat known, to read out to 120."""
    estates = turn.ctx.estates
    estate = (
        estates.of(turn.slots.get("estate") if isinstance(turn.slots.get("estate"), int)
                   else turn.resident_estate)
        if estates is not None else None
    )  # fmt: skip
    here = place_text(turn, building, room, place) if (building or room or place) else None
    parts = [p for p in ((estate.name if estate else ""), (estate.address if estate else "")) if p]
    if parts:
        said = [html.escape(p, quote=False) for p in parts] + ([str(here)] if here else [])
        where = "，".join(said)
        await turn.send("resident.where_we_are.known", where=Raw(where))
    elif here:
        await turn.send("resident.where_we_are.here", here=here)
    else:
        await turn.send("resident.where_we_are.unknown")


def _opening(slots: Slots) -> str | None:
    return None if slots.get("unconfirmed") else f"safety.{safety(slots)}.now"


async def _after_confirm(turn: Turn) -> bool:
    """"Nothing is wrong" ends it; "not that" asks what is happening (the WHAT step); a yes
    typed as a question ("还有点冒烟 我要不要拿水浇一下") gets the life-saving line now."""
    if turn.slots.get("confirmed") == SAFE:
        await turn.conversation.not_confirmed(turn)
        return True
    said = turn.incoming.text if turn.incoming is not None else None
    if turn.slots.get("confirmed") == steps.YES and said and asks(said):
        turn.slots[QUESTION_LINE] = True
        await turn.send(f"safety.{safety(turn.slots)}.now")
    return False


async def _after_what(turn: Turn) -> bool:
    """What the resident says is happening instead of the guess (intake.reconsider)."""
    return bool(await turn.conversation.reconsider(turn))


QUESTION_LINE = "question_line"
"""Slot: the emergency's line was sent again for a question asked between its questions."""
SAFE = "safe"
OTHER = "other"
PLEA = "plea"
"""The situation of a plea that names no danger: its safety texts are safety.plea.*."""
# what a plea may be about, one button each (outages are no danger to life)
PLEA_KINDS = (
    tx.FIRE,
    tx.GAS_LEAK,
    tx.ELEVATOR_TRAPPED,
    tx.FLOODING,
    tx.MEDICAL,
    tx.SECURITY,
    tx.LOST_CHILD,
    tx.NATURAL_DISASTER,
)


async def _after_plea(turn: Turn) -> bool:
    """A danger's button: that emergency (its life-saving line, then where); "nothing is
    wrong" ends it; typed words are what is happening (intake.reconsider: the words of a
    plea keep it an emergency, whatever else they say)."""
    kind = turn.slots.get("kind")
    if kind == SAFE:
        await turn.conversation.not_confirmed(turn)
        return True
    if kind in PLEA_KINDS:
        turn.slots["intent"] = kind
        turn.slots.pop("situation", None)
        await turn.send(f"safety.{kind}.now")
        return False
    return bool(await turn.conversation.reconsider(turn))


PLEA_STEP = Step(
    name="plea",
    fills=("kind",),
    prompt="resident.ask.plea",
    validate=v.plea_answer("kind"),
    choices=(
        *(Choice(kind, f"safety.{kind}.button", {"kind": kind}) for kind in PLEA_KINDS),
        Choice(SAFE, "resident.button.nothing_wrong", {"kind": SAFE}),
    ),
    columns=2,
    when=lambda s: bool(s.get(PLEA)),
    after=_after_plea,
)

SAID_WELL = "said_well"
"""`unconfirmed` when the resident said all is well between the questions ("保安来了 是楼下
的邻居喝多了走错层 没事了", blind DQ10): asked whether it is over, not what the danger is."""

CONFIRM = Step(
    name="confirm",
    fills=("confirmed",),
    prompt="resident.ask.confirm",
    validate=v.confirm_answer("confirmed"),
    choices=(
        Choice(steps.YES, "resident.button.yes_report", {"confirmed": steps.YES}),
        Choice(OTHER, "resident.button.other_emergency", {"confirmed": OTHER}),
        Choice(SAFE, "resident.button.nothing_wrong", {"confirmed": SAFE}),
    ),
    when=lambda s: bool(s.get("unconfirmed")) and s.get("unconfirmed") != SAID_WELL,
    after=_after_confirm,
)

STILL_WELL = Step(
    name="still_well",
    fills=("confirmed",),
    prompt="resident.ask.still_well",
    validate=v.well_answer("confirmed"),
    choices=(
        Choice(SAFE, "resident.button.nothing_wrong", {"confirmed": SAFE}),
        Choice(steps.YES, "resident.button.yes_report", {"confirmed": steps.YES}),
    ),
    when=lambda s: s.get("unconfirmed") == SAID_WELL,
    after=_after_confirm,
)

WHAT = Step(
    name="what",
    fills=("what",),
    prompt="resident.ask.what_happening",
    validate=v.free_text("what"),
    when=lambda s: s.get("confirmed") in (steps.NO, OTHER),
    after=_after_what,
)


def report_text(turn: Turn, ticket: Ticket, *, escalated: bool) -> str:
    """The last message: ticket, place, full instructions, numbers, what happens next."""
    slots, intent = turn.slots, safety(turn.slots)
    head = "resident.emergency.escalated" if escalated else "resident.emergency.done"
    parts = [turn.text(head, ticket=ticket.id, hazard=turn.text(f"safety.{intent}.name"))]
    place = place_text(turn, slots.get("building"), slots.get("room"), slots.get("place"))
    if place.html:
        parts.append(turn.text("resident.where", place=place))
    parts.append(
        turn.text("resident.emergency.todo", steps=Raw(turn.text(f"safety.{intent}.full")))
    )
    parts.append(turn.numbers())
    phone = slots.get("phone")
    contact = (
        turn.text("resident.emergency.contact_phone", masked=mask_phone(phone))
        if phone and not slots.get("no_calls")
        else turn.text(
            "resident.emergency.contact_no_calls"
            if slots.get("no_calls")
            else "resident.emergency.contact_chat"
        )
    )
    parts.append(
        turn.text(
            "resident.emergency.next",
            next=Raw(turn.text(f"safety.{intent}.next")),
            contact=Raw(contact),
        )
    )
    if slots.get("cut_short"):  # the ticket opened before the details (engine.cut_short)
        missing = missing_details(slots)
        if "building" in missing or "place" in missing:
            parts.append(turn.text("resident.emergency.still_where"))
        elif "phone" in missing and not slots.get("no_calls"):
            parts.append(turn.text("resident.emergency.still_phone"))
    return "\n\n".join(parts)


async def _finish(turn: Turn) -> None:
    ticket = await open_ticket(turn)
    await turn.send_html(report_text(turn, ticket, escalated=False))
    await turn.end(await offer_to_remember(turn))


async def _escalate(turn: Turn) -> None:
    """The resident went silent: open the ticket with what is known, say help is coming.
    Silent at "还是在 8栋 吗？" (their own block, remembered or from a ticket still open or
    of a few hours ago): the ticket takes it, and staff are told it was not confirmed."""
    offered = await _offered_place(turn)
    turn.slots.update(offered)
    recent = turn.slots.get(steps.RECENT_PLACE)
    if not turn.slots.get("phone") and isinstance(recent, dict) and recent.get("phone"):
        turn.slots["phone"] = recent["phone"]  # the number of the chat's recent or open report
    extra: dict[str, object] = {
        "incomplete": True,
        "reason": "idle",
        "missing": missing_details(turn.slots),
    }
    if turn.state.step in ("plea", "confirm", "still_well", "what"):
        extra["unconfirmed"] = True  # silence counts as yes
    if offered.get("building"):
        turn.slots["place_offered"] = True
    ticket = await open_ticket(turn, **extra)
    await turn.send_html(report_text(turn, ticket, escalated=True))
    await turn.end()


async def _offered_place(turn: Turn) -> dict[str, object]:
    """The block (and flat) offered at the where-question, or the phone offered at the phone
    question, that the resident left unanswered."""
    name = turn.state.step
    step = EMERGENCY.step(name) if name in ("building", "place_building", "phone") else None
    offer = await steps.offered(turn, step) if step is not None else None
    wanted = "phone" if name == "phone" else "building"
    return dict(offer.values) if offer is not None and offer.values.get(wanted) else {}


EMERGENCY = Flow(
    name="emergency",
    steps=(
        PLEA_STEP,
        CONFIRM,
        STILL_WELL,
        WHAT,
        steps.ESTATE,
        steps.building_step(),
        steps.PLACE_BUILDING,
        steps.PLACE,
        steps.ROOM,
        steps.FLOOR,
        steps.PHONE,
    ),
    finish=_finish,
    on_idle=_escalate,
    idle_seconds=_escalate_after,
    emergency=True,
    max_attempts=2,  # never block the ticket on a detail: one re-ask, then go on
    opening=_opening,
)


# -- outages (urgent): building first, then a notice may already answer ------------------
async def _check_notice(turn: Turn) -> bool:
    """Answer from an active outage notice (or a known cluster) when one covers the building."""
    slots = turn.slots
    answer = await turn.ctx.notices.answer_outage(
        chat_id=turn.chat_id,
        user_id=turn.user_id,
        user_name=turn.user_name or str(slots.get("name") or ""),
        intent=str(slots["intent"]),
        building=slots.get("building"),
        text=str(slots.get("text") or ""),
        locale=turn.locale,
        estate_id=slots["estate"] if isinstance(slots.get("estate"), int) else None,
    )
    if answer is None:
        return False
    await turn.send_html(answer)
    if slots.get("situation"):  # someone depends on a machine: staff hear of it all the same
        return False
    await turn.end()
    return True


def outage_text(turn: Turn, ticket: Ticket, *, escalated: bool) -> str:
    intent, texts = str(turn.slots["intent"]), safety(turn.slots)
    head = "resident.outage.escalated" if escalated else "resident.outage.done"
    return "\n\n".join(
        (
            turn.text(head, ticket=ticket.id, hazard=turn.text(f"safety.{intent}.name")),
            turn.text("resident.outage.meanwhile", steps=Raw(turn.text(f"safety.{texts}.full"))),
            turn.text(f"safety.{texts}.next" if texts != intent else "resident.outage.next"),
        )
    )


async def _finish_outage(turn: Turn) -> None:
    ticket = await open_ticket(turn)
    await turn.send_html(outage_text(turn, ticket, escalated=False))
    await turn.end(await offer_to_remember(turn))


async def _escalate_outage(turn: Turn) -> None:
    if "notice_checked" not in turn.slots and await _check_notice(turn):
        return
    ticket = await open_ticket(
        turn, incomplete=True, reason="idle", missing=missing_details(turn.slots)
    )
    await turn.send_html(outage_text(turn, ticket, escalated=True))
    await turn.end()


OUTAGE = Flow(
    name="outage",
    steps=(
        steps.ESTATE,
        steps.building_step(public_area=False),
        Step(name="notice", fills=("notice_checked",), action=_check_notice),
        steps.HOME_ROOM,
        steps.PHONE,
    ),
    finish=_finish_outage,
    on_idle=_escalate_outage,
    idle_seconds=_escalate_after,
    max_attempts=3,
    opening=lambda slots: f"safety.{safety(slots)}.now",
)
