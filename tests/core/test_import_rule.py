"""The core never imports a Telegram library: only bot/transports/ may (and bot/commands/,
which starts a transport, may import bot.transports)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.config import REPO_ROOT

FORBIDDEN = ("telegram", "aiogram")
BOT = REPO_ROOT / "bot"


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _core_files() -> list[Path]:
    allowed = (BOT / "transports", BOT / "commands")
    return [p for p in BOT.rglob("*.py") if not any(a in p.parents for a in allowed)]


def test_core_files_are_found() -> None:
    files = {p.relative_to(BOT).parts[0] for p in _core_files()}
    assert {"core", "storage", "handlers", "flows"} <= files


def test_no_telegram_library_outside_transports() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): name
        for path in _core_files()
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN or name.startswith("bot.transports")
    }
    assert offenders == {}


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import asyncio\nfrom telegram.ext import Application\n", encoding="utf-8")
    assert any(n.split(".")[0] in FORBIDDEN for n in _imports(bad))
