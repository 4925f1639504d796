"""`python -m bot classify`: placeholder until the classifier lands."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("classify", help="classify resident messages into intents")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    return 1
