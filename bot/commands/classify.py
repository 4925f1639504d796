"""`python -m bot classify [TEXT ...]`: the intent of resident messages.

With TEXT arguments each one is classified; without, one message per line is read from
stdin and each answer is written (and flushed) as soon as it is ready, so a single process
can serve a batch or a pipe. `--json` prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.intents import Classification

DEFAULT_LOCALES = Path(__file__).resolve().parents[2] / "locales"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="classify resident messages into intents",
        description="Classify resident messages (arguments, or one per line on stdin).",
    )
    parser.add_argument("texts", nargs="*", metavar="TEXT", help="messages (default: stdin)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--locales-dir",
        type=Path,
        default=None,
        help="phrase data directory (default: $LOCALES_DIR or the repository's locales/)",
    )
    parser.set_defaults(func=_run)


def _locales_dir(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    env = os.environ.get("LOCALES_DIR")
    return Path(env) if env else DEFAULT_LOCALES


def _human(result: Classification) -> str:
    parts = [
        f"{result.intent} ({result.severity.value})",
        f"score={result.score:.2f}",
    ]
    if result.needs_confirmation:
        parts.append("needs confirmation")
    found = {k: v for k, v in result.entities.as_dict().items() if v}
    if found:
        parts.append(" ".join(f"{k}={v}" for k, v in found.items()))
    if result.alternatives:
        alts = ", ".join(f"{i} {s:.2f}" for i, s in result.alternatives)
        parts.append(f"[{alts}]")
    return f"{result.text}\t" + "  ".join(parts)


def json_line(data: object) -> str:
    """One JSON line, readable Chinese kept, but U+2028 and U+2029 escaped: JavaScript
    (before ES2019) and many line-based readers take them for line ends."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _emit(result: Classification, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json_line(result.as_dict()) + "\n")
    else:
        out.write(_human(result) + "\n")
    out.flush()


def _run(args: argparse.Namespace) -> int:
    from bot.intents import Classifier

    try:
        classifier = Classifier.from_locales(_locales_dir(args.locales_dir))
    except (FileNotFoundError, ValueError) as exc:
        print(f"classify: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    if args.texts:
        for text in args.texts:
            _emit(classifier.classify(text), args.json, out)
        return 0
    # Batch mode: the classifier's dictionaries live as long as the process, so keep the
    # garbage collector from re-scanning them (fewer latency spikes).
    gc.collect()
    gc.freeze()
    for line in sys.stdin:
        _emit(classifier.classify(line.rstrip("\r\n")), args.json, out)
    return 0
