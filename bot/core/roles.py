"""`Roles`: who is who, from the settings (staff group, staff, supervisors, managers).

A small value built once by the bootstrap and handed to whatever decides by role (the
router, the staff and manager handlers, the dashboard's login, the blocked-chat reporter).
It reads the settings live: the staff group's id follows a supergroup migration
(`bot/delivery/staff.py`) and a manager taken off the list loses access at once.
"""

from __future__ import annotations

from collections.abc import Collection, Set
from dataclasses import dataclass
from typing import Protocol


class RoleSettings(Protocol):
    @property
    def staff_chat_id(self) -> str: ...
    @property
    def staff_ids(self) -> Collection[str]: ...
    @property
    def supervisor_ids(self) -> Collection[str]: ...
    @property
    def manager_ids(self) -> Collection[str]: ...


@dataclass(frozen=True, slots=True)
class Roles:
    settings: RoleSettings
    # every estate's staff and team groups (bot/estates.py; a live set): staff groups too
    team_chats: Set[str] = frozenset()
    estate_managers: Set[str] = frozenset()  # managers of one estate (ESTATES_FILE manager_ids)

    def is_staff_chat(self, chat_id: str) -> bool:
        return chat_id == self.settings.staff_chat_id or chat_id in self.team_chats

    def is_manager(self, user_id: str) -> bool:
        return user_id in self.settings.manager_ids or user_id in self.estate_managers

    def is_supervisor(self, user_id: str) -> bool:
        return user_id in self.settings.supervisor_ids or self.is_manager(user_id)

    def is_staff(self, user_id: str) -> bool:
        return user_id in self.settings.staff_ids or self.is_supervisor(user_id)
