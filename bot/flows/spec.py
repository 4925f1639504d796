"""Flows declared as data: a `Flow` is a list of `Step`s; each step asks one question.

A step names the slot(s) it fills, the text key of its question, its buttons (fixed
`choices`, a profile `offer`, an optional skip) and a validator that turns a typed answer
into slot values or into a re-prompt with an example. The engine (`bot/flows/engine.py`)
runs any flow; the flows themselves (`emergency.py`, `report.py`, `registration.py`) are
tables of steps plus what to do when they finish or when the resident goes silent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.flows.turn import Turn
    from bot.flows.validators import Checks

Slots = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Answer:
    """A validated answer (`values` to store) or why it was refused (`error` text key)."""

    values: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def accept(cls, **values: Any) -> Answer:
        return cls(values=values)

    @classmethod
    def refuse(cls, error: str, **values: Any) -> Answer:
        return cls(error=error, error_values=values)


# (typed text, the flow's slots so far, validation context) -> Answer
Validator = Callable[[str, Slots, "Checks"], Answer]


@dataclass(frozen=True, slots=True)
class Choice:
    """A fixed button: its label's text key, and the slot values pressing it stores."""

    value: str  # short, goes into the button data
    label: str  # text key
    values: Mapping[str, Any]
    text: str = ""  # a label as it is (an estate's name), instead of the text key


@dataclass(frozen=True, slots=True)
class Offer:
    """A button built from what we already know (the profile): "3栋1202 是的"."""

    label: str  # text key, formatted with `label_values`
    values: Mapping[str, Any]
    label_values: Mapping[str, Any] = field(default_factory=dict)
    decline: str | None = None  # text key of a "不是" button (asks the question afresh)


# (slots, the resident's profile or None) -> an Offer, or None when there is nothing to offer
Offerer = Callable[[Slots, Any], Offer | None]
# after a step is answered: True when the hook finished (or left) the flow
AfterHook = Callable[["Turn"], Awaitable[bool]]
Finisher = Callable[["Turn"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Step:
    """A question (prompt + validator + buttons), or an `action` run when reached.

    `prompt` may contain "{intent}" (e.g. "safety.{intent}.ask"); an action returns True
    when it finished or left the flow, else the engine marks the step done and goes on.
    """

    name: str
    fills: tuple[str, ...]  # the slots this step sets; it is skipped when the first is present
    prompt: str = ""  # text key of the question
    validate: Validator | None = None
    choices: tuple[Choice, ...] = ()
    offer: Offerer | None = None
    skippable: bool = False  # a "skip" button; skipping stores None in `fills`
    when: Callable[[Slots], bool] | None = None  # ask only when this holds
    after: AfterHook | None = None  # after a valid answer; True when it ended the flow
    action: AfterHook | None = None
    timeout: Callable[[Settings], float] | None = None  # instead of the flow's idle_seconds
    optional: bool = False  # "不知道" skips it (as do skippable steps and every emergency step)
    places: bool = False  # a place outside the flats ("小区门口", "电梯里") answers it
    prompt_place: str = ""  # the question when a place is known ("电梯里" -> "电梯里是在哪一栋？")
    columns: int = 1  # buttons a row when there are more than three
    # buttons made from the deployment's data (the estates), after the fixed `choices`
    choices_from: Callable[[Any], tuple[Choice, ...]] | None = None

    def prompt_key(self, slots: Slots) -> str:
        return self.prompt.replace("{intent}", str(slots.get("intent", "")))

    def needed(self, slots: Slots) -> bool:
        if self.when is not None and not self.when(slots):
            return False
        return self.fills[0] not in slots


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: tuple[Step, ...]
    finish: Finisher  # every needed slot is filled
    on_idle: Finisher  # the resident stopped answering (the step's deadline passed)
    idle_seconds: Callable[[Settings], float]
    emergency: bool = False  # never abandoned for a lesser request; no cancel button
    max_attempts: int | None = None  # invalid answers before a required step is skipped (3)
    opening: Callable[[Slots], str | None] | None = None  # text key sent before any question

    def step(self, name: str | None) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def next_step(self, slots: Slots) -> Step | None:
        return next((s for s in self.steps if s.needed(slots)), None)
