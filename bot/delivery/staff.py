"""The staff group must be reached: nothing for it is dropped without a human being told.

- The group became a supergroup (Telegram answers `migrate_to_chat_id`): the new id is stored
  (`bot_settings`, it wins over a STAFF_CHAT_ID still naming the old group), the outbox has
  already moved the group's pending messages there, and the group is told. The same for an
  estate's staff group and a team's group (`ESTATES_FILE`, `TEAMS_FILE`): the new id is
  stored against the id the file names, and wins while the file still names the old one.
- The group refuses the bot (403, 400 "chat not found": removed, kicked, deleted): the outbox
  keeps retrying; every supervisor and manager gets, privately, what did not arrive.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Protocol

from bot.core.actions import Action, EditText, SendDocument, SendPhoto, SendText
from bot.storage.models import BotSetting

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.delivery.outbox import Outbox
    from bot.storage.db import Database
    from bot.texts import Texts

log = logging.getLogger(__name__)

STAFF_CHAT_KEY = "staff_chat_id"
GROUP_CHATS_KEY = "group_chats"  # {the id a file names: the id it has now} (estates', teams')


class Groups(Protocol):
    """The estates' staff and team groups (`bot.estates.Estates`): a live set, and a way to
    tell them a group has a new id."""

    group_chats: set[str]

    def migrated(self, old: str, new: str) -> None: ...


def content_of(action: Action) -> str:
    """What a message to the staff group said (HTML), for a person to read elsewhere."""
    if isinstance(action, (SendText, EditText)):
        return action.text
    if isinstance(action, SendPhoto):
        return action.caption or ""
    if isinstance(action, SendDocument):
        return action.caption or html.escape(action.filename)
    return ""


class StaffChatGuard:
    """Hooks `Outbox.on_migrated` and `Outbox.on_must_reach_failure` (wired by the bootstrap).
    `settings.staff_chat_id` follows the migration (`bot.core.roles.Roles` reads it live)."""

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        texts: Texts,
        outbox: Outbox,
        groups: Groups | None = None,
    ) -> None:
        self.groups = groups  # the estates' and teams' groups follow a migration too
        self.settings = settings
        self.clock = clock
        self.db = db
        self._t = texts.bind(section="delivery")  # the groups read the default locale
        self.outbox = outbox

    async def load(self) -> None:
        """At start: a migration learned by an earlier run still applies, unless
        STAFF_CHAT_ID (or the estates or teams file) was changed meanwhile (then the
        setting wins)."""
        async with self.db.session() as session:
            stored = await session.get(BotSetting, STAFF_CHAT_KEY)
            groups = await session.get(BotSetting, GROUP_CHATS_KEY)
        if stored is not None:
            old, new = str(stored.value.get("from", "")), str(stored.value.get("chat_id", ""))
            if new and self.settings.staff_chat_id == old:
                log.info("staff group: using %s (the supergroup %s became)", new, old)
                self._use(new)
        if groups is None or self.groups is None:
            return
        for old, new in dict(groups.value).items():
            if new and old in self.groups.group_chats and old != self.settings.staff_chat_id:
                log.info("group %s: using %s (the supergroup it became)", old, new)
                self._move(old, new)

    def _use(self, chat_id: str) -> None:
        old = self.settings.staff_chat_id
        self.settings.staff_chat_id = chat_id
        self._move(old, chat_id)

    def _move(self, old: str, new: str) -> None:
        self.outbox.must_reach.add(new)
        if self.groups is not None:
            self.groups.migrated(old, new)

    async def migrated(self, old: str, new: str) -> None:
        if old == self.settings.staff_chat_id:
            log.warning("the staff group %s is now the supergroup %s: following it", old, new)
            await self._store_staff_chat(old, new)
            self._use(new)
            told = self._t("staff_chat_migrated", chat=new)
        elif self.groups is not None and old in self.groups.group_chats:
            log.warning("the group %s is now the supergroup %s: following it", old, new)
            await self._store_group(old, new)
            self._move(old, new)
            told = self._t("group_chat_migrated", chat=new, old=old)
        else:
            return  # another group (ignored anyway) or already followed
        await self.outbox.send(SendText(new, told))

    async def _store_staff_chat(self, old: str, new: str) -> None:
        now = self.clock.now()
        async with self.db.transaction() as session:
            stored = await session.get(BotSetting, STAFF_CHAT_KEY)
            value = {"chat_id": new, "from": old}
            if stored is None:
                session.add(BotSetting(key=STAFF_CHAT_KEY, value=value, updated_at=now))
            else:
                # the environment's id stays the "from": a second migration chains
                value["from"] = str(stored.value.get("from", old))
                stored.value, stored.updated_at = value, now

    async def _store_group(self, old: str, new: str) -> None:
        """Against the id the file names (a second migration chains to it)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            stored = await session.get(BotSetting, GROUP_CHATS_KEY)
            value = dict(stored.value) if stored is not None else {}
            named = next((k for k, v in value.items() if v == old), old)
            value[named] = new
            if stored is None:
                session.add(BotSetting(key=GROUP_CHATS_KEY, value=value, updated_at=now))
            else:
                stored.value, stored.updated_at = value, now

    async def failed(self, action: Action, problem: str) -> None:
        """Privately to every supervisor and manager: the staff group did not get this."""
        settings = self.settings
        people = list(dict.fromkeys([*settings.supervisor_ids, *settings.manager_ids]))
        log.error("staff group unreachable (%s); telling %d supervisor(s)/manager(s)",
                  problem, len(people))
        if not people:
            return
        head = self._t("staff_chat_unreachable", problem=problem)
        body = content_of(action)
        text = f"{head}\n\n{body}" if body else head
        buttons = action.buttons if isinstance(action, (SendText, EditText)) else None
        for person in people:
            await self.outbox.send(SendText(person, text, buttons))
