"""Situations within an intent that need their own safety line (locales/zh/situations.yaml).

intents.md keeps the intent ids as the contract ("a crisis is not a fall; carbon monoxide is
not a fainting spell; a relative outside the lift is not the person inside"), so a situation
refines an emergency: its texts are `safety.<situation>.*`, the ticket keeps the intent and
records the situation. A few situations are a safety layer too (`force`): their words make
the message that emergency whatever the classifier said, because missing a crisis costs a
life and a false alarm costs one question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.flows.wordlists import entries
from bot.intents import taxonomy as tx


@dataclass(frozen=True)
class Situation:
    name: str
    intent: str
    force: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    force_also: tuple[str, ...] = ()  # one of these must appear too for `force` to force it
    broad: bool = False  # a more particular situation told later replaces it

    def _ok(self, text: str) -> bool:
        if any(w in text for w in self.unless):
            return False
        return not self.also or any(w in text for w in self.also)

    def forced(self, text: str) -> bool:
        if self.force_also and not any(w in text for w in self.force_also):
            return False
        return any(w in text for w in self.force) and not any(w in text for w in self.unless)

    def marks(self, text: str, intent: str) -> bool:
        within = self.within or tuple(tx.EMERGENCY_INTENTS)
        if intent not in within:
            return False
        return (any(w in text for w in self.words) or self.forced(text)) and self._ok(text)


@dataclass(frozen=True)
class Found:
    intent: str
    situation: str | None
    forced: bool = False


class Situations:
    def __init__(self, situations: Sequence[Situation], prepare: Callable[[str], str]) -> None:
        self._all = tuple(situations)
        self._prepare = prepare

    @classmethod
    def load(cls, path: Path, prepare: Callable[[str], str]) -> Situations:
        out = []
        for name, spec, fields in entries(
            path, prepare, words=("force", "words", "also", "unless", "force_also"),
            names=("within",),
        ):
            if spec["intent"] not in tx.INTENTS:
                raise ValueError(f"{Path(path).name}: {name}: unknown intent {spec['intent']!r}")
            out.append(
                Situation(
                    name=name, intent=str(spec["intent"]), broad=bool(spec.get("broad", False)),
                    **fields,
                )
            )
        return cls(out, prepare)

    def broad(self, name: str) -> bool:
        """Whether a more particular situation told later replaces `name` ("楼道有烟", then
        "我住30楼 坐轮椅": someone who cannot take the stairs)."""
        return any(s.broad for s in self._all if s.name == name)

    def denied(self, name: str, text: str) -> bool:
        """The words now say what the situation `name` is not (its `unless`), and none of
        its `force` words is said: "我在电梯里面" told after a relative's lift was guessed."""
        prepared = self._prepare(text)
        for s in self._all:
            if s.name == name:
                return any(w in prepared for w in s.unless) and not s.forced(prepared)
        return False

    def find(self, text: str, intent: str) -> Found:
        """The intent to act on and its situation, for a message the classifier gave
        `intent`: a forcing situation wins; else a situation of that emergency (or of that
        intent, when the situation names it in `within`: a power cut that stops a home
        breathing machine)."""
        prepared = self._prepare(text)
        for s in self._all:
            if s.forced(prepared):
                return Found(s.intent, s.name, forced=True)
        for s in self._all:  # of an emergency, or of the intents a situation names
            if s.marks(prepared, intent):
                return Found(s.intent, s.name)
        return Found(intent, None)
