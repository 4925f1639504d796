"""`python -m bot console`: chat with the bot in the terminal, as a resident or as staff.

`--json` reads one JSON object per line and writes one per message (for scripts); see
`bot/transports/console.py`. Runs on DATABASE_URL (default: the embedded SQLite file).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import FakeClock


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "console", help="chat with the bot in the terminal, as a resident or as staff"
    )
    parser.add_argument(
        "--json", action="store_true", help="JSON lines in and out (for scripts and tests)"
    )
    parser.add_argument("--database-url", help="instead of DATABASE_URL")
    parser.add_argument(
        "--at",
        help='start the clock at this local time (e.g. "2026-04-03 17:55"); it then moves '
        'only with {"tick": seconds} input lines (:tick in the interactive console)',
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.config import Settings

    overrides = {"database_url": args.database_url} if args.database_url else {}
    settings = Settings(**overrides)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        clock = start_clock(args.at, settings.timezone) if args.at else None
        return asyncio.run(_main(settings, json_mode=args.json, clock=clock))
    except KeyboardInterrupt:
        return 130


def start_clock(at: str, timezone: str) -> FakeClock:
    """`--at`: a clock standing at that moment (local time unless it names its zone)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.core.clock import FakeClock

    moment = datetime.fromisoformat(at.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return FakeClock(moment.astimezone(UTC))


async def _main(settings: Settings, *, json_mode: bool, clock: FakeClock | None = None) -> int:
    from bot.bootstrap import create_app
    from bot.transports.console import run_interactive, run_json

    app = await create_app(settings, clock=clock)
    from bot.dashboard import start_dashboard

    dashboard = await start_dashboard(app)  # None unless DASHBOARD_ENABLED
    if dashboard is not None and settings.manager_ids:
        link = dashboard.link(settings.manager_ids[0])
        print(f"dashboard for manager {settings.manager_ids[0]}: {link}", file=sys.stderr)
    try:
        if json_mode:
            return await run_json(app)
        return await run_interactive(app)
    finally:
        if dashboard is not None:
            await dashboard.stop()
