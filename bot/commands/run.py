"""`python -m bot run`: start the bot.

With `BOT_TOKEN` set: the Telegram transport chosen by `BOT_FRAMEWORK` (ptb or aiogram),
long polling, or a webhook server when `WEBHOOK_URL` is set. Without it: the console
simulator (`python -m bot console`). Stops cleanly on Ctrl-C or SIGTERM: updates already
received are handled, the message being sent is finished, the rest waits in the outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.intents import Classifier

log = logging.getLogger(__name__)

QUIET_LOGGERS = ("httpx", "aiogram.event", "apscheduler.executors.default", "alembic.runtime.plugins")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="start the bot (Telegram with BOT_TOKEN, else the console simulator)"
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.config import Settings

    settings = Settings()
    if not settings.bot_token:
        print("BOT_TOKEN is not set: starting the console simulator.", file=sys.stderr)
        from bot.cli import main

        return main(["console"])
    configure_logging(settings.log_level)
    try:
        asyncio.run(serve(settings))
    except (ValueError, ConnectionError) as exc:
        log.error("%s", exc)
        return 1
    return 0


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in QUIET_LOGGERS:  # one line per request or update is noise
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    poll_timeout: int = 30,
    classifier: Classifier | None = None,
) -> None:
    """Run the app behind its Telegram transport until `stop` is set (or a signal comes)."""
    from bot.bootstrap import create_app
    from bot.transports import build_transport

    stop = stop or _stop_on_signals()
    app = await create_app(settings, classifier=classifier)
    transport = build_transport(app, poll_timeout=poll_timeout)
    await app.start()
    from bot.dashboard import start_dashboard

    dashboard = await start_dashboard(app)  # None unless DASHBOARD_ENABLED
    try:
        await transport.start()
        await stop.wait()
        log.info("stopping")
    finally:
        await transport.stop()
        if dashboard is not None:
            await dashboard.stop()
        await app.stop()
        await transport.close()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on this platform
            pass
    return stop
