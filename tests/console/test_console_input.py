"""The console's `--json` input is validated line by line: a bad line gets a clear message on
stderr and the session goes on. `classify --json` escapes U+2028 and U+2029."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.commands.classify import _emit, json_line
from bot.transports.console import json_input_problem
from tests.console.test_console_json import run_console


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"chat": "1001", "text": "你好", "reply_to": "abc"}, '"reply_to" must be a message id'),
        ({"chat": "1001", "text": "你好", "reply_to": "²"}, '"reply_to" must be a message id'),
        ({"chat": "1001", "text": "你好", "reply_to": 2**63}, '"reply_to" must be a message id'),
        ({"chat": "1001", "text": "你好", "reply_to": True}, '"reply_to" must be a message id'),
        ([1, 2], "expected a JSON object"),
        ("text", "expected a JSON object"),
        (None, "expected a JSON object"),
        ({"user": "1001", "text": "你好"}, 'missing "chat"'),
        ({"chat": "1001"}, 'missing "text" or "press"'),
        ({"chat": {"id": 1}, "text": "x"}, '"chat" must be a chat or user id'),
        ({"chat": "1001", "user": [1], "text": "x"}, '"user" must be a chat or user id'),
        ({"chat": "1001", "text": 12}, '"text" must be a string'),
        ({"chat": "1001", "press": ["tk:claim:1"]}, '"press" must be a string'),
        ({"chat": "1001", "text": "x", "press": "y"}, "not both"),
        ({"chat": "1001", "attachment": {"kind": "hologram"}}, '"attachment" must be'),
    ],
)
def test_a_bad_input_line_is_named(data: Any, says: str) -> None:
    problem = json_input_problem(data)
    assert problem is not None and says in problem


@pytest.mark.parametrize(
    "data",
    [
        {"chat": "1001", "user": "1001", "text": "你好", "reply_to": 12},
        {"chat": "1001", "text": "你好", "reply_to": "12"},
        {"chat": 1001, "press": "tk:claim:1"},
        {"chat": "staff", "user": "9001", "text": "/open"},
        {"chat": "1001", "attachment": {"kind": "photo", "file_id": "f"}},
    ],
)
def test_good_input_lines_pass(data: Any) -> None:
    assert json_input_problem(data) is None


def test_bad_lines_do_not_end_the_console(tmp_path: Path) -> None:
    out, err, code = run_console(
        [
            {"chat": "1001", "user": "1001", "text": "你好", "reply_to": "abc"},
            "[1, 2, 3]",
            '"just a string"',
            "{\"chat\": \"1001\"}",
            "[" * 100000,
            {"chat": "1001", "user": "1001", "text": "水龙头坏了"},
        ],
        tmp_path / "console.db",
    )
    assert code == 0, err
    assert '"reply_to" must be a message id' in err and "expected a JSON object" in err
    assert 'missing "text" or "press"' in err and "not JSON" in err
    assert "Traceback" not in err
    assert [m for m in out if m.get("to") == "1001"], "the good line after the bad ones is answered"


def test_classify_json_escapes_the_line_and_paragraph_separators() -> None:
    line = json_line({"text": "煤气\u2028味\u2029", "n": 1})
    assert "\u2028" not in line and "\u2029" not in line
    assert "\\u2028" in line and "煤气" in line  # Chinese stays readable
    assert json.loads(line) == {"text": "煤气\u2028味\u2029", "n": 1}

    class Result:
        def as_dict(self) -> dict[str, Any]:
            return {"text": "a\u2028b"}

    out = io.StringIO()
    _emit(Result(), True, out)  # type: ignore[arg-type]
    assert out.getvalue().count("\n") == 1 and "\u2028" not in out.getvalue()
