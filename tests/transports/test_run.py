"""`python -m bot run`: the configured framework, or the console without a token."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from bot.commands import run as run_command
from bot.config import Settings
from tests.fakes.bot_api import FakeBotAPI
from tests.transports.support import FRAMEWORKS, STAFF_CHAT, Framework, stub_classifier


@pytest.mark.parametrize("framework", FRAMEWORKS)
async def test_serve_runs_the_configured_framework_until_stopped(
    framework: Framework, fake: FakeBotAPI, sqlite_url: str
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_token=fake.token, bot_framework=framework,
        telegram_api_base_url=fake.url, database_url=sqlite_url, staff_chat_id=str(STAFF_CHAT),
    )
    fake.chat(STAFF_CHAT)
    stop = asyncio.Event()
    serving = asyncio.create_task(run_command.serve(
        settings, stop=stop, poll_timeout=1, classifier=stub_classifier()
    ))
    await fake.send(STAFF_CHAT, "/whereami", user=4440001)
    await fake.wait_for(lambda: bool(fake.messages(STAFF_CHAT)))
    assert str(STAFF_CHAT) in fake.last(STAFF_CHAT).plain
    stop.set()
    await asyncio.wait_for(serving, 30)
    polls = fake.calls_to("getUpdates")
    # the last poll confirms what was handled, so a restart does not see it again
    assert polls[-1].params.get("offset", 0) > 500001 or fake.pending_updates == 0


def test_without_a_token_run_starts_the_console(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("BOT_TOKEN", "")
    started: list[list[str]] = []

    def console(argv: list[str]) -> int:
        started.append(argv)
        return 0

    monkeypatch.setattr("bot.cli.main", console)
    assert run_command._run(argparse.Namespace()) == 0
    assert started == [["console"]]


def test_run_is_a_subcommand() -> None:
    from bot.cli import build_parser

    args = build_parser().parse_args(["run"])
    assert args.func is run_command._run
