"""Answers to what a resident in an emergency asks to do (locales/zh/advice.yaml).

A frightened resident asks about the one thing in front of them ("开灯瞅瞅行不" in a gas leak,
"我去把电瓶车推出来得不得" at a burning bike shed, "叫他吐出来中不中" after a child drank drain
cleaner) or tells it ("门把手有点烫"). Each has one right answer, which the emergency's line
does not always say; the words and the emergency (and situation) they belong to are data, the
answer is the text `safety.advice.<name>`.

The word lists answer first; a question they do not know goes to the learned reader
(advice_model.py), among the answers that fit the emergency, its situation and what was said
done already.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.flows.advice_model import AdviceReader
from bot.flows.answers import asks
from bot.flows.wordlists import entries
from bot.intents import taxonomy as tx

ANY_SITUATION = "*"
"""A situation not known: the answers of every situation may be given (advice_training.py
measures questions written without the report they answer)."""


@dataclass(frozen=True)
class Advice:
    name: str
    words: tuple[str, ...]
    within: tuple[str, ...] = ()
    situations: tuple[str, ...] = ()
    not_situations: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # one of these must appear too
    done: tuple[str, ...] = ()  # already done: not asked about, even in a question
    said_in: tuple[str, ...] = ()  # situations whose report said the `words` already

    def fits(self, text: str, intent: str, situation: str | None, asked: bool) -> bool:
        """`asked`: the message asks something ("灯还没开 我能不能先把灯打开看看": the
        words saying it is not done do not answer the question). In a situation of
        `said_in` the `words` were said with the report ("叫不醒", then "要不要给他灌点水")."""
        if not self.open_to(text, intent, situation, asked):
            return False
        if situation not in self.said_in and not any(w in text for w in self.words):
            return False
        return not self.also or any(w in text for w in self.also)

    def open_to(self, text: str, intent: str, situation: str | None, asked: bool) -> bool:
        """The answer may be given here, whatever words asked for it: its emergency and
        situation, nothing said done already, nothing said not done (unless asked).
        `situation` ANY_SITUATION: not known (measuring on questions without their report)."""
        if intent not in (self.within or tuple(tx.EMERGENCY_INTENTS)):
            return False
        if situation != ANY_SITUATION:
            if self.situations and situation not in self.situations:
                return False
            if situation is not None and situation in self.not_situations:
                return False
        if any(w in text for w in self.done):
            return False
        return asked or not any(w in text for w in self.unless)


class AdviceBook:
    def __init__(
        self,
        entries: Sequence[Advice],
        prepare: Callable[[str], str],
        reader: AdviceReader | None = None,
    ) -> None:
        self._all = tuple(entries)
        self._prepare = prepare
        self._reader = reader

    @classmethod
    def load(
        cls, path: Path, prepare: Callable[[str], str], reader: AdviceReader | None = None
    ) -> AdviceBook:
        out = []
        for name, spec, fields in entries(
            path, prepare, words=("words", "unless", "also", "done"),
            names=("within", "situations", "not_situations", "said_in"),
        ):
            if not spec.get("words"):
                raise ValueError(f"{Path(path).name}: {name}: no words")
            out.append(Advice(name=name, **fields))
        return cls(out, prepare, reader)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self._all)

    def find(self, text: str, intent: str, situation: str | None = None) -> str | None:
        """The text key of the answer the words ask for in this emergency, or None."""
        if not text or not tx.is_emergency(intent):
            return None
        prepared = self._prepare(text)
        asked = asks(text)
        listed = next((a for a in self._all if a.fits(prepared, intent, situation, asked)), None)
        reader = self._reader
        if listed is not None:
            vetoed = reader is not None and reader.veto < 1.0 and reader.vetoes(
                text, self._open(prepared, intent, situation, asked)
            )
            return None if vetoed else f"safety.advice.{listed.name}"
        if reader is None:
            return None
        picked = reader.pick(text, self._open(prepared, intent, situation, asked))
        return f"safety.advice.{picked[0]}" if picked else None

    def open_names(self, text: str, intent: str, situation: str | None = None) -> list[str]:
        """The answers that may be given to `text` in this emergency, whatever words ask for
        them (the learned reader's candidates)."""
        return self._open(self._prepare(text), intent, situation, asks(text))

    def _open(self, prepared: str, intent: str, situation: str | None, asked: bool) -> list[str]:
        return [a.name for a in self._all if a.open_to(prepared, intent, situation, asked)]
