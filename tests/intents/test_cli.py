"""`python -m bot classify`: text arguments, --json, stdin batch, --locales-dir."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import REPO_ROOT

KEYS = ["text", "intent", "severity", "score", "needs_confirmation", "alternatives", "entities"]


def test_text_arguments_human_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "3栋1202厨房有煤气味", "转人工"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("3栋1202厨房有煤气味\tgas_leak (emergency)")
    assert "building=3" in lines[0] and "room=1202" in lines[0]
    assert "human_agent (normal)" in lines[1]


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", "--json", "停水了 电话13812345678"]) == 0
    line = capsys.readouterr().out.strip()
    assert "停水了" in line  # ensure_ascii=False
    data = json.loads(line)
    assert list(data) == KEYS
    assert data["intent"] == "water_outage"
    assert data["severity"] == "urgent"
    assert isinstance(data["score"], float)
    assert data["needs_confirmation"] is False
    assert all(list(a) == ["intent", "score"] for a in data["alternatives"])
    assert data["entities"] == {"building": None, "room": None, "phone": "13812345678"}


def test_stdin_one_answer_per_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("有人晕倒了\n\n你好\r\n"))
    assert main(["classify", "--json"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["intent"] for a in answers] == ["medical", "unknown", "smalltalk"]
    assert answers[2]["text"] == "你好"


def test_locales_dir_option_and_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["classify", "--locales-dir", str(tmp_path), "hi"]) == 2
    assert "not found" in capsys.readouterr().err
    monkeypatch.setenv("LOCALES_DIR", str(tmp_path))
    assert main(["classify", "hi"]) == 2
    monkeypatch.setenv("LOCALES_DIR", str(REPO_ROOT / "locales"))
    assert main(["classify", "hi"]) == 0


def test_batch_process_answers_as_it_reads() -> None:
    """A real process: each answer is flushed before the next line is even written."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "classify", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO_ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        for text, intent in [
            ("着火了", "fire"),
            ("物业费怎么交", "inquiry"),
            ("停电了", "power_outage"),
        ]:
            proc.stdin.write(text + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            assert (answer["text"], answer["intent"]) == (text, intent)
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
