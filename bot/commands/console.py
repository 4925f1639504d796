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


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "console", help="chat with the bot in the terminal, as a resident or as staff"
    )
    parser.add_argument(
        "--json", action="store_true", help="JSON lines in and out (for scripts and tests)"
    )
    parser.add_argument("--database-url", help="instead of DATABASE_URL")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.config import Settings

    overrides = {"database_url": args.database_url} if args.database_url else {}
    settings = Settings(**overrides)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(_main(settings, json_mode=args.json))
    except KeyboardInterrupt:
        return 130


async def _main(settings: Settings, *, json_mode: bool) -> int:
    from bot.bootstrap import create_app
    from bot.transports.console import run_interactive, run_json

    app = await create_app(settings)
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
