"""The webhook endpoint, the same for every library (aiohttp).

Telegram POSTs each update to `WEBHOOK_URL`; a reverse proxy passes it to this server at
`WEBHOOK_LISTEN:WEBHOOK_PORT` and `WEBHOOK_PATH`. Every request must carry the secret in
`X-Telegram-Bot-Api-Secret-Token` (403 otherwise). An accepted update is handed to the
core's intake, which stores it (`bot/intake.py`), and only then answered with 200; when it
could be kept nowhere (database and spool file both failing) the answer is 503, and Telegram
sends it again. An update that cannot even be read is logged and answered 200: Telegram
would otherwise send it again forever. `GET /healthz` answers "ok".
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.intake import NotStored

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

Feed = Callable[[dict[str, Any]], Awaitable[None]]


def check_secret(secret: str | None) -> str:
    """The secret, or a ValueError saying what Telegram accepts."""
    if not secret or not _SECRET_CHARS.match(secret):
        raise ValueError(
            "WEBHOOK_SECRET must be set in webhook mode: 1-256 characters A-Z, a-z, 0-9, _ or -"
        )
    return secret


class WebhookServer:
    def __init__(
        self, *, feed: Feed, secret: str, path: str = "/", listen: str = "0.0.0.0", port: int = 8443
    ) -> None:
        self.feed = feed
        self.secret = check_secret(secret)
        self.path = path if path.startswith("/") else f"/{path}"
        self.listen = listen
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (port 0 picks a free port; `self.port` then tells which)."""
        app = web.Application()
        app.router.add_post(self.path, self._receive)
        app.router.add_get("/healthz", self._health)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        log.info("webhook listening on %s:%s%s", self.listen, self.port, self.path)

    async def stop(self) -> None:
        """Stop accepting (requests in progress finish first)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook request without the right secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            update = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(update, dict):
            return web.Response(status=400, text="not an update")
        try:
            await self.feed(update)
        except NotStored as exc:
            log.error("webhook update %s not stored (%s): Telegram will resend it",
                      update.get("update_id"), exc)
            return web.Response(status=503, text="not stored")
        except Exception:
            log.exception("webhook update %s could not be read", update.get("update_id"))
        return web.Response(status=200)

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")
