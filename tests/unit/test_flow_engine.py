"""`FlowEngine` alone: a small flow of the test's own, its context and its conversation
storage fakes (the real storage in the restart test)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config import Settings
from bot.core.clock import FakeClock
from bot.core.incoming import Incoming
from bot.flows import steps
from bot.flows.context import FlowContext
from bot.flows.engine import FlowEngine
from bot.flows.spec import Answer, Choice, Flow, Step
from bot.flows.store import ConversationStore
from bot.flows.turn import Turn
from bot.flows.validators import Checks
from bot.storage.db import Database
from bot.texts import Texts
from bot.tickets.draft import TicketDraft
from tests.unit.fakes import (
    FakeConversationStorage,
    FakeMessenger,
    FakeOutageDesk,
    FakeProfiles,
    FakeTicketDesk,
)

CHAT = "1001"


class NoClassifier:
    def classify(self, text: str) -> Any:
        raise AssertionError("the engine reads answers; it does not classify")


def _size(text: str, slots: dict[str, Any], checks: Checks) -> Answer:
    if text in ("S", "M", "L"):
        return Answer.accept(size=text)
    return Answer.refuse("resident.invalid.yes_no")


async def _finish(turn: Turn) -> None:
    ticket = await turn.ctx.tickets.open_ticket(
        TicketDraft(
            chat_id=turn.chat_id,
            user_id=turn.user_id,
            intent="repair",
            severity="normal",
            description=f"size {turn.slots.get('size')}",
            phone=turn.slots.get("phone"),
        )
    )
    await turn.send_html(f"ticket {ticket.id}")
    await turn.end()


async def _idle(turn: Turn) -> None:
    await turn.send_html(f"idle at {turn.state.step}")
    await turn.end({"left": turn.state.step})


DEMO = Flow(
    name="demo",
    steps=(
        Step(
            "size",
            ("size",),
            "resident.ask.description",
            _size,
            choices=(Choice("s", "resident.button.skip", {"size": "S"}),),
        ),
        steps.PHONE,
    ),
    finish=_finish,
    on_idle=_idle,
    idle_seconds=lambda settings: 100.0,
    max_attempts=2,
)


@pytest.fixture
def outbox() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
def desk() -> FakeTicketDesk:
    return FakeTicketDesk()


@pytest.fixture
def ctx(
    settings: Settings, clock: FakeClock, texts: Texts, outbox: FakeMessenger, desk: FakeTicketDesk
) -> FlowContext:
    return FlowContext(
        settings=settings,
        clock=clock,
        texts=texts,
        outbox=outbox,
        profiles=FakeProfiles(),
        tickets=desk,  # type: ignore[arg-type]
        notices=FakeOutageDesk(),
        classifier=NoClassifier(),  # type: ignore[arg-type]
    )


@pytest.fixture
def engine(ctx: FlowContext) -> FlowEngine:
    flows = FlowEngine(ctx, store=FakeConversationStorage())
    flows.catalog["demo"] = DEMO
    return flows


async def turn_of(engine: FlowEngine, text: str = "") -> Turn:
    state = await engine.load(CHAT, CHAT)
    return engine.turn(
        state, "zh", "", Incoming(update_id="u", chat_id=CHAT, user_id=CHAT, text=text)
    )


async def test_a_flow_asks_its_questions_and_finishes_with_what_it_learned(
    engine: FlowEngine, outbox: FakeMessenger, desk: FakeTicketDesk
) -> None:
    await engine.begin(await turn_of(engine), "demo", {"intent": "repair"})
    assert "说一下是什么问题" in outbox.texts_to(CHAT)[-1]
    assert (await engine.load(CHAT, CHAT)).step == "size"
    await engine.answer(await turn_of(engine, "M"), "M")
    assert (await engine.load(CHAT, CHAT)).step == "phone"
    await engine.answer(await turn_of(engine, "13812345678"), "13812345678")
    assert outbox.texts_to(CHAT)[-1] == "ticket 1"
    assert desk.opened[0].description == "size M" and desk.opened[0].phone == "13812345678"
    assert not (await engine.load(CHAT, CHAT)).active


async def test_the_state_survives_a_new_engine(
    ctx: FlowContext, db: Database, clock: FakeClock
) -> None:
    engine = FlowEngine(ctx, store=ConversationStore(db, clock))
    engine.catalog["demo"] = DEMO
    await engine.begin(await turn_of(engine), "demo", {"intent": "repair"})
    await engine.answer(await turn_of(engine, "L"), "L")
    again = FlowEngine(ctx, store=ConversationStore(db, clock))  # a restart: a new engine
    again.catalog["demo"] = DEMO
    state = await again.load(CHAT, CHAT)
    assert (state.flow, state.step, state.slots.get("size")) == ("demo", "phone", "L")


async def test_a_silent_resident_reaches_the_flows_idle_handler(
    engine: FlowEngine, outbox: FakeMessenger, clock: FakeClock
) -> None:
    await engine.begin(await turn_of(engine), "demo", {"intent": "repair"})
    clock.advance(99)
    assert await engine.sweep() == 0
    clock.advance(2)
    assert await engine.sweep() == 1
    assert outbox.texts_to(CHAT)[-1] == "idle at size"
    state = await engine.load(CHAT, CHAT)
    assert not state.active and state.slots.get("left") == "size"


async def test_cancelling_leaves_the_flow(engine: FlowEngine, desk: FakeTicketDesk) -> None:
    await engine.begin(await turn_of(engine), "demo", {"intent": "repair"})
    await engine.cancel(await turn_of(engine))
    assert not (await engine.load(CHAT, CHAT)).active
    assert desk.opened == []
