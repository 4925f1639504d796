"""The core never imports a Telegram library: only bot/transports/ may (and bot/commands/,
which starts a transport, may import bot.transports).

The wiring (`bot.app`, `bot.bootstrap`) is imported only by the bootstrap itself,
bot/commands/ and bot/transports/: services get their collaborators as constructor
arguments (see also tests/core/test_import_graph.py: no import cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.config import REPO_ROOT

FORBIDDEN = ("telegram", "aiogram")
BOT = REPO_ROOT / "bot"


WIRING = ("bot.app", "bot.bootstrap")
MAY_IMPORT_WIRING = (BOT / "app.py", BOT / "bootstrap.py", BOT / "commands", BOT / "transports")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _imports_wiring(path: Path) -> list[str]:
    return sorted({n for n in _imports(path) if n in WIRING})


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


def test_only_the_entry_points_import_the_wiring() -> None:
    offenders = {
        str(path.relative_to(REPO_ROOT)): names
        for path in BOT.rglob("*.py")
        if not any(path == a or a in path.parents for a in MAY_IMPORT_WIRING)
        if (names := _imports_wiring(path))
    }
    assert offenders == {}


def test_the_wiring_rule_catches_a_service_importing_the_app(tmp_path: Path) -> None:
    bad = tmp_path / "service.py"
    bad.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.app import App\n"
        "from bot import bootstrap\n",
        encoding="utf-8",
    )
    assert _imports_wiring(bad) == ["bot.app", "bot.bootstrap"]
