"""The life-saving lines straight over HTTP, past the library.

A burst of emergencies is a burst of one-message answers; through python-telegram-bot each
costs its HTTP stack (httpx) and the building of a `Message` object, several milliseconds of
the one event loop on a loaded machine. `LineSender` posts `sendMessage` with aiohttp (a
dependency already, aiogram's client) and reads only the new message's id: a fraction of
that. Used by `TelegramSender` for urgent texts that fit one message without buttons or a
reply (`SendText.urgent`: the life-saving line); failures are translated like the
library's (`delivery_error`: 429 with its retry time, 403, a migrated group, 5xx).
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.transports.sender import ChatRef, delivery_error

TIMEOUT_SECONDS = 20.0
CONNECTIONS = 32


class LineSender:
    def __init__(self, api_base_url: str, token: str) -> None:
        self.url = f"{api_base_url.rstrip('/')}/bot{token}/sendMessage"
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
                connector=aiohttp.TCPConnector(limit=CONNECTIONS),
            )
        return self._session

    async def send(self, chat_id: ChatRef, text: str) -> int:
        """One HTML message; its message id."""
        payload: dict[str, Any] = {
            "chat_id": chat_id, "text": text, "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        try:
            async with self._client().post(self.url, json=payload) as response:
                status = response.status
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:  # no answer
            raise delivery_error(None, str(exc) or type(exc).__name__) from exc
        if not isinstance(body, dict):
            raise delivery_error(None if status >= 500 else status, f"unreadable answer ({status})")
        if body.get("ok"):
            return int(body["result"]["message_id"])
        parameters = body.get("parameters") or {}
        raise delivery_error(
            int(body.get("error_code") or status),
            str(body.get("description") or ""),
            retry_after=parameters.get("retry_after"),
            migrate_to_chat_id=parameters.get("migrate_to_chat_id"),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
