"""Replays a YAML conversation transcript through the whole app (tests/support/harness.py).

A transcript says what the resident does and what must be true after each step. It checks
the key content (the safety line comes first, one question at a time, a ticket, staff
alerted), not whole texts, so the wording can evolve. Format:

    title: what this conversation shows
    settings: {estate_registry_file: examples/estate.yaml}   # Settings overrides
    profile: {building: "3", room: "1202", phone: "13812345678"}  # kept with consent
    notice: "<b>停水通知</b>…"        # the notices service answers outages with this
    classify:                         # pin the classifier's answer for a message (for the
      电梯好像卡住了: {intent: elevator_trapped, needs_confirmation: true,  # weak-evidence
                  alternatives: [[repair, 0.7]]}                       # cases it tunes)
    chat: "1001"                      # the resident (default 1001)
    steps:
      - say: 3栋1202厨房有煤气味       # or: press (a button label), press_data, tick (seconds),
                                      #     say_long (that many characters),
        expect:                       #     photo {file_id, caption}, voice, sticker, video,
          first: [不要开关]             #     location, contact (a phone), document,
          contains: [电话]             #     restart (a new App on the same database)
          contains_any: [电话, 手机]     # some message contains one of them
          replied: true               # the resident got at least one message
          not_contains: [工单]
          messages: 2                 # new messages in the resident chat
          questions: 1                # of them, how many ask something (？/?)
          buttons: [跳过]              # labels on the newest resident message
          no_buttons: true
          staff: [燃气泄漏, 3栋]         # a new staff-group message contains each; or: none
          ticket: {intent: gas_leak, building: "3", extra: {incomplete: true}}
          tickets: 1                  # tickets in the database
          conversation: {flow: null}  # the resident's conversation row
          answered: [这个按钮已过期]     # the button press was answered with this notice
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from bot.config import REPO_ROOT
from bot.core.incoming import Attachment, AttachmentKind
from bot.intents.taxonomy import severity_of
from bot.storage.models import Ticket
from tests.support.harness import Harness, make_harness
from tests.support.recording_sender import Shown

HERE = Path(__file__).resolve().parent
QUESTION_MARKS = ("？", "?")


def transcripts() -> list[Path]:
    return sorted(HERE.glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data.get("steps"), f"{path.name}: needs steps"
    return data


@dataclass
class Replay:
    path: Path
    spec: dict[str, Any]
    database_url: str
    classifier: Any
    harness: Harness | None = None
    shown: list[Shown] = field(default_factory=list)  # new messages of the last step
    edited: list[Shown] = field(default_factory=list)  # messages it edited
    answers_before: int = 0

    @property
    def h(self) -> Harness:
        assert self.harness is not None
        return self.harness

    @property
    def chat(self) -> str:
        return str(self.spec.get("chat", "1001"))

    def _settings(self) -> dict[str, Any]:
        settings = dict(self.spec.get("settings") or {})
        if settings.get("estate_registry_file"):
            settings["estate_registry_file"] = REPO_ROOT / settings["estate_registry_file"]
        return settings

    async def start(self, clock: Any = None, sender: Any = None) -> None:
        classifier = self.classifier
        if self.spec.get("classify"):
            classifier = PinnedClassifier(self.classifier, self.spec["classify"])
        self.harness = await make_harness(
            self.database_url, classifier=classifier, clock=clock, **self._settings()
        )
        if sender is not None:
            self.harness.sender = sender
            self.harness.app.outbox.sender = sender
        notice = self.spec.get("notice")

        async def answer_outage(**kwargs: Any) -> str | None:
            return str(notice) if notice else None

        self.harness.app.notices.answer_outage = answer_outage  # type: ignore[method-assign]

    async def run(self) -> None:
        await self.start()
        profile = self.spec.get("profile")
        if profile:
            await self.h.app.profiles.remember(
                self.chat,
                self.chat,
                building=profile.get("building"),
                room=profile.get("room"),
                phone=profile.get("phone"),
            )
        try:
            for number, step in enumerate(self.spec["steps"], 1):
                where = f"{self.path.name} step {number} ({_describe(step)})"
                self.answers_before = len(self.h.sender.answers)
                before = set(self.h.sender.shown)
                self.shown = await self.act(step)
                self.edited = [m for m in self.shown if (m.chat_id, m.message_id) in before]
                self.shown = [m for m in self.shown if (m.chat_id, m.message_id) not in before]
                await self.check(step.get("expect") or {}, where)
        finally:
            await self.h.close()

    async def act(self, step: dict[str, Any]) -> list[Shown]:
        h, chat = self.h, str(step.get("chat", self.chat))
        lang = step.get("lang", "zh-hans")
        if "say" in step:
            return await h.say(
                chat, str(step["say"]), language_code=lang, update_id=step.get("update_id")
            )
        if "say_long" in step:  # a very long message, e.g. something pasted by mistake
            text = ("我被困住了，" * int(step["say_long"]))[: int(step["say_long"])]
            return await h.say(chat, text, language_code=lang)
        if "press" in step:
            return await h.press(
                chat, self._button_data(chat, str(step["press"])), language_code=lang
            )
        if "press_data" in step:
            return await h.press(chat, str(step["press_data"]), language_code=lang)
        if "tick" in step:
            return await h.tick(float(step["tick"]))
        if "restart" in step:
            clock, sender = h.clock, h.sender
            await h.close()
            await self.start(clock=clock, sender=sender)
            return []
        for kind in ("photo", "document", "voice", "sticker", "video", "location", "contact"):
            if kind in step:
                return await self._attachment(chat, kind, step[kind], lang)
        raise AssertionError(f"unknown step {step}")

    async def _attachment(self, chat: str, kind: str, value: Any, lang: str) -> list[Shown]:
        spec = value if isinstance(value, dict) else {}
        attachment = Attachment(
            kind=AttachmentKind(kind),
            file_id=spec.get("file_id", f"{kind.upper()}-1")
            if kind in ("photo", "document", "voice", "video", "sticker")
            else None,
            mime_type=spec.get("mime_type"),
            latitude=22.5 if kind == "location" else None,
            longitude=114.1 if kind == "location" else None,
            phone=str(value) if kind == "contact" else None,
        )
        return await self.h.say(
            chat, spec.get("caption"), attachment=attachment, language_code=lang
        )

    def _button_data(self, chat: str, label: str) -> str:
        for message in reversed(self.h.chat(chat)):
            for row in message.buttons or ():
                for button in row:
                    if label in button.text:
                        return button.data
        raise AssertionError(f"no button labelled {label!r} in chat {chat}")

    # -- expectations ---------------------------------------------------------------------------
    async def check(self, expect: dict[str, Any], where: str) -> None:
        mine = [m for m in self.shown if m.chat_id == self.chat]
        texts = [m.plain for m in mine]
        shown = "\n---\n".join(texts) or "(nothing)"
        if "first" in expect:
            assert mine, f"{where}: nothing was said to the resident"
            for part in _list(expect["first"]):
                assert part in mine[0].plain, f"{where}: first message lacks {part!r}:\n{shown}"
        for part in _list(expect.get("contains")):
            assert any(part in t for t in texts), f"{where}: no message contains {part!r}:\n{shown}"
        if "contains_any" in expect:
            parts = _list(expect["contains_any"])
            assert any(p in t for p in parts for t in texts), (
                f"{where}: no message contains any of {parts}:\n{shown}"
            )
        if expect.get("replied"):
            assert mine, f"{where}: the resident got no answer"
        for part in _list(expect.get("not_contains")):
            assert not any(part in t for t in texts), (
                f"{where}: a message contains {part!r}:\n{shown}"
            )
        if "messages" in expect:
            assert len(mine) == expect["messages"], f"{where}: {len(mine)} messages:\n{shown}"
        if "questions" in expect:
            asked = [t for t in texts if any(q in t for q in QUESTION_MARKS)]
            assert len(asked) == expect["questions"], f"{where}: {len(asked)} questions:\n{shown}"
        if "buttons" in expect:
            labels = self.h.last(self.chat).button_texts
            for part in _list(expect["buttons"]):
                assert any(part in label for label in labels), (
                    f"{where}: no button {part!r} in {labels}"
                )
        if expect.get("no_buttons"):
            assert not self.h.last(self.chat).buttons, f"{where}: the last message has buttons"
        if "staff" in expect:
            staff = [m.plain for m in self.shown if m.chat_id == self.h.staff_chat]
            if expect["staff"] in (None, "none"):
                assert not staff, f"{where}: staff were told:\n{staff}"
            else:
                assert staff, f"{where}: staff were not told anything"
                for part in _list(expect["staff"]):
                    assert any(part in s for s in staff), (
                        f"{where}: no staff message has {part!r}:\n{staff}"
                    )
        if "answered" in expect:
            answers = self.h.sender.answers[self.answers_before :]
            assert answers, f"{where}: the button press was not answered"
            for part in _list(expect["answered"]):
                assert any(part in (a.text or "") for a in answers), (
                    f"{where}: answer lacks {part!r}"
                )
        if "ticket" in expect:
            await self._check_ticket(expect["ticket"], where)
        if "tickets" in expect:
            async with self.h.app.db.session() as session:
                count = await session.scalar(select(func.count()).select_from(Ticket))
            assert count == expect["tickets"], f"{where}: {count} tickets"
        if "conversation" in expect:
            state = await self.h.app.flows.load(self.chat, self.chat)
            for key, value in expect["conversation"].items():
                actual = getattr(state, key) if hasattr(state, key) else state.slots.get(key)
                assert actual == value, f"{where}: conversation {key} = {actual!r}, not {value!r}"

    async def _check_ticket(self, wanted: dict[str, Any], where: str) -> None:
        async with self.h.app.db.session() as session:
            ticket = await session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
        assert ticket is not None, f"{where}: no ticket"
        for key, value in wanted.items():
            if key == "extra":
                for k, v in value.items():
                    assert ticket.extra.get(k) == v, (
                        f"{where}: ticket extra {k} = {ticket.extra.get(k)!r}"
                    )
            elif key == "photos":
                assert ticket.extra.get("photos") == value, (
                    f"{where}: photos {ticket.extra.get('photos')}"
                )
            elif key == "description_contains":
                for part in _list(value):
                    assert part in ticket.description, f"{where}: description lacks {part!r}"
            else:
                actual = getattr(ticket, key)
                assert actual == value, f"{where}: ticket {key} = {actual!r}, not {value!r}"


class PinnedClassifier:
    """The real classifier, except for the messages whose answer a transcript pins."""

    def __init__(self, real: Any, pinned: dict[str, dict[str, Any]]) -> None:
        self.real = real
        self.pinned = pinned

    def classify(self, text: str) -> Any:
        found = self.real.classify(text)
        pin = self.pinned.get(text)
        if pin is None:
            return found
        intent = pin.get("intent", found.intent)
        return replace(
            found,
            intent=intent,
            severity=severity_of(intent),
            score=float(pin.get("score", found.score)),
            needs_confirmation=bool(pin.get("needs_confirmation", False)),
            alternatives=[(str(i), float(s)) for i, s in pin.get("alternatives", [])],
        )


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _describe(step: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in step.items() if k != "expect")[:80]
