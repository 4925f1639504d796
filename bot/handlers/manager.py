"""Managers (MANAGER_IDS) in their private chat: notices, statistics, the request log.

The router asks this handler after staff and before residents. It takes a manager's
private message when it is a manager command (/notice, /notices, /restored N,
/cancel_notice N, /stats, /export, /help), an `nt:` button, or an answer inside the /notice
flow (/cancel ends the flow). Everything else a manager writes falls through to the
resident handler: a manager can still report a leak at home.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.actions import (
    AnswerButton,
    Button,
    EditText,
    Keyboard,
    SendDocument,
    SendPhoto,
    SendText,
    keyboard,
)
from bot.core.ids import strict_id
from bot.core.incoming import Incoming
from bot.notices.flow import NoticeFlow
from bot.stats.export import RequestLog, parse_range
from bot.stats.service import StatsService
from bot.storage.models import Notice, NoticeStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import Messenger
    from bot.core.roles import Roles
    from bot.estates import Estates
    from bot.notices.service import NoticeService
    from bot.texts import Texts

    DashboardLinks = Callable[[str, str], tuple[str, str]]

COMMANDS = frozenset({"notice", "notices", "restored", "cancel_notice", "stats", "export", "help"})
FLOW_BUTTONS = frozenset(
    {"es", "k", "b", "s", "e", "r", "a", "ok", "edit", "ed", "back", "x", "cl"}
)


class ManagerHandler:
    def __init__(
        self,
        *,
        settings: Settings,
        roles: Roles,
        clock: Clock,
        texts: Texts,
        outbox: Messenger,
        notices: NoticeService,
        flow: NoticeFlow,
        stats: StatsService,
        log: RequestLog,
        dashboard_links: DashboardLinks,
        estates: Estates | None = None,
    ) -> None:
        self.estates = estates
        self.settings = settings
        self.roles = roles
        self.clock = clock
        self.texts = texts
        self.m = texts.bind(settings.manager_language, "manager")
        self.outbox = outbox
        self.notices = notices
        self.flow = flow
        self.stats = stats
        self.log = log
        self.dashboard_links = dashboard_links

    @property
    def locale(self) -> str:
        return self.settings.manager_language

    def scope(self, user_id: str) -> frozenset[int] | None:
        """The estates this manager sees (None: all, a company-level manager)."""
        if self.estates is None:
            return None
        return self.estates.manager_scope(user_id, self.settings.manager_ids)

    async def say(self, chat_id: str, text: str, buttons: Keyboard | None = None) -> None:
        await self.outbox.send(SendText(chat_id, text, buttons))

    # -- routing ----------------------------------------------------------------------------
    async def accepts(self, incoming: Incoming) -> bool:
        if incoming.is_private and incoming.command == "dashboard":
            return self.roles.is_staff(incoming.user_id)  # managers, supervisors and staff
        if not incoming.is_private or not self.roles.is_manager(incoming.user_id):
            return False
        if incoming.is_button:
            return (incoming.button_data or "").startswith("nt:")
        command = incoming.command
        if command in COMMANDS:
            return True
        if command is not None and command != "cancel":
            return False  # other commands (/start, /me ...) are the resident handler's
        return await self.flow.active(incoming.chat_id)

    async def handle(self, incoming: Incoming) -> None:
        if incoming.is_button:
            await self._button(incoming)
            return
        command = incoming.command
        chat = incoming.chat_id
        if command == "notice":
            await self.flow.start(incoming, incoming.command_args)
        elif command == "cancel":
            await self.flow.cancel(incoming)
        elif command == "notices":
            await self.list_notices(chat)
        elif command in ("restored", "cancel_notice"):
            await self._ask_close(incoming, command)
        elif command == "stats":
            await self.send_stats(chat, self.scope(incoming.user_id))
        elif command == "export":
            await self.send_export(chat, incoming.command_args, self.scope(incoming.user_id))
        elif command == "help":
            await self.say(chat, self.m("help"))
        elif command == "dashboard":
            await self.send_dashboard(incoming)
        else:
            await self.flow.on_text(incoming)

    async def _button(self, incoming: Incoming) -> None:
        parts = (incoming.button_data or "").split(":")
        action = parts[1] if len(parts) > 1 else ""
        arg = parts[2] if len(parts) > 2 else ""
        if action in FLOW_BUTTONS:
            await self.flow.on_button(incoming, action, arg)
            return
        await self.outbox.send(
            AnswerButton(incoming.callback_id or "", chat_id=incoming.chat_id)
        )
        if action == "no":
            await self._replace(incoming, self.m("kept"))
        elif action in ("rq", "cq") and strict_id(arg) is not None:
            await self._confirm_close(incoming.chat_id, int(arg), restored=action == "rq")
        elif action in ("ry", "cy") and strict_id(arg) is not None:
            result = await self._close(incoming.chat_id, int(arg), restored=action == "ry")
            if result is not None:
                await self._replace(incoming, result)

    async def _replace(self, incoming: Incoming, text: str) -> None:
        """The pressed message becomes `text`, without buttons (they cannot be pressed twice)."""
        if incoming.message_id is None:
            await self.say(incoming.chat_id, text)
            return
        await self.outbox.send(EditText(incoming.chat_id, incoming.message_id, text, None))

    # -- /notices -------------------------------------------------------------------------------
    def _names(self, notice: Notice) -> dict[str, object]:
        render = self.notices.render
        return {
            "id": notice.id,
            "kind": render.kind(notice.kind, self.locale),
            "buildings": render.buildings(list(notice.buildings or []), self.locale),
        }

    async def list_notices(self, chat_id: str) -> None:
        scope = self.scope(chat_id)  # a manager's private chat: the chat is the manager
        notices = [
            n for n in await self.notices.current() if scope is None or n.estate_id in scope
        ]
        if not notices:
            await self.say(chat_id, self.m("list_none"))
            return
        render = self.notices.render
        blocks = [self.m("list_header")]
        rows = []
        for notice in notices:
            counts = await self.notices.counts(notice.id)
            meant = counts.total - counts.skipped
            blocks.append(
                self.m(
                    "list_item",
                    **self._names(notice),
                    status=self.m(f"status.{notice.status}"),
                    period=render.period(notice.starts_at, notice.ends_at, self.locale),
                    reason=notice.reason or render.t(self.locale)("reason_default"),
                    delivery=self.m(
                        "list_delivery",
                        sent=counts.sent,
                        total=meant,
                        rate=counts.delivery_rate,
                        pending=self.m("list_pending", n=counts.pending) if counts.pending else "",
                    )
                    if meant
                    else self.m("list_delivery_none"),
                    asked=notice.asked_count,
                )
            )
            row = []
            if notice.status == NoticeStatus.ACTIVE:
                row.append((self.m("btn.restored", id=notice.id), f"nt:rq:{notice.id}"))
            row.append((self.m("btn.withdraw", id=notice.id), f"nt:cq:{notice.id}"))
            rows.append(row)
        await self.say(chat_id, "\n\n".join(blocks), keyboard(*rows))

    # -- /restored N, /cancel_notice N ------------------------------------------------------------
    async def _ask_close(self, incoming: Incoming, command: str) -> None:
        arg = incoming.command_args.lstrip("#").strip()
        if strict_id(arg) is None:
            await self.say(incoming.chat_id, self.m("need_number", command=command))
            return
        await self._confirm_close(incoming.chat_id, int(arg), restored=command == "restored")

    async def _closable(self, chat_id: str, notice_id: int, *, restored: bool) -> Notice | None:
        notice = await self.notices.get(notice_id)
        scope = self.scope(chat_id)
        if notice is not None and scope is not None and notice.estate_id not in scope:
            notice = None  # another estate's: not this manager's
        if notice is None:
            await self.say(chat_id, self.m("no_such_notice", id=notice_id))
            return None
        if notice.status not in NoticeStatus.CURRENT:
            await self.say(
                chat_id,
                self.m("already_closed", id=notice_id, status=self.m(f"status.{notice.status}")),
            )
            return None
        if restored and notice.status == NoticeStatus.PLANNED:
            start = (
                self.notices.render.when(notice.starts_at, self.locale)
                if notice.starts_at
                else ""
            )
            await self.say(chat_id, self.m("not_started", id=notice_id, start=start))
            return None
        return notice

    async def _confirm_close(self, chat_id: str, notice_id: int, *, restored: bool) -> None:
        notice = await self._closable(chat_id, notice_id, restored=restored)
        if notice is None:
            return
        told = await self.notices.to_tell(notice_id)
        key, yes, data = (
            ("ask_restored", "btn.yes_restored", f"nt:ry:{notice_id}")
            if restored
            else ("ask_withdraw", "btn.yes_withdraw", f"nt:cy:{notice_id}")
        )
        await self.say(
            chat_id,
            self.m(key, **self._names(notice), count=told),
            keyboard([(self.m(yes), data)], [(self.m("btn.keep"), "nt:no")]),
        )

    async def _close(self, chat_id: str, notice_id: int, *, restored: bool) -> str | None:
        """Restore or withdraw; the text to show, or None when a reason was already said."""
        if await self._closable(chat_id, notice_id, restored=restored) is None:
            return None
        if restored:
            count = await self.notices.restore(notice_id)
        else:
            count = await self.notices.withdraw(notice_id)
        if count is None:  # closed meanwhile by someone else
            notice = await self.notices.get(notice_id)
            status = self.m(f"status.{notice.status}") if notice else ""
            return self.m("already_closed", id=notice_id, status=status)
        return self.m("restored_done" if restored else "withdrawn_done", id=notice_id, count=count)

    # -- /stats, /export --------------------------------------------------------------------------
    async def send_stats(self, chat_id: str, scope: frozenset[int] | None = None) -> None:
        text, png, caption = await self.stats.report(scope)
        await self.say(chat_id, text)
        await self.outbox.send(
            SendPhoto(chat_id, caption=caption, content=png, filename="stats.png")
        )

    async def send_export(
        self, chat_id: str, args: str, scope: frozenset[int] | None = None
    ) -> None:
        today = self.notices.render.local(self.clock.now()).date()
        found = parse_range(args, today)
        if found is None:
            await self.say(chat_id, self.m("export_bad_dates"))
            return
        start, end = found
        content, count = await self.log.csv_bytes(start, end, scope)
        await self.outbox.send(
            SendDocument(
                chat_id,
                filename=f"requests_{start:%Y%m%d}-{end:%Y%m%d}.csv",
                content=content,
                caption=self.m(
                    "export_caption", start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}", count=count
                ),
            )
        )

    # -- /dashboard (bot/dashboard): a short-lived signed link, and the Mini App button -----------
    async def send_dashboard(self, incoming: Incoming) -> None:
        d = self.texts.bind(self.locale, "dashboard.tg")
        settings = self.settings
        if not settings.dashboard_enabled:
            await self.say(incoming.chat_id, d("disabled"))
            return
        link, mini_app = self.dashboard_links(incoming.user_id, incoming.user_name or "")
        text = d("link", url=link, minutes=max(1, round(settings.dashboard_link_seconds / 60)))
        buttons: Keyboard | None = None
        if mini_app.startswith("https://"):  # Telegram opens Mini Apps over HTTPS only
            text = f"{text}\n{d('link_mini_app')}"
            buttons = ((Button(d("button"), "", web_app=mini_app),),)
        await self.say(incoming.chat_id, text, buttons)
