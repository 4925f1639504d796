"""Teams: which group gets a ticket, from one settings file (`TEAMS_FILE`).

    teams:
      security:                       # the key stored on the ticket
        name: 安保                    # what staff read
        chat_id: "-1001000000001"     # the team's Telegram group
        intents: [security, fire]     # routed here...
        buildings: []                 # ...for these buildings only (empty: all)
    people:                           # names `/assign` understands
      张师傅: "501"

The first team whose intents (and buildings, when given) match takes the ticket; no match:
the main staff group (`STAFF_CHAT_ID`) only. Every team group is a staff group: the same
buttons and commands work there. The main group always sees emergencies and whatever a team
leaves unclaimed past its claim deadline. No file: one group, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.yamlio import load_yaml


@dataclass(frozen=True, slots=True)
class Team:
    key: str
    name: str
    chat_id: str
    intents: frozenset[str] = frozenset()
    buildings: frozenset[str] = frozenset()
    members: frozenset[str] = frozenset()  # account ids: who sees this team's tickets on the dashboard

    def takes(self, intent: str, building: str | None) -> bool:
        if intent not in self.intents:
            return False
        return not self.buildings or (building or "") in self.buildings


@dataclass(frozen=True)
class Teams:
    teams: tuple[Team, ...] = ()
    people: Mapping[str, str] = field(default_factory=dict)  # name -> account id

    @classmethod
    def load(cls, path: Path | None) -> Teams:
        if path is None:
            return cls()
        raw = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
        return cls.from_mapping(raw)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Teams:
        people = {str(k).strip(): str(v).strip() for k, v in (raw.get("people") or {}).items()}
        teams = []
        for key, spec in (raw.get("teams") or {}).items():
            if not isinstance(spec, Mapping) or spec.get("chat_id") in (None, ""):
                raise ValueError(f"team {key!r} needs a chat_id")
            teams.append(
                Team(
                    key=str(key),
                    name=str(spec.get("name") or key),
                    chat_id=str(spec["chat_id"]).strip(),
                    intents=frozenset(_strings(spec.get("intents"))),
                    buildings=frozenset(
                        b.removesuffix("栋").removesuffix("号楼")
                        for b in _strings(spec.get("buildings"))
                    ),
                    members=frozenset(people.get(m, m) for m in _strings(spec.get("members"))),
                )
            )
        return cls(tuple(teams), people)

    def route(self, intent: str, building: str | None) -> Team | None:
        for team in self.teams:
            if team.takes(intent, building):
                return team
        return None

    def get(self, key: str | None) -> Team | None:
        return next((t for t in self.teams if t.key == key), None)

    def of_chat(self, chat_id: str) -> Team | None:
        return next((t for t in self.teams if t.chat_id == chat_id), None)

    def teams_of(self, account: str) -> frozenset[str]:
        """The keys of the teams `account` is a member of."""
        return frozenset(t.key for t in self.teams if account in t.members)

    def chats(self) -> frozenset[str]:
        return frozenset(t.chat_id for t in self.teams)

    def moved(self, old: str, new: str) -> Teams:
        """These teams with the group `old` now `new` (it became a supergroup)."""
        teams = tuple(replace(t, chat_id=new) if t.chat_id == old else t for t in self.teams)
        return Teams(teams, self.people)

    def person(self, name_or_id: str) -> tuple[str, str] | None:
        """ "张师傅" or "501" or "@张师傅" -> ("501", "张师傅"); None when unknown."""
        wanted = name_or_id.strip().lstrip("@")
        if wanted in self.people:
            return self.people[wanted], wanted
        for name, account in self.people.items():
            if account == wanted:
                return account, name
        return None


def _strings(value: object) -> Iterable[str]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [str(value).strip()]
    return [str(v).strip() for v in value if str(v).strip()]  # type: ignore[attr-defined]
