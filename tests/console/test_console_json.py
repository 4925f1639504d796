"""`python -m bot console --json` through a real subprocess: JSON lines in, JSON lines out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.config import REPO_ROOT


def console_env(database: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "STAFF_CHAT_ID")}
    return {**env, "DATABASE_URL": f"sqlite+aiosqlite:///{database}", **settings}


def run_console(
    lines: list[dict[str, Any] | str], database: Path
) -> tuple[list[dict[str, Any]], str, int]:
    env = console_env(database)
    stdin = "\n".join(
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--json"],
        input=stdin + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    out = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return out, done.stderr, done.returncode


def test_an_emergency_through_the_json_console(tmp_path: Path) -> None:
    database = tmp_path / "console.db"
    out, err, code = run_console(
        [
            {"chat": "1001", "user": "1001", "text": "3栋1202厨房有煤气味"},
            {"chat": "1001", "user": "1001", "text": "13812345678"},
            "this is not json",
            {"chat": "1001", "user": "1001", "press": "menu:remember:yes"},
            {"chat": "staff", "user": "9001", "press": "tk:claim:1"},
        ],
        database,
    )
    assert code == 0, err
    assert "ignored input line" in err
    for line in out:  # the protocol: a message or an edit, text as plain text
        assert set(line) >= {"to", "text", "buttons"} and ("id" in line or "edit" in line)
        assert "<b>" not in line["text"]
    resident = [line for line in out if line["to"] == "1001" and "id" in line]
    staff = [line for line in out if line["to"] == "staff"]
    assert "不要开关" in resident[0]["text"]  # the life-saving line first
    assert resident[1]["buttons"] == [[{"text": "跳过", "data": "flow:phone:skip"}]]
    assert any("工单 #1" in line["text"] and "110" in line["text"] for line in resident)
    alert = next(line for line in staff if "id" in line)
    assert "#1" in alert["text"] and "13812345678" in alert["text"]
    assert any(line.get("edit") == alert["id"] for line in staff)  # claimed: the alert edited
    ids = [line["id"] for line in out if "id" in line]
    assert len(ids) == len(set(ids))


def test_a_second_run_on_the_same_database_continues_the_conversation(tmp_path: Path) -> None:
    database = tmp_path / "console.db"
    first, err, code = run_console([{"chat": "2002", "text": "电梯困人了"}], database)
    assert code == 0, err
    assert "哪一栋" in first[-1]["text"]
    second, err, code = run_console([{"chat": "2002", "text": "5栋803"}], database)
    assert code == 0, err
    assert "电话" in second[0]["text"]
    assert second[0]["id"] > max(line["id"] for line in first if "id" in line)


def test_timers_run_while_input_stays_open(tmp_path: Path) -> None:
    """An emergency left unanswered escalates while the console waits for more input."""
    env = console_env(tmp_path / "console.db", FLOW_IDLE_ESCALATE_SECONDS="0.5")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(
            json.dumps({"chat": "3003", "text": "电梯困人了"}, ensure_ascii=False) + "\n"
        )
        process.stdin.flush()
        seen: list[dict[str, Any]] = []
        while not any("没等到您的回复" in line.get("text", "") for line in seen):
            line = process.stdout.readline()  # the test's own timeout guards a hang
            assert line, (
                f"the console ended early: {process.stderr.read() if process.stderr else ''}"
            )
            seen.append(json.loads(line))
        assert any(line["to"] == "staff" for line in seen)  # staff alerted by the timer
    finally:
        process.stdin.close()
        code = process.wait(timeout=60)
        process.stdout.close()
        if process.stderr:
            process.stderr.close()
    assert code == 0
