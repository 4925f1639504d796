"""The console simulator: try the bot without Telegram (`python -m bot console`).

`ConsoleSender` implements the core `Sender` port for a terminal: it gives every message an
id, applies edits, and shows texts as plain text (HTML tags stripped). `Console` turns typed
lines into `Incoming`s for the whole app (migrations, outbox, sweeper and scheduler run
with the real clock, so timers fire while the console is open).

Two modes:
- interactive: the resident chat and the staff group in one window, buttons pressed by
  number (`!2`), `:staff` / `:resident` switch who is typing (see `:help`);
- `--json`, for scripts: one JSON object per input line,
  `{"chat": "1001", "user": "1001", "text": "...", "reply_to": 12}` or
  `{"chat": "1001", "user": "1001", "press": "flow:phone:skip"}`, and one per output line,
  `{"to": "1001", "id": 13, "text": "...", "buttons": [[{"text": "...", "data": "..."}]]}`,
  or for an edit `{"to": "staff", "edit": 13, "text": "...", "buttons": [...]}`.
  With `--at "2026-04-03 17:55"` time starts there and stands still until an input line
  `{"tick": 3600}` (interactive: `:tick 3600`) moves it on, running what fell due
  (reminders, deadlines, the shift digest) — for trying the staff desk's clocks.
The staff group is the chat STAFF_CHAT_ID (default `staff`), and every team group of
TEAMS_FILE: whoever writes there acts as staff. On end of input, what is still queued is
delivered and the console exits.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import func, select

from bot.core.actions import (
    Action,
    AnswerButton,
    EditText,
    Keyboard,
    SendDocument,
    SendPhoto,
    SendText,
)
from bot.core.ids import strict_id
from bot.core.incoming import Attachment, AttachmentKind, ChatKind, Incoming
from bot.storage.models import MessageRef, OutboxMessage
from bot.transports.sender import plain_text

if TYPE_CHECKING:
    from bot.app import App

Emit = Callable[[dict[str, Any]], None]

DEFAULT_RESIDENT = "1001"
DEFAULT_STAFF = "9001"


@dataclass
class ConsoleMessage:
    chat_id: str
    message_id: int
    text: str  # plain text
    buttons: Keyboard | None = None

    def carries(self, data: str) -> bool:
        return any(b.data == data for row in self.buttons or () for b in row)


def buttons_json(buttons: Keyboard | None) -> list[list[dict[str, str]]]:
    return [[{"text": b.text, "data": b.data} for b in row] for row in buttons or ()]


@dataclass
class ConsoleSender:
    """The `Sender` port for a terminal; `emit` receives one dict per message or edit."""

    emit: Emit
    next_id: int = 0
    messages: dict[tuple[str, int], ConsoleMessage] = field(default_factory=dict)

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    async def deliver(
        self, action: Action, *, reply_to_message_id: int | None, target_message_id: int | None
    ) -> int | None:
        if isinstance(action, AnswerButton):
            if action.text:
                self.emit({"to": action.chat_id, "answer": plain_text(action.text)})
            return None
        if isinstance(action, EditText):
            target = target_message_id if target_message_id is not None else -1
            text = plain_text(action.text)
            self.messages[(action.chat_id, target)] = ConsoleMessage(
                action.chat_id, target, text, action.buttons
            )
            self.emit(
                {
                    "to": action.chat_id,
                    "edit": target,
                    "text": text,
                    "buttons": buttons_json(action.buttons),
                }
            )
            return target
        message_id = self.new_id()
        out: dict[str, Any] = {"to": action.chat_id, "id": message_id}
        if isinstance(action, SendText):
            text, buttons = plain_text(action.text), action.buttons
        elif isinstance(action, SendPhoto):
            text, buttons = plain_text(action.caption or ""), action.buttons
            out["photo"] = action.photo or action.filename
        elif isinstance(action, SendDocument):
            text, buttons = plain_text(action.caption or ""), None
            out["document"] = action.filename
        else:  # pragma: no cover - every action kind is handled above
            raise TypeError(action)
        out.update(text=text, buttons=buttons_json(buttons))
        if reply_to_message_id is not None:
            out["reply_to"] = reply_to_message_id
        self.messages[(action.chat_id, message_id)] = ConsoleMessage(
            action.chat_id, message_id, text, buttons
        )
        self.emit(out)
        return message_id

    def carrier_of(self, chat_id: str, data: str) -> int | None:
        """The newest message of `chat_id` with a button `data` (what a press refers to)."""
        found = [
            m.message_id for (c, _), m in self.messages.items() if c == chat_id and m.carries(data)
        ]
        return max(found) if found else None


async def highest_message_id(app: App) -> int:
    """Message ids continue after the ones already stored (refs map ids back to tickets)."""
    async with app.db.session() as session:
        sent = await session.scalar(select(func.max(OutboxMessage.message_id)))
        refs = await session.scalar(select(func.max(MessageRef.message_id)))
    return max(int(sent or 0), int(refs or 0))


class Console:
    """Feeds lines to the app as a resident or as staff; shows what the bot sends."""

    def __init__(self, app: App, emit: Emit) -> None:
        self.app = app
        self.sender = ConsoleSender(emit)
        self._updates = itertools.count(1)
        self._run = uuid.uuid4().hex[:8]  # update ids stay unique across runs on one database

    async def start(self) -> None:
        await self.app.db.upgrade()
        self.sender.next_id = await highest_message_id(self.app)
        self.app.outbox.sender = self.sender
        await self.app.start(migrate=False)

    async def stop(self) -> None:
        """Deliver what is queued, then stop the app (background tasks, scheduler, database)."""
        await self.app.outbox.drain()
        await self.app.stop()

    @property
    def staff_chat(self) -> str:
        return self.app.settings.staff_chat_id

    def incoming(
        self,
        chat: str,
        user: str,
        *,
        text: str | None = None,
        press: str | None = None,
        reply_to: int | None = None,
        attachment: Attachment | None = None,
        name: str | None = None,
        language_code: str | None = None,
        now: datetime | None = None,
    ) -> Incoming:
        number = next(self._updates)
        group = self.app.roles.is_staff_chat(chat)
        message_id = self.sender.carrier_of(chat, press) if press else self.sender.new_id()
        return Incoming(
            update_id=f"console-{self._run}-{number}",
            chat_id=chat,
            user_id=user,
            chat_kind=ChatKind.GROUP if group else ChatKind.PRIVATE,
            user_name=name or (f"staff{user}" if group else f"resident{user}"),
            language_code=language_code or self.app.settings.locale,
            text=text,
            attachment=attachment,
            button_data=press,
            callback_id=f"console-cb-{self._run}-{number}" if press else None,
            message_id=message_id,
            reply_to_message_id=reply_to,
            time=now or self.app.clock.now(),
        )

    async def feed(self, incoming: Incoming) -> None:
        await self.app.handle(incoming)
        await self.app.outbox.drain()

    async def tick(self, seconds: float) -> str | None:
        """Move a `--at` clock on and run what fell due; an error text without `--at`."""
        advance = getattr(self.app.clock, "advance", None)
        if advance is None:
            return "tick needs a console started with --at"
        advance(seconds)
        await self.app.flows.sweep()
        await self.app.scheduler.run_due()
        await self.app.outbox.drain()
        if await self.app.notices.drain():
            await self.app.outbox.drain()
        return None

    async def feed_json(self, line: str) -> str | None:
        """One `--json` input line; returns an error message for a line it cannot use
        (the console goes on with the next line)."""
        try:
            data = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            return f"not JSON: {exc}"
        if isinstance(data, dict) and set(data) == {"tick"}:
            seconds = data["tick"]
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                return f'"tick" must be a number of seconds, got {seconds!r}'
            return await self.tick(float(seconds))
        problem = json_input_problem(data)
        if problem:
            return problem
        chat = str(data["chat"])
        user = str(data.get("user", chat))
        reply_to = data.get("reply_to")
        await self.feed(
            self.incoming(
                chat,
                user,
                text=None if data.get("text") is None else str(data["text"]),
                press=None if data.get("press") is None else str(data["press"]),
                reply_to=strict_id(reply_to) if reply_to is not None else None,
                attachment=attachment_of(data.get("attachment")),
                name=data.get("name"),
                language_code=data.get("lang"),
            )
        )
        return None


_ID = re.compile(r"-?[0-9]{1,19}|@?[A-Za-z][A-Za-z0-9_]{0,63}")


def json_input_problem(data: object) -> str | None:
    """What is wrong with one `--json` input object, or None when it can be fed."""
    if not isinstance(data, dict):
        return f'expected a JSON object, got {type(data).__name__}: {{"chat", "user", "text"}}'
    if "chat" not in data:
        return 'missing "chat" (and "text" or "press")'
    for key in ("chat", "user"):
        if key in data and (
            isinstance(data[key], bool)
            or not isinstance(data[key], (str, int))
            or not _ID.fullmatch(str(data[key]))
        ):
            return f'"{key}" must be a chat or user id (digits, or a name like "staff"), got {data[key]!r}'
    for key in ("text", "press", "name", "lang"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return f'"{key}" must be a string, got {data[key]!r}'
    if data.get("press") is not None and data.get("text") is not None:
        return 'give "text" or "press", not both'
    if data.get("attachment") is not None and attachment_of(data["attachment"]) is None:
        return '"attachment" must be {"kind": "photo" | "voice" | "location" | ..., ...}'
    if data.get("press") is None and data.get("text") is None and data.get("attachment") is None:
        return 'missing "text" or "press"'
    reply_to = data.get("reply_to")
    if reply_to is not None and strict_id(reply_to) is None:
        return f'"reply_to" must be a message id (a positive whole number), got {reply_to!r}'
    return None


def attachment_of(raw: Any) -> Attachment | None:
    """`{"kind": "photo", "file_id": "..."}` (optional in --json input lines)."""
    if not isinstance(raw, dict):
        return None
    try:
        kind = AttachmentKind(str(raw.get("kind", "")))
    except ValueError:
        return None
    return Attachment(
        kind=kind,
        file_id=raw.get("file_id"),
        file_name=raw.get("file_name"),
        mime_type=raw.get("mime_type"),
        latitude=raw.get("latitude"),
        longitude=raw.get("longitude"),
        phone=raw.get("phone"),
    )


class LineReader:
    """Lines of `stream` read by a daemon thread, so the event loop (timers, sending) keeps
    running while nobody types, and Ctrl-C is not held up by a blocked read."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lines: asyncio.Queue[str] = asyncio.Queue()
        self.loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, name="console-stdin", daemon=True).start()

    def _pump(self) -> None:
        while True:
            line = self.stream.readline()
            try:
                self.loop.call_soon_threadsafe(self.lines.put_nowait, line)
            except RuntimeError:  # the loop is closed: the console has ended
                return
            if not line:
                return

    async def readline(self) -> str:
        """The next line ("" at end of input)."""
        return await self.lines.get()


async def run_json(app: App, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """`--json`: a JSON object per line in, a JSON object per message or edit out."""

    def emit(out: dict[str, Any]) -> None:
        if "answer" in out:  # a button's notice: not part of the script protocol
            return
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()

    console = Console(app, emit)
    await console.start()
    reader = LineReader(stdin)
    try:
        while line := await reader.readline():
            if not line.strip():
                continue
            try:
                problem = await console.feed_json(line)
            except Exception as exc:  # a bug must not end a script's whole session
                logging.getLogger(__name__).exception("console input line failed")
                problem = f"could not handle the line: {type(exc).__name__}"
            if problem:
                print(f"ignored input line: {problem}", file=sys.stderr)
    finally:
        await console.stop()
    return 0


@dataclass
class Interactive:
    """The interactive console: who is typing, numbered buttons, what each chat shows."""

    app: App
    out: TextIO
    user: str = DEFAULT_RESIDENT
    staff_user: str = DEFAULT_STAFF
    as_staff: bool = False
    group: str | None = None  # a team group (TEAMS_FILE) instead of the main staff group
    buttons: dict[int, tuple[str, str]] = field(default_factory=dict)
    console: Console | None = None

    def t(self, key: str, **values: object) -> str:
        return plain_text(self.app.texts.bind(self.app.settings.locale, "console")(key, **values))

    def emit(self, out: dict[str, Any]) -> None:
        chat = str(out["to"])
        if "answer" in out:
            self.out.write(f"   💬 {out['answer']}\n")
            self.out.flush()
            return
        if self.app.roles.is_staff_chat(chat):
            where = self.t("staff_chat") if chat == self.app.settings.staff_chat_id else self.t("team_chat", chat=chat)
        elif chat == self.user:
            where = self.t("resident_chat", chat=chat)
        else:
            where = self.t("other_chat", chat=chat)
        head = self.t("edited", id=out["edit"]) if "edit" in out else f"#{out['id']}"
        lines = [f"\n{where}  {head}"]
        if out.get("photo"):
            lines.append(f"│ 🖼 {out['photo']}")
        lines += [f"│ {line}" for line in str(out.get("text", "")).splitlines()]
        row_texts = []
        for row in out.get("buttons") or ():
            cells = []
            for button in row:
                number = len(self.buttons) + 1
                self.buttons[number] = (chat, button["data"])
                cells.append(f"[!{number}] {button['text']}")
            row_texts.append("   ".join(cells))
        lines += [f"  {cells}" for cells in row_texts]
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()

    def prompt(self) -> str:
        if self.as_staff and self.group:
            return self.t("prompt_team", chat=self.group, user=self.staff_user) + " "
        if self.as_staff:
            return self.t("prompt_staff", user=self.staff_user) + " "
        return self.t("prompt_resident", user=self.user) + " "

    async def run(self, stdin: TextIO) -> int:
        self.console = Console(self.app, self.emit)
        await self.console.start()
        self.out.write(self.t("title") + "\n" + self.t("help") + "\n")
        reader = LineReader(stdin)
        try:
            while True:
                self.out.write("\n" + self.prompt())
                self.out.flush()
                line = await reader.readline()
                if not line:
                    break
                if not await self.line(line.strip()):
                    break
        finally:
            await self.console.stop()
        self.out.write("\n" + self.t("bye") + "\n")
        return 0

    async def line(self, line: str) -> bool:
        """Handle one typed line; False to quit."""
        assert self.console is not None
        if not line:
            return True
        chat = (self.group or self.app.settings.staff_chat_id) if self.as_staff else self.user
        user = self.staff_user if self.as_staff else self.user
        if line.startswith("!") and line[1:].strip().isdigit():
            number = int(line[1:])
            if number not in self.buttons:
                self.out.write(self.t("no_button", number=number) + "\n")
                return True
            button_chat, data = self.buttons[number]
            presser = (
                self.staff_user if self.app.roles.is_staff_chat(button_chat) else button_chat
            )
            await self.console.feed(self.console.incoming(button_chat, presser, press=data))
            return True
        if line.startswith(":"):
            return await self.command(line[1:], chat, user)
        await self.console.feed(self.console.incoming(chat, user, text=line))
        return True

    async def command(self, line: str, chat: str, user: str) -> bool:
        assert self.console is not None
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        attachment: Attachment | None = None
        text: str | None = None
        reply_to: int | None = None
        if name in ("quit", "q", "exit"):
            return False
        if name == "help":
            self.out.write(self.t("help") + "\n")
            return True
        if name == "staff":
            self.as_staff, self.staff_user, self.group = True, rest or self.staff_user, None
            return True
        if name == "team":
            chat, _, who = rest.partition(" ")
            if not chat or not self.app.roles.is_staff_chat(chat):
                self.out.write(self.t("no_team", chat=chat or "-") + "\n")
                return True
            self.as_staff, self.group = True, chat
            self.staff_user = who.strip() or self.staff_user
            return True
        if name == "resident":
            self.as_staff, self.user = False, rest or self.user
            return True
        if name == "tick":
            try:
                seconds = float(rest)
            except ValueError:
                self.out.write(self.t("unknown_command") + "\n")
                return True
            problem = await self.console.tick(seconds)
            if problem:
                self.out.write(problem + "\n")
            return True
        if name == "reply":
            number, _, text = rest.partition(" ")
            reply_to = strict_id(number)
            if reply_to is None or not text.strip():
                self.out.write(self.t("unknown_command") + "\n")
                return True
        elif name in ("photo", "voice", "sticker", "location", "video", "document"):
            attachment = Attachment(
                AttachmentKind(name),
                file_id=f"console-{name}-{uuid.uuid4().hex[:6]}",
                latitude=22.54 if name == "location" else None,
                longitude=114.06 if name == "location" else None,
            )
            text = rest or None
        elif name == "contact" and rest:
            attachment = Attachment(AttachmentKind.CONTACT, phone=rest)
        else:
            self.out.write(self.t("unknown_command") + "\n")
            return True
        incoming = self.console.incoming(
            chat, user, text=text, reply_to=reply_to, attachment=attachment
        )
        await self.console.feed(incoming)
        return True


async def run_interactive(app: App, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    return await Interactive(app, stdout).run(stdin)
