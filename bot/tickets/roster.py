"""The duty roster (`DUTY_ROSTER_FILE`): who is on duty when.

    shifts:
      - name: 夜班
        days: [mon, tue, wed, thu, fri, sat, sun]   # the day the shift starts (default: all)
        from: "18:00"
        to: "09:00"                                  # before `from`: ends the next morning
        people: ["501", "502"]
        team: security                               # optional: that team's tickets only

An unclaimed ticket's reminder goes privately to the people on duty for its team (or on a
shift without a team) before the escalation ladder reaches supervisors and managers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.yamlio import load_yaml

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Shift:
    name: str
    days: frozenset[int]
    start: time
    end: time
    people: tuple[str, ...]
    team: str | None = None

    def covers(self, local: datetime) -> bool:
        today, yesterday = local.weekday(), (local - timedelta(days=1)).weekday()
        now = local.time()
        if self.start < self.end:
            return today in self.days and self.start <= now < self.end
        # overnight: the evening part today, or the morning part of yesterday's shift
        return (today in self.days and now >= self.start) or (
            yesterday in self.days and now < self.end
        )


@dataclass(frozen=True)
class Roster:
    shifts: tuple[Shift, ...] = ()
    timezone: str = "Asia/Shanghai"

    @classmethod
    def load(cls, path: Path | None, timezone: str) -> Roster:
        if path is None:
            return cls(timezone=timezone)
        raw = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
        return cls.from_mapping(raw, timezone)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], timezone: str) -> Roster:
        shifts = []
        for spec in raw.get("shifts") or []:
            days = spec.get("days") or DAYS
            shifts.append(
                Shift(
                    name=str(spec.get("name") or ""),
                    days=frozenset(DAYS.index(str(d).lower()[:3]) for d in days),
                    start=time.fromisoformat(str(spec.get("from", "00:00"))),
                    end=time.fromisoformat(str(spec.get("to", "23:59"))),
                    people=tuple(str(p).strip() for p in spec.get("people") or []),
                    team=str(spec["team"]) if spec.get("team") else None,
                )
            )
        return cls(tuple(shifts), timezone)

    def on_duty(self, now: datetime, team: str | None = None) -> list[str]:
        """Everyone on a shift covering `now`: the team's shifts and the shifts for all."""
        local = now.astimezone(ZoneInfo(self.timezone))
        people: list[str] = []
        for shift in self.shifts:
            if shift.team not in (None, team) or not shift.covers(local):
                continue
            people.extend(shift.people)
        return list(dict.fromkeys(people))
