"""`python -m bot`: the command line.

Each subcommand lives in `bot/commands/<name>.py` with `register(subparsers)`; command modules
import their heavy dependencies inside the function that runs, so that `classify` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

COMMANDS = ("classify", "intents", "advice", "run", "console", "db", "qr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Resident help line (物业客服) for property-management companies.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"bot.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    result: int = args.func(args)
    return result
