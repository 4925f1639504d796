"""A fake Telegram Bot API server (aiohttp on 127.0.0.1, a free port) for the transport tests.

The real libraries talk to it over HTTP, exactly as to api.telegram.org:
python-telegram-bot through `base_url=f"{fake.url}/bot"`, aiogram through
`TelegramAPIServer.from_base(fake.url)`; both are what `TELEGRAM_API_BASE_URL=fake.url` sets.

It speaks getMe, getUpdates (long poll with offset, limit, timeout and allowed_updates),
setWebhook / deleteWebhook / getWebhookInfo, sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, sendPhoto, sendDocument (multipart), getFile
and file downloads, setMyCommands / getMyCommands / deleteMyCommands, close and logOut,
and answers as Telegram does: HTML checked as strictly as Telegram ("can't parse
entities"), 4096/1024 length limits, "message is not modified", unknown chats, callback
data over 64 bytes, stale callback queries, 409 on getUpdates while a webhook is set.

Tests play the people: `send` (a message in a private chat or the group, a reply, a
photo, a voice note, a location, ...) and `press` (a button on a bot message) queue an
update for polling, or POST it to the webhook with its secret. They read what each chat
shows (`messages`, edits applied), every call made (`calls`), and inject failures:
`fail(method, 429, retry_after=3)`, `fail(method, 500)`, `fail(method, 0)` (the connection
drops), `block(chat)` (403 for everything sent there), `hold(predicate)` (matching calls
wait unanswered until `release()`, or are dropped by `drop_held()`: requests in flight when
a process dies). `route` sends pushed updates to a load balancer of several processes.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.telegram_html import HtmlError, parse_html, utf16_len

BOT_ID = 7000001
TOKEN = f"{BOT_ID}:AAF-fake-token-for-tests"
BOT_USERNAME = "helpline_test_bot"

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

_INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id",
               "max_connections", "cache_time", "user_id", "message_thread_id"}
_BOOL_PARAMS = {"show_alert", "drop_pending_updates", "disable_notification", "protect_content",
                "allow_sending_without_reply", "disable_web_page_preview"}
_JSON_PARAMS = {"reply_markup", "reply_parameters", "link_preview_options", "allowed_updates",
                "commands", "scope", "entities", "caption_entities"}
_SENDING = {"sendmessage", "sendphoto", "senddocument", "editmessagetext",
            "editmessagereplymarkup"}

_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass
class Upload:
    filename: str
    content: bytes
    content_type: str


@dataclass
class Call:
    """One request the bot made, and the HTTP status the fake answered (0: dropped)."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)  # when the fake handled it

    @property
    def chat_id(self) -> str | None:
        value = self.params.get("chat_id")
        return None if value is None else str(value)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    chat_id: str | None = None
    migrate_to_chat_id: int | None = None


@dataclass
class Shown:
    """A message of the bot as its chat shows it now (edits applied)."""

    chat_id: str
    message_id: int
    html: str  # text or caption, as sent
    plain: str  # as the chat shows it
    kind: str = "text"  # text, photo, document
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    parse_mode: str | None = None
    edits: int = 0
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def button_data(self) -> list[str]:
        return [b.get("callback_data", "") for row in self.buttons for b in row]

    @property
    def button_texts(self) -> list[str]:
        return [b.get("text", "") for row in self.buttons for b in row]


class ApiError(Exception):
    def __init__(
        self, status: int, description: str, retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id


class FakeBotAPI:
    def __init__(
        self, *, token: str = TOKEN, username: str = BOT_USERNAME,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.now = now  # message dates (a test's fake clock, or real time)
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.calls: list[Call] = []
        self.answers: list[dict[str, Any]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_posts: list[tuple[int, int]] = []  # (update id, HTTP status)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._changed = asyncio.Condition()
        self._closing = False
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._blocked: set[str] = set()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(500001)
        self._message_ids: dict[str, itertools.count[int]] = {}
        self._messages: dict[tuple[str, int], dict[str, Any]] = {}  # every message, as JSON
        self._shown: dict[tuple[str, int], Shown] = {}  # the bot's messages
        self._chats: dict[str, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._callbacks: set[str] = set()
        self._callback_ids = itertools.count(9001)
        self._files: dict[str, tuple[bytes, str]] = {}
        self._file_ids = itertools.count(1)
        # `route`: where `push` sends an update in webhook mode instead of `webhook_url`
        # (several bot processes behind a load balancer); returns the HTTP status
        self.route: Callable[[dict[str, Any]], Awaitable[int]] | None = None
        self._holds: list[Callable[[Call], bool]] = []
        self._held: list[tuple[Call, asyncio.Future[bool]]] = []

    # -- server ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeBotAPI:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._client = aiohttp.ClientSession()
        return self

    async def close(self) -> None:
        self._closing = True
        self.drop_held()
        await self._notify()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- people: what tests do ---------------------------------------------------------------
    def user(self, user_id: int | str, name: str = "", language_code: str = "zh-hans") -> dict[str, Any]:
        """A Telegram user (created on first use)."""
        key = str(user_id)
        if key not in self._users:
            self._users[key] = {
                "id": int(user_id), "is_bot": False, "first_name": name or f"住户{key[-4:]}",
                "language_code": language_code,
            }
        return self._users[key]

    def chat(self, chat_id: int | str, title: str = "") -> dict[str, Any]:
        """A chat the bot is in: positive ids are private chats, negative ids supergroups."""
        key = str(chat_id)
        if key not in self._chats:
            if int(chat_id) > 0:
                user = self.user(chat_id)
                self._chats[key] = {"id": int(chat_id), "type": "private",
                                    "first_name": user["first_name"]}
            else:
                self._chats[key] = {"id": int(chat_id), "type": "supergroup",
                                    "title": title or "物业工作群"}
        return self._chats[key]

    async def send(
        self,
        chat_id: int | str,
        text: str | None = None,
        *,
        user: int | str | None = None,
        reply_to: int | None = None,
        photo: bool = False,
        voice: bool = False,
        sticker: bool = False,
        location: tuple[float, float] | None = None,
        document: str | None = None,
        contact: str | None = None,
    ) -> int:
        """A person sends a message (text, or a caption with media); returns its message id."""
        chat = self.chat(chat_id)
        sender = self.user(user if user is not None else chat_id)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(str(chat_id)), "date": int(self.now()),
            "chat": chat, "from": sender,
        }
        if photo:
            file_id = self._store_file(b"\xff\xd8\xff fake jpeg", "photos")
            message["photo"] = [
                {"file_id": f"{file_id}-s", "file_unique_id": f"u{file_id}-s", "width": 90,
                 "height": 120, "file_size": 900},
                {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 960,
                 "height": 1280, "file_size": 90000},
            ]
        if voice:
            message["voice"] = {"file_id": self._store_file(b"OggS fake", "voice"),
                                "file_unique_id": "uv", "duration": 4, "mime_type": "audio/ogg"}
        if sticker:
            message["sticker"] = {"file_id": self._store_file(b"RIFF fake", "stickers"),
                                  "file_unique_id": "us", "type": "regular", "width": 512,
                                  "height": 512, "is_animated": False, "is_video": False}
        if location is not None:
            message["location"] = {"latitude": location[0], "longitude": location[1]}
        if document is not None:
            message["document"] = {"file_id": self._store_file(b"%PDF fake", "documents"),
                                   "file_unique_id": "ud", "file_name": document,
                                   "mime_type": "application/pdf"}
        if contact is not None:
            message["contact"] = {"phone_number": contact, "first_name": sender["first_name"],
                                  "user_id": sender["id"]}
        if text is not None:
            media = photo or voice or document is not None
            message["caption" if media else "text"] = text
            if text.startswith("/") and not media:
                length = len(text.split(maxsplit=1)[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to is not None:
            replied = self._messages.get((str(chat_id), reply_to))
            message["reply_to_message"] = replied or {
                "message_id": reply_to, "date": int(self.now()), "chat": chat,
            }
        self._messages[(str(chat_id), message["message_id"])] = message
        await self.push({"message": message})
        return int(message["message_id"])

    async def press(
        self, chat_id: int | str, data: str, *, user: int | str | None = None,
        message_id: int | None = None,
    ) -> str:
        """A person taps the inline button with callback `data` (on the newest bot message
        carrying it, unless `message_id` says which); returns the callback query id."""
        if message_id is None:
            carrying = [m for m in self.messages(chat_id) if data in m.button_data]
            assert carrying, f"no message in chat {chat_id} has a button {data!r}"
            message_id = carrying[-1].message_id
        message = self._messages[(str(chat_id), message_id)]
        query_id = self.callback_query_id()
        presser = self.user(user if user is not None else chat_id)
        await self.push({"callback_query": {
            "id": query_id, "from": presser, "chat_instance": f"ci{chat_id}",
            "message": message, "data": data,
        }})
        return query_id

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates, or POST it to the webhook when one is set."""
        update = {"update_id": next(self._update_ids), **update}
        if self.route is not None:
            await self.route(update)
        elif self.webhook_url:
            await self.post_to_webhook(update, secret=self.webhook_secret)
        else:
            self._updates.append(update)
            await self._notify()
        return int(update["update_id"])

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret: str | None, url: str | None = None
    ) -> int:
        """POST an update as Telegram does; returns the HTTP status the bot answered."""
        assert self._client is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with self._client.post(url or self.webhook_url, json=update, headers=headers) as resp:
            await resp.read()
            self.webhook_posts.append((int(update.get("update_id", 0)), resp.status))
            return resp.status

    def file(self, content: bytes = b"\xff\xd8\xff fake jpeg", folder: str = "photos") -> str:
        """A file already on Telegram (say, a resident's photo): its file id."""
        return self._store_file(content, folder)

    def callback_query_id(self) -> str:
        """A button press not answered yet, as if a person had just tapped."""
        query_id = f"cq{next(self._callback_ids)}"
        self._callbacks.add(query_id)
        return query_id

    def hold(self, predicate: Callable[[Call], bool]) -> None:
        """Calls for which `predicate(call)` holds wait unanswered (and count as not sent,
        status 0) until `release()` or `drop_held()`: requests still on their way."""
        self._holds.append(predicate)

    @property
    def held(self) -> list[Call]:
        return [call for call, _ in self._held]

    def release(self) -> int:
        """Stop holding; the calls held so far are handled now. Returns how many."""
        return self._let_go(True)

    def drop_held(self) -> int:
        """Stop holding; the calls held so far never reach "Telegram": their connection
        drops without an answer (status 0). Returns how many."""
        return self._let_go(False)

    def _let_go(self, deliver: bool) -> int:
        held, self._held, self._holds = self._held, [], []
        for _, gate in held:
            if not gate.done():
                gate.set_result(deliver)
        return len(held)

    def block(self, chat_id: int | str) -> None:
        """The person blocks the bot: everything sent to the chat gets 403."""
        self._blocked.add(str(chat_id))

    def fail(
        self, method: str, status: int, description: str | None = None, *,
        retry_after: int | None = None, times: int = 1, chat_id: int | str | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with `status`
        (0: the connection drops without an answer)."""
        text = description or _DESCRIPTIONS.get(status, f"Error {status}")
        text = text.format(retry_after=retry_after)
        failure = Failure(status, text, retry_after, None if chat_id is None else str(chat_id),
                          migrate_to_chat_id)
        for _ in range(times):
            self._failures[method.lower()].append(failure)

    # -- what tests read -----------------------------------------------------------------------
    def messages(self, chat_id: int | str) -> list[Shown]:
        """The bot's messages in a chat, oldest first, edits applied."""
        return sorted(
            (m for (c, _), m in self._shown.items() if c == str(chat_id)), key=lambda m: m.message_id
        )

    def last(self, chat_id: int | str) -> Shown:
        shown = self.messages(chat_id)
        assert shown, f"the bot sent nothing to chat {chat_id}"
        return shown[-1]

    def calls_to(self, method: str, chat_id: int | str | None = None) -> list[Call]:
        return [
            c for c in self.calls
            if c.method.lower() == method.lower() and (chat_id is None or c.chat_id == str(chat_id))
        ]

    def sent_texts(self, chat_id: int | str) -> list[str]:
        """Plain texts of every successful sendMessage to the chat, in order (duplicates kept)."""
        return [
            parse_html(c.params["text"]) if c.params.get("parse_mode") == "HTML" else c.params["text"]
            for c in self.calls_to("sendMessage", chat_id) if c.ok
        ]

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_for(self, predicate: Callable[[], bool], within: float = 30.0) -> None:
        """Until `predicate()` holds (checked after every call the bot makes); a
        TimeoutError after `within` seconds means it never did."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), within)

    async def wait_for_call(self, method: str, count: int = 1, within: float = 30.0) -> Call:
        await self.wait_for(lambda: len(self.calls_to(method)) >= count, within)
        return self.calls_to(method)[count - 1]

    # -- the Bot API ---------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = Call(method, params, files)
        self.calls.append(call)
        if any(hold(call) for hold in self._holds):
            call.status = 0
            gate: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._held.append((call, gate))
            await self._notify()
            if not await gate:
                await self._notify()
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)
            call.status, call.at = 200, time.monotonic()
        await self._notify()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            self._inject_failure(call)
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params, files)
        except _Dropped:
            call.status = 0
            await self._notify()
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        except ApiError as exc:
            call.status = exc.status
            await self._notify()
            body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            if exc.migrate_to_chat_id is not None:
                body["parameters"] = {"migrate_to_chat_id": exc.migrate_to_chat_id}
            return web.json_response(body, status=exc.status)
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    def _inject_failure(self, call: Call) -> None:
        queue = self._failures.get(call.method.lower())
        if queue:
            for failure in list(queue):
                if failure.chat_id is None or failure.chat_id == call.chat_id:
                    queue.remove(failure)
                    if failure.status == 0:
                        raise _Dropped
                    raise ApiError(failure.status, failure.description, failure.retry_after,
                                   failure.migrate_to_chat_id)
        if call.method.lower() in _SENDING and call.chat_id in self._blocked:
            raise ApiError(403, _DESCRIPTIONS[403])

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for content, path in self._files.values():
            if path == request.match_info["path"]:
                return web.Response(body=content)
        return web.Response(status=404)

    async def _m_getme(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return self._bot_user()

    async def _m_logout(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return True

    async def _m_close(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return True

    async def _m_getupdates(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        allowed = params.get("allowed_updates") or None
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)

        def ready() -> list[dict[str, Any]]:
            return [u for u in self._updates if allowed is None or _kind(u) in allowed][:limit]

        if not ready() and timeout > 0 and not self._closing:
            async with self._changed:
                try:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(ready()) or self._closing), timeout
                    )
                except TimeoutError:
                    pass
        return ready()

    async def _m_setwebhook(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret = params.get("secret_token")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_deletewebhook(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        self.webhook_url, self.webhook_secret = "", None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": len(self._updates)}

    async def _m_setmycommands(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            if not (1 <= len(command.get("command", "")) <= 32 and command.get("description")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[_scope_key(params)] = list(commands)
        return True

    async def _m_getmycommands(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return self.commands.get(_scope_key(params), [])

    async def _m_deletemycommands(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        self.commands.pop(_scope_key(params), None)
        return True

    async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._target_chat(params)
        text = str(params.get("text") or "")
        plain = self._check_text(text, params.get("parse_mode"), TEXT_LIMIT, "message is too long")
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        message = self._new_bot_message(chat, params, {"text": plain})
        self._show(message, text, plain, "text", params)
        return message

    async def _m_sendphoto(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._target_chat(params)
        file_id = self._media(params, files, "photo", "photos")
        content = self._caption(params)
        content["photo"] = [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 800,
                             "height": 600, "file_size": len(self._files[file_id][0])}]
        message = self._new_bot_message(chat, params, content)
        self._show(message, params.get("caption") or "", content.get("caption", ""), "photo", params)
        return message

    async def _m_senddocument(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._target_chat(params)
        file_id = self._media(params, files, "document", "documents")
        upload = files.get("document")
        content = self._caption(params)
        content["document"] = {"file_id": file_id, "file_unique_id": f"u{file_id}",
                               "file_name": upload.filename if upload else "file",
                               "file_size": len(self._files[file_id][0])}
        message = self._new_bot_message(chat, params, content)
        self._show(message, params.get("caption") or "", content.get("caption", ""), "document",
                   params)
        return message

    async def _m_editmessagetext(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        shown, message = self._editable(params)
        if shown.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = str(params.get("text") or "")
        plain = self._check_text(text, params.get("parse_mode"), TEXT_LIMIT, "message is too long")
        markup = self._markup(params)
        if text == shown.html and markup == shown.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        shown.html, shown.plain, shown.reply_markup = text, plain, markup
        shown.parse_mode = params.get("parse_mode")
        shown.edits += 1
        message["text"] = plain
        _set_markup(message, markup)
        return message

    async def _m_editmessagereplymarkup(
        self, params: dict[str, Any], files: dict[str, Upload]
    ) -> Any:
        shown, message = self._editable(params)
        markup = self._markup(params)
        if markup == shown.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        shown.reply_markup = markup
        shown.edits += 1
        _set_markup(message, markup)
        return message

    async def _m_answercallbackquery(
        self, params: dict[str, Any], files: dict[str, Upload]
    ) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callbacks:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                                "query ID is invalid")
        self._callbacks.discard(query_id)
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answers.append(dict(params))
        return True

    async def _m_getfile(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        content, path = self._files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
                "file_path": path}

    # -- helpers -------------------------------------------------------------------------------
    def _bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "物业客服",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _target_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        key = str(params.get("chat_id"))
        if key not in self._chats:
            if key.lstrip("-").isdigit() and int(key) > 0:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise ApiError(400, "Bad Request: chat not found")
        return self._chats[key]

    def _check_text(self, text: str, parse_mode: object, limit: int, too_long: str) -> str:
        if parse_mode == "HTML":
            try:
                plain = parse_html(text)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: {exc}") from None
        elif parse_mode in (None, ""):
            plain = text
        else:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        if utf16_len(plain) > limit:
            raise ApiError(400, f"Bad Request: {too_long}")
        return plain

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        caption = params.get("caption")
        if not caption:
            return {}
        return {"caption": self._check_text(str(caption), params.get("parse_mode"), CAPTION_LIMIT,
                                            "message caption is too long")}

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return dict(markup)

    def _media(
        self, params: dict[str, Any], files: dict[str, Upload], name: str, folder: str
    ) -> str:
        if name in files:
            return self._store_file(files[name].content, folder)
        value = params.get(name)
        if isinstance(value, str) and value in self._files:
            return value
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _new_bot_message(
        self, chat: dict[str, Any], params: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        key = str(chat["id"])
        message: dict[str, Any] = {
            "message_id": self._next_message_id(key), "date": int(self.now()), "chat": chat,
            "from": self._bot_user(), **content,
        }
        reply_to = _reply_target(params)
        if reply_to is not None:
            replied = self._messages.get((key, reply_to))
            if replied is not None:
                message["reply_to_message"] = replied
            elif not _may_send_without_reply(params):
                raise ApiError(400, "Bad Request: message to be replied not found")
        _set_markup(message, self._markup(params))
        self._messages[(key, message["message_id"])] = message
        return message

    def _show(
        self, message: dict[str, Any], html_text: str, plain: str, kind: str, params: dict[str, Any]
    ) -> None:
        chat_id = str(message["chat"]["id"])
        replied = message.get("reply_to_message")
        self._shown[(chat_id, message["message_id"])] = Shown(
            chat_id=chat_id, message_id=message["message_id"], html=html_text, plain=plain,
            kind=kind, reply_markup=message.get("reply_markup"),
            reply_to=replied["message_id"] if replied else None,
            parse_mode=params.get("parse_mode"), raw=message,
        )

    def _editable(self, params: dict[str, Any]) -> tuple[Shown, dict[str, Any]]:
        key = (str(params.get("chat_id")), int(params.get("message_id") or 0))
        if key[0] not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        shown = self._shown.get(key)
        if shown is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return shown, self._messages[key]

    def _next_message_id(self, chat_id: str) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _store_file(self, content: bytes, folder: str) -> str:
        number = next(self._file_ids)
        file_id = f"AgACAgFake{number:04d}"
        self._files[file_id] = (content, f"{folder}/file_{number}")
        return file_id

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


class _Dropped(Exception):
    """Answer nothing: close the connection."""


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """The parameters as Telegram reads them: JSON body, query string, urlencoded or
    multipart form (complex values JSON-encoded, numbers and booleans as text)."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json":
        body = await request.read()
        if body:
            params.update(json.loads(body))
        return params, files
    if request.can_read_body:
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = Upload(value.filename, value.file.read(), value.content_type)
            else:
                params[name] = value
    for name, value in list(params.items()):  # aiogram names uploads "attach://<random>"
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.pop(value.removeprefix("attach://"), None)
            if upload is not None:
                files[name] = upload
                del params[name]
    return {name: _coerce(name, value) for name, value in params.items()}, files


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _INT_PARAMS and value.lstrip("-").isdigit():
        return int(value)
    if name in _BOOL_PARAMS:
        return value.lower() in ("true", "1")
    if name in _JSON_PARAMS:
        return json.loads(value)
    return value


def _kind(update: dict[str, Any]) -> str:
    return next(k for k in update if k != "update_id")


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


def _reply_target(params: dict[str, Any]) -> int | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict) and reply.get("message_id") is not None:
        return int(reply["message_id"])
    value = params.get("reply_to_message_id")
    return int(value) if value is not None else None


def _may_send_without_reply(params: dict[str, Any]) -> bool:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        return bool(reply.get("allow_sending_without_reply"))
    return bool(params.get("allow_sending_without_reply"))


def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
    if markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)
