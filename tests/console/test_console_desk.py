"""The staff desk through `python -m bot console --json --at ...` (a real subprocess): a
security ticket in the security group, given back, taken again, handed over, closed as a
false alarm without stars; a repair before a holiday due after it; the digest on time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.config import REPO_ROOT
from tests.console.test_console_json import console_env

TEAMS = """
teams:
  security: {name: 安保, chat_id: sec, intents: [security]}
  engineering: {name: 工程维修, chat_id: eng, intents: [repair]}
people: {张师傅: "501", 李师傅: "502", 赵师傅: "503"}
"""


def run(
    lines: list[dict[str, Any]], tmp_path: Path, at: str, **settings: str
) -> list[dict[str, Any]]:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    env = console_env(tmp_path / "console.db", TEAMS_FILE=str(teams), **settings)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--json", "--at", at],
        input="\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ignored input line" not in done.stderr, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def texts(out: list[dict[str, Any]], chat: str) -> list[str]:
    return [line["text"] for line in out if line["to"] == chat and "id" in line]


def test_the_security_story_in_the_console(tmp_path: Path) -> None:
    out = run(
        [
            {"chat": "1001", "text": "3栋1202有个陌生人在撬我家隔壁的门"},
            {"chat": "1001", "text": "13812345678"},
            {"chat": "sec", "user": "501", "name": "张师傅", "press": "tk:claim:1"},
            {"chat": "sec", "user": "501", "name": "张师傅", "press": "tk:unclaim:1"},
            {"chat": "sec", "user": "502", "name": "李师傅", "press": "tk:claim:1"},
            {"chat": "sec", "user": "502", "name": "李师傅", "text": "/assign 1 赵师傅"},
            {"chat": "sec", "user": "503", "name": "赵师傅", "press": "tk:close:1"},
            {"chat": "sec", "user": "503", "name": "赵师傅", "press": "tk:close:1:false_alarm"},
            {"chat": "sec", "user": "503", "name": "赵师傅", "text": "/ticket 1"},
        ],
        tmp_path,
        "2026-11-23 10:00",
    )
    security = texts(out, "sec")
    assert "治安求助" in security[0] and "👥 安保" in security[0]  # the alert, in its group
    assert texts(out, "eng") == []
    assert any("已由 张师傅 退回" in t for t in security)
    assert "#1 已转给 赵师傅，已私信通知。" in security
    assert any("李师傅 把工单 #1 交给您" in t for t in texts(out, "503"))
    timeline = security[-1]
    for step in (
        "张师傅：接单",
        "张师傅：退回",
        "李师傅：接单",
        "李师傅：转给 赵师傅",
        "赵师傅：结单：误报",
    ):
        assert step in timeline
    resident = [line for line in out if line["to"] == "1001"]
    assert "没有发现异常" in resident[-1]["text"]
    assert not any(
        "tk:rate" in json.dumps(line) or "tk:fixed" in json.dumps(line) for line in resident
    )


def test_a_repair_before_a_holiday_and_the_digest_in_the_console(tmp_path: Path) -> None:
    out = run(
        [
            {"chat": "2002", "text": "5栋803厨房水龙头坏了，一直滴水"},
            {"chat": "2002", "text": "13900001111"},
            {"tick": 2 * 3600},  # Friday 19:55: the digest at 19:00 came and went
            {"chat": "eng", "user": "501", "text": "/open"},
        ],
        tmp_path,
        "2026-04-03 17:55",  # a Friday; Saturday to Monday is the Qingming holiday
        DIGEST_TIMES="19:00",
    )
    engineering = texts(out, "eng")
    assert "处理时限：04-07 17:55" in engineering[0]
    (digest,) = [t for t in engineering if "交接班" in t]
    assert "交接班 · 工程维修" in digest and "04-03 19:00" in digest
    assert "未完成：1 张" in digest and "待接单：1 张" in digest and "已超时：0 张" in digest
    assert "⏰" not in engineering[-1] and "#1 报修" in engineering[-1]


async def test_the_interactive_console_speaks_in_a_team_group(tmp_path: Path) -> None:
    import io

    from bot.bootstrap import create_app
    from bot.config import Settings
    from bot.core.clock import FakeClock
    from bot.transports.console import Interactive
    from tests.transports.support import stub_classifier

    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}",
        teams_file=teams,
    )
    app = await create_app(settings, clock=FakeClock(), classifier=stub_classifier())
    out = io.StringIO()
    stdin = io.StringIO(":team nowhere\n:team eng 501\n/open\n:tick 60\n:quit\n")
    assert await Interactive(app, out).run(stdin) == 0
    shown = out.getvalue()
    assert "没有这个组群：nowhere" in shown
    assert "组群 eng · 501" in shown  # the prompt
    assert "👥 组群 eng" in shown and "没有未完成的工单" in shown  # /open answered there
