"""A notice being written by a manager: its fields, the next thing to ask, the one-line form.

`/notice 停水 3,5栋 明天9:00-17:00 管道维修` fills kind, buildings, start, end and reason
(in any order; what is left after the recognised parts is the reason); the guided flow asks
for whatever is still missing. Stored as JSON in `notice_drafts.data`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.notices.buildings import scan_buildings
from bot.notices.render import NoticeFacts, sounds_unplanned
from bot.notices.timephrases import fold, scan_period

STEPS = ("estate", "kind", "buildings", "start", "end", "reason", "advice")
PREVIEW = "preview"
STEP_FIELDS = {
    "estate": ("estate_id",),  # several estates: which one (asked of company-level managers)
    "kind": ("kind",),
    "buildings": ("buildings",),
    "start": ("starts_at",),
    "end": ("ends_at", "end_set"),
    "reason": ("reason",),
    "advice": ("advice",),
}
"""The draft's fields each step fills (cleared together when the manager edits it)."""
_EMPTY: dict[str, Any] = {name: None for names in STEP_FIELDS.values() for name in names}
_EMPTY["end_set"] = False

_KIND_RE = re.compile(r"\s*(停水|停电|断水|断电|供水|供电|其他|其它|通知|停气|停燃气)\s*")
_KIND_WORDS = {"停水": "water", "断水": "water", "供水": "water", "停电": "power", "断电": "power",
               "供电": "power"}  # fmt: skip


@dataclass
class Draft:
    kind: str | None = None
    buildings: list[str] | None = None  # [] = every building
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    end_set: bool = False  # the end was answered (None then means "not yet known")
    reason: str | None = None
    advice: str | None = None
    cluster_id: int | None = None
    editing: bool = False  # back to the preview after the next answer
    estate_id: int | None = None  # the estate whose buildings it covers
    ask_estate: bool = False  # several estates to choose from (a company-level manager)

    def next_step(self) -> str:
        missing = {
            "estate": self.ask_estate and self.estate_id is None,
            "kind": self.kind is None,
            "buildings": self.buildings is None,
            "start": self.starts_at is None,
            "end": not self.end_set,
            "reason": self.reason is None,
            "advice": self.advice is None,
        }
        return next((step for step in STEPS if missing[step]), PREVIEW)

    def clear(self, step: str) -> None:
        """Forget one answer so that the flow asks it again (editing from the preview)."""
        for name in STEP_FIELDS[step]:
            setattr(self, name, _EMPTY[name])
        if step == "estate":
            self.ask_estate = True

    def drop_end_before_start(self) -> None:
        """A new start after the answered end: ask the end again."""
        if self.end_set and self.ends_at is not None and self.starts_at is not None:
            if self.ends_at <= self.starts_at:
                self.clear("end")

    def facts(self) -> NoticeFacts:
        assert self.kind is not None and self.buildings is not None
        return NoticeFacts(
            self.kind,
            list(self.buildings),
            self.starts_at,
            self.ends_at,
            self.reason or "",
            self.advice or "",
            self.cluster_id is not None or sounds_unplanned(self.reason),
        )

    # -- storage --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "buildings": self.buildings,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "end_set": self.end_set,
            "reason": self.reason,
            "advice": self.advice,
            "cluster_id": self.cluster_id,
            "editing": self.editing,
            "estate_id": self.estate_id,
            "ask_estate": self.ask_estate,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        def when(key: str) -> datetime | None:
            raw = data.get(key)
            return datetime.fromisoformat(raw) if raw else None

        return cls(
            kind=data.get("kind"),
            buildings=data.get("buildings"),
            starts_at=when("starts_at"),
            ends_at=when("ends_at"),
            end_set=bool(data.get("end_set")),
            reason=data.get("reason"),
            advice=data.get("advice"),
            cluster_id=data.get("cluster_id"),
            editing=bool(data.get("editing")),
            estate_id=data.get("estate_id"),
            ask_estate=bool(data.get("ask_estate")),
        )


def kind_of(word: str) -> str:
    return _KIND_WORDS.get(word, "other")


def kind_in(text: str) -> str | None:
    """The kind a typed answer names ("停水" -> water), or None."""
    m = _KIND_RE.fullmatch(fold(text))
    return kind_of(m.group(1)) if m else None


def parse_one_line(text: str, now: datetime) -> Draft:
    """Whatever the one-line form says; raises BuildingError for an impossible range.

    `now` is the estate's local time. The reason is the text left over, if any.
    """
    text = fold(text).strip()
    draft = Draft()
    pos = 0
    while pos < len(text):
        progressed = False
        if draft.kind is None and (m := _KIND_RE.match(text, pos)):
            draft.kind = kind_of(m.group(1))
            pos, progressed = m.end(), True
        if draft.buildings is None and (found := scan_buildings(text, pos)):
            draft.buildings, pos = found
            progressed = True
        if draft.starts_at is None and (period := scan_period(text, now, pos=pos)):
            draft.starts_at = period.start
            if period.end_given:
                draft.ends_at, draft.end_set = period.end, True
            pos, progressed = period.stop, True
        while pos < len(text) and text[pos] in " \t,，;；":
            pos += 1
        if not progressed:
            break
    rest = text[pos:].strip(" \t,，;；。")
    if rest:
        draft.reason = rest
    return draft
