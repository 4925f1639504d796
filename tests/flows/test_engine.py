"""The flow engine with a small flow of its own: questions, buttons, timeouts, resume."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.incoming import Incoming
from bot.flows import steps, validators
from bot.flows.spec import Answer, Choice, Flow, Step
from bot.flows.turn import Turn
from tests.support.harness import Harness


def _short(settings: Any) -> float:
    return 10.0


async def _finish(turn: Turn) -> None:
    await turn.send_html(f"done {turn.slots.get('size')} {turn.slots.get('phone')}")


async def _idle(turn: Turn) -> None:
    await turn.send_html(f"idle at {turn.state.step}")
    await turn.end()


def _size(text: str, slots: dict[str, Any], checks: validators.Checks) -> Answer:
    return (
        Answer.accept(size=text)
        if text in ("S", "M", "L")
        else Answer.refuse("resident.invalid.yes_no")
    )


DEMO = Flow(
    name="demo",
    steps=(
        Step(
            "size",
            ("size",),
            "resident.ask.description",
            _size,
            choices=(Choice("s", "resident.button.skip", {"size": "S"}),),
            timeout=_short,
        ),
        steps.PHONE,
    ),
    finish=_finish,
    on_idle=_idle,
    idle_seconds=lambda settings: 100.0,
    max_attempts=2,
)


@pytest.fixture
async def demo(harness: Harness) -> Harness:
    harness.app.flows.catalog["demo"] = DEMO
    return harness


async def begin(h: Harness, chat: str = "1001") -> None:
    engine = h.app.flows
    async with engine.locks(chat):
        state = await engine.load(chat, chat)
        incoming = Incoming(update_id="x", chat_id=chat, user_id=chat)
        await engine.begin(h.app.flows.turn(state, "zh", "", incoming), "demo", {"intent": "repair"})
    await h.app.outbox.drain()


async def test_a_step_has_its_own_timeout_and_the_flow_has_a_default(demo: Harness) -> None:
    await begin(demo)
    assert "说一下是什么问题" in demo.last("1001").plain
    assert await demo.tick(9) == []
    shown = await demo.tick(2)  # the size step's own 10 s
    assert [m.plain for m in shown] == ["idle at size"]
    await begin(demo)
    await demo.press("1001", "flow:size:s")
    assert await demo.tick(11) == []  # the phone step uses the flow's 100 s
    assert [m.plain for m in await demo.tick(90)] == ["idle at phone"]


async def test_after_max_attempts_a_step_is_skipped(demo: Harness) -> None:
    await begin(demo)
    await demo.say("1001", "XL")
    assert "请点下面的按钮" in demo.last("1001").plain
    await demo.say("1001", "XXL")
    assert "先跳过" in demo.last("1001").plain  # before the next question
    await demo.say("1001", "13812345678")
    assert demo.last("1001").plain == "done None 13812345678"


async def test_buttons_of_a_question_no_longer_asked_are_refused(demo: Harness) -> None:
    await begin(demo)
    await demo.press("1001", "flow:size:s")
    before = len(demo.sender.answers)
    await demo.press("1001", "flow:size:s", message_id=demo.chat("1001")[0].message_id)
    assert demo.sender.answers[before].text == "这个按钮已过期"
    await demo.press("1001", "flow:phone:nonsense")
    assert demo.sender.answers[-1].text == "这个按钮已过期"


async def test_a_failing_idle_handler_is_retried_not_dropped(demo: Harness) -> None:
    calls: list[str] = []

    async def flaky(turn: Turn) -> None:
        calls.append(turn.state.step or "")
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        await _idle(turn)

    demo.app.flows.catalog["demo"] = Flow(
        name="demo", steps=DEMO.steps, finish=_finish, on_idle=flaky, idle_seconds=DEMO.idle_seconds
    )
    await begin(demo)
    await demo.tick(11)
    assert calls == ["size"]
    state = await demo.app.flows.load("1001", "1001")
    assert state.flow == "demo" and state.deadline_at is not None
    shown = await demo.tick(11)
    assert calls == ["size", "size"] and [m.plain for m in shown] == ["idle at size"]


async def test_a_sweep_handles_each_passed_deadline_once(demo: Harness) -> None:
    for chat in ("1", "2", "3"):
        await begin(demo, chat)
    demo.clock.advance(11)
    assert await demo.app.flows.sweep() == 3
    assert await demo.app.flows.sweep() == 0


async def test_the_keyed_locks_forget_idle_keys(demo: Harness) -> None:
    await demo.say("1001", "你好")
    assert len(demo.app.flows.locks) == 0


def finish_fails_once(h: Harness) -> None:
    """The demo flow, with a finish that fails the first time (the ticket service is down)."""
    failures = [RuntimeError("ticket service down")]

    async def fragile_finish(turn: Turn) -> None:
        if failures:
            raise failures.pop()
        await _finish(turn)

    h.app.flows.catalog["demo"] = Flow(
        name="demo",
        steps=DEMO.steps,
        finish=fragile_finish,
        on_idle=_idle,
        idle_seconds=DEMO.idle_seconds,
    )


async def test_a_finish_that_fails_is_completed_by_the_sweep(demo: Harness) -> None:
    finish_fails_once(demo)
    await begin(demo)
    await demo.press("1001", "flow:size:s")
    shown = await demo.say("1001", "13812345678")
    assert "抱歉，系统出了点问题" in shown[-1].plain  # the app apologises with the numbers
    shown = await demo.tick(11)
    assert [m.plain for m in shown] == ["done S 13812345678"]
    state = await demo.app.flows.load("1001", "1001")
    assert state.flow is None and state.deadline_at is None


async def test_a_message_after_an_interrupted_finish_finishes_it_first(demo: Harness) -> None:
    finish_fails_once(demo)
    await begin(demo)
    await demo.press("1001", "flow:size:s")
    await demo.say("1001", "13812345678")
    shown = await demo.say("1001", "你好")
    assert shown[0].plain == "done S 13812345678"
    assert "您好" in shown[-1].plain
