"""The staff group must be reached: nothing for it is dropped without a human being told.

- The group became a supergroup (Telegram answers `migrate_to_chat_id`): the new id is stored
  (`bot_settings`, it wins over a STAFF_CHAT_ID still naming the old group), the outbox has
  already moved the group's pending messages there, and the group is told.
- The group refuses the bot (403, 400 "chat not found": removed, kicked, deleted): the outbox
  keeps retrying; every supervisor and manager gets, privately, what did not arrive.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

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
        on_moved: Callable[[str, str], None] | None = None,
    ) -> None:
        self.on_moved = on_moved  # (old, new): the estates follow (`Estates.migrated`)
        self.settings = settings
        self.clock = clock
        self.db = db
        self.texts = texts
        self.outbox = outbox

    async def load(self) -> None:
        """At start: a migration learned by an earlier run still applies, unless
        STAFF_CHAT_ID was changed meanwhile (then the environment wins)."""
        async with self.db.session() as session:
            stored = await session.get(BotSetting, STAFF_CHAT_KEY)
        if stored is None:
            return
        old, new = str(stored.value.get("from", "")), str(stored.value.get("chat_id", ""))
        settings = self.settings
        if new and settings.staff_chat_id == old:
            log.info("staff group: using %s (the supergroup %s became)", new, old)
            self._use(new)

    def _use(self, chat_id: str) -> None:
        old = self.settings.staff_chat_id
        self.settings.staff_chat_id = chat_id
        self.outbox.must_reach.add(chat_id)
        if self.on_moved is not None:
            self.on_moved(old, chat_id)

    async def migrated(self, old: str, new: str) -> None:
        if old != self.settings.staff_chat_id:
            return  # another group (ignored anyway) or already followed
        log.warning("the staff group %s is now the supergroup %s: following it", old, new)
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
        self._use(new)
        await self.outbox.send(
            SendText(new, self.texts.get("delivery.staff_chat_migrated", None, chat=new))
        )

    async def failed(self, action: Action, problem: str) -> None:
        """Privately to every supervisor and manager: the staff group did not get this."""
        settings = self.settings
        people = list(dict.fromkeys([*settings.supervisor_ids, *settings.manager_ids]))
        log.error("staff group unreachable (%s); telling %d supervisor(s)/manager(s)",
                  problem, len(people))
        if not people:
            return
        head = self.texts.get("delivery.staff_chat_unreachable", None, problem=problem)
        body = content_of(action)
        text = f"{head}\n\n{body}" if body else head
        buttons = action.buttons if isinstance(action, (SendText, EditText)) else None
        for person in people:
            await self.outbox.send(SendText(person, text, buttons))
