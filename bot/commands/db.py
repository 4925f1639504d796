"""`python -m bot db upgrade [REV] | current | downgrade REV`: the database schema (Alembic).

The bot also upgrades at start; this is for deployments that migrate as a separate step.
"""

from __future__ import annotations

import argparse
import asyncio


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="database schema: upgrade, current, downgrade")
    parser.add_argument("--database-url", help="instead of DATABASE_URL")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)
    upgrade = verbs.add_parser("upgrade", help="migrate to the newest schema (or to REV)")
    upgrade.add_argument("revision", nargs="?", default="head")
    verbs.add_parser("current", help="print the schema revision of the database")
    downgrade = verbs.add_parser("downgrade", help="migrate back to REV (e.g. base)")
    downgrade.add_argument("revision")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.config import Settings

    settings = Settings(**({"database_url": args.database_url} if args.database_url else {}))
    return asyncio.run(_main(settings.database_url, args.verb, getattr(args, "revision", None)))


async def _main(url: str, verb: str, revision: str | None) -> int:
    from bot.storage.db import Database

    db = Database(url)
    try:
        if verb == "upgrade":
            await db.upgrade(revision or "head")
        elif verb == "downgrade":
            assert revision is not None
            await db.downgrade(revision)
        print(await db.current_revision() or "base")
    finally:
        await db.dispose()
    return 0
