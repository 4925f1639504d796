"""What the python-telegram-bot and aiogram adapters share: start-up, polling or webhook,
the command menu, and feeding updates to the core.

Lifecycle (see `bot/commands/run.py`):

    transport = build_transport(app)   # bot.transports.build_transport
    await transport.start()            # getMe, sender attached to app.outbox, menu, receive
    ...
    await transport.stop()             # stop receiving; finish the updates already received
    await app.stop()                   # the outbox worker ends
    await transport.close()            # the library's HTTP session

Receiving is the same for both libraries: this module long-polls (`getUpdates` through the
library) or serves the webhook, and hands each update to `app.receive`, which stores it
before it returns (`bot/intake.py`); only then is the update confirmed to Telegram (the next
`getUpdates` offset, the webhook's 200). A crash never loses an update Telegram was told we
have. Handling is per chat in order, different chats at once; sending is the outbox
worker's job, so a slow Telegram never holds up handling.
"""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from bot.core.incoming import Incoming
from bot.transports.lines import LineSender
from bot.transports.sender import TelegramSender, chat_ref
from bot.transports.updates import ALLOWED_UPDATES, incoming_from_update
from bot.transports.webhook import WebhookServer, check_secret

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Settings

log = logging.getLogger(__name__)

POLL_BACKOFF_CAP = 30.0  # seconds between two failed getUpdates at most
POLL_LIMIT = 100

TOKEN_SHAPE = re.compile(r"^\d+:[\w-]+$")
MENU_KEYS = {
    "private": "telegram.commands_private",  # every private chat (residents)
    "staff": "telegram.commands_staff",  # the staff group
    "manager": "telegram.commands_manager",  # each manager's private chat
}


@dataclass(frozen=True, slots=True)
class BotIdentity:
    id: int
    username: str


class TelegramTransport(ABC):
    name: ClassVar[str]

    def __init__(self, app: App, *, poll_timeout: int = 30) -> None:
        if not app.settings.bot_token:
            raise ValueError("BOT_TOKEN is not set")
        if not TOKEN_SHAPE.match(app.settings.bot_token):
            raise ValueError("BOT_TOKEN does not look like a token from @BotFather (123456:ABC-...)")
        self.app = app
        self.settings = app.settings
        self.token: str = app.settings.bot_token
        self.api_base_url = app.settings.telegram_api_base_url.rstrip("/")
        self.poll_timeout = poll_timeout
        self.me: BotIdentity | None = None
        self.webhook: WebhookServer | None = None
        self._polling: asyncio.Task[None] | None = None
        self._offset: int | None = None  # the next update id to ask for (confirms the ones before)
        self._confirmed: int | None = None  # the offset Telegram last heard

    @property
    def mode(self) -> str:
        return "webhook" if self.settings.webhook_url else "polling"

    @property
    def webhook_path(self) -> str:
        return webhook_path(self.settings)

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        secret = check_secret(self.settings.webhook_secret) if self.mode == "webhook" else None
        try:
            self.me = await self._open()
        except Exception as exc:
            raise ConnectionError(
                f"{self.name}: the Bot API at {self.api_base_url} did not accept BOT_TOKEN: {exc}"
            ) from exc
        log.info("%s: connected as @%s (%s), %s", self.name, self.me.username, self.me.id, self.mode)
        if self.mode == "polling" and self.settings.clustered:
            log.warning("%s: MULTI_PROCESS with long polling: run one process only (Telegram "
                        "refuses a second poller); several processes need WEBHOOK_URL", self.name)
        self.sender.lines = LineSender(self.api_base_url, self.token)
        self.app.outbox.sender = self.sender
        self.app.outbox.wake()
        await self._publish_menus()
        try:
            if secret is not None:
                self.webhook = WebhookServer(
                    feed=self.receive, secret=secret, path=self.webhook_path,
                    listen=self.settings.webhook_listen, port=self.settings.webhook_port,
                )
                await self.webhook.start()
                assert self.settings.webhook_url
                await self._set_webhook(self.settings.webhook_url, secret, list(ALLOWED_UPDATES))
            else:
                await self._delete_webhook()  # polling fails while a webhook is set
                self._polling = asyncio.create_task(
                    self._poll(list(ALLOWED_UPDATES)), name=f"{self.name}-polling"
                )
        except Exception as exc:
            await self.stop()
            raise ConnectionError(f"{self.name}: could not start {self.mode}: {exc}") from exc

    async def stop(self) -> None:
        """Stop receiving; updates already received are handled first. Safe to repeat."""
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None
        await self._stop_polling()
        await self.join()

    async def join(self) -> None:
        """Until every update received so far is handled."""
        await self.app.intake.join()

    # -- long polling ------------------------------------------------------------------------
    async def _poll(self, allowed_updates: list[str]) -> None:
        """getUpdates, each update stored (`receive`), and only then the next offset."""
        failures = 0
        while True:
            try:
                updates = await self._get_updates(
                    self._offset, self.poll_timeout, allowed_updates, POLL_LIMIT
                )
                self._confirmed = self._offset
                failures = 0
                if updates:  # the batch is stored in one transaction, then confirmed
                    await self.app.receive_many(
                        [i for i in map(self._readable, updates) if i is not None],
                        full=len(updates) >= POLL_LIMIT,
                    )
                    self._offset = int(updates[-1]["update_id"]) + 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                delay = min(POLL_BACKOFF_CAP, 0.5 * 2 ** min(failures, 6))
                log.warning("%s: getUpdates failed (%s); again in %.1fs", self.name, exc, delay)
                await asyncio.sleep(delay)

    async def _stop_polling(self) -> None:
        if self._polling is None:
            return
        self._polling.cancel()
        try:
            await self._polling
        except (asyncio.CancelledError, Exception):
            pass
        self._polling = None
        if self._offset is not None and self._offset != self._confirmed:
            try:  # tell Telegram what is stored, so that a restart is not sent it again
                await self._get_updates(self._offset, 0, list(ALLOWED_UPDATES), 1)
                self._confirmed = self._offset
            except Exception as exc:
                log.info("%s: last offset not confirmed (%s); duplicates are ignored", self.name, exc)

    async def close(self) -> None:
        """Release the library (after `app.stop()`: the outbox sends until then)."""
        await self.stop()
        if self.app.outbox.sender is self.sender:
            self.app.outbox.sender = None
        if self.sender.lines is not None:
            await self.sender.lines.close()
            self.sender.lines = None
        await self._close()

    # -- updates -----------------------------------------------------------------------------
    def incoming(self, update: Mapping[str, Any]) -> Incoming | None:
        """One update as Bot API JSON, in the core's terms (None: not for the core)."""
        assert self.me is not None
        return incoming_from_update(update, bot_id=self.me.id, bot_username=self.me.username)

    async def receive(self, update: Mapping[str, Any]) -> None:
        """One update as Bot API JSON: stored for the core when this returns (raises
        `bot.intake.NotStored` when it could not be kept: do not confirm it)."""
        incoming = self._readable(update)
        if incoming is not None:
            await self.app.receive(incoming)

    def _readable(self, update: Mapping[str, Any]) -> Incoming | None:
        try:
            return self.incoming(update)
        except Exception:  # an update we cannot read: confirming it is all we can do
            log.exception("%s: update %s cannot be read", self.name, update.get("update_id"))
            return None

    # -- the command menu --------------------------------------------------------------------
    async def _publish_menus(self) -> None:
        """The "/" menu: resident commands in private chats, staff commands in the staff
        group, manager commands in each manager's chat. A failure is only logged."""
        scopes: list[tuple[str, int | None]] = [("private", None)]
        staff = chat_ref(self.settings.staff_chat_id)
        if isinstance(staff, int):  # not the console's placeholder group
            scopes.append(("staff", staff))
        for team_chat in sorted(self.app.roles.team_chats):  # every team and estate group
            chat = chat_ref(team_chat)
            if isinstance(chat, int) and chat != staff:
                scopes.append(("staff", chat))
        # the company's managers, then each estate's own (ESTATES_FILE manager_ids)
        managers = [*self.settings.manager_ids, *sorted(self.app.roles.estate_managers)]
        for manager in dict.fromkeys(managers):
            chat = chat_ref(manager)
            if isinstance(chat, int):
                scopes.append(("manager", chat))
        for audience, chat_id in scopes:
            for language, commands in self._menus(MENU_KEYS[audience]):
                try:
                    await self._set_commands(commands, chat_id, language)
                except Exception as exc:  # a menu is a nicety: never stop the bot for it
                    log.warning("could not set the %s command menu (%s): %s", audience, chat_id, exc)

    def _menus(self, key: str) -> list[tuple[str | None, list[tuple[str, str]]]]:
        """(language, commands): the default locale's for everyone, then any other
        locale's own menu for users whose Telegram speaks it."""
        texts = self.app.texts
        if not texts.has(key):
            return []
        default = parse_menu(texts.raw(key))
        menus: list[tuple[str | None, list[tuple[str, str]]]] = [(None, default)] if default else []
        for locale in texts.locales:
            if locale != texts.default:
                menu = parse_menu(texts.raw(key, locale))
                if menu and menu != default:
                    menus.append((locale, menu))
        return menus

    # -- what a library implements -----------------------------------------------------------
    @property
    @abstractmethod
    def sender(self) -> TelegramSender: ...

    @abstractmethod
    async def _open(self) -> BotIdentity:
        """Create the library objects and ask Telegram who we are (getMe)."""

    @abstractmethod
    async def _close(self) -> None: ...

    @abstractmethod
    async def _get_updates(
        self, offset: int | None, wait: int, allowed_updates: list[str], limit: int
    ) -> list[dict[str, Any]]:
        """One getUpdates call (long poll of `wait` seconds); the updates as Bot API JSON."""

    @abstractmethod
    async def _delete_webhook(self) -> None: ...

    @abstractmethod
    async def _set_webhook(self, url: str, secret: str, allowed_updates: list[str]) -> None: ...

    async def feed(self, update: dict[str, Any]) -> None:
        """One raw update, as the webhook receives it."""
        await self.receive(update)

    @abstractmethod
    async def _set_commands(
        self, commands: list[tuple[str, str]], chat_id: int | None, language: str | None
    ) -> None: ...


def webhook_path(settings: Settings) -> str:
    """Where the webhook server listens: WEBHOOK_PATH, else the path of WEBHOOK_URL."""
    if settings.webhook_path:
        return settings.webhook_path
    return urlsplit(settings.webhook_url or "").path or "/"


def parse_menu(value: object) -> list[tuple[str, str]]:
    """BotFather's format, one command per line: "start - 报修与求助"."""
    lines = value if isinstance(value, list) else str(value or "").splitlines()
    out: list[tuple[str, str]] = []
    for line in lines:
        command, sep, description = str(line).partition(" - ")
        command = command.strip().lstrip("/")
        if sep and command and description.strip():
            out.append((command, description.strip()))
    return out
