"""`python -m bot db upgrade | current | downgrade REV`, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.cli import main


def test_upgrade_current_downgrade(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*verb: str) -> str:
        assert main(["db", "--database-url", database_url, *verb]) == 0
        return capsys.readouterr().out.strip()

    assert run("current") == "base"
    assert run("upgrade") == "0006"
    assert run("current") == "0006"
    assert run("upgrade") == "0006"  # idempotent
    assert run("downgrade", "base") == "base"
    assert run("upgrade", "head") == "0006"


def test_a_verb_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["db"])
    assert "VERB" in capsys.readouterr().err
