"""The dashboard's screenshots for docs/: `python -m tests.dashboard.screenshots docs`
(or `make screenshots`). A sample estate (fake clock, temporary SQLite) in headless
Chromium; Chinese needs a CJK font on the machine (Debian: fonts-wqy-microhei)."""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.dashboard.server import DashboardServer
from bot.storage.models import Ticket
from tests.dashboard.browser import browser_problem, chromium
from tests.dashboard.support import MANAGER, dashboard_harness, open_ticket
from tests.support.harness import Harness

INTENTS = [
    ("repair", "normal", "卫生间水龙头一直滴水"),
    ("repair", "normal", "楼道灯不亮了"),
    ("complaint", "normal", "楼上晚上装修太吵"),
    ("inquiry", "normal", "物业费怎么交"),
    ("water_outage", "urgent", "家里没水了"),
    ("power_outage", "urgent", "整层停电"),
    ("flooding", "emergency", "厨房水管爆了，水漫到客厅"),
    ("elevator_trapped", "emergency", "电梯卡在8楼，里面有人"),
    ("gas_leak", "emergency", "闻到很浓的煤气味"),
]


class _NoClassifier:
    def __getattr__(self, name: str) -> Any:
        raise AssertionError(name)


async def sample_estate(h: Harness) -> None:
    rng = random.Random(7)
    now = h.clock.now()
    async with h.app.db.transaction() as session:
        for day in range(30, 0, -1):
            for _ in range(rng.randint(3, 9)):
                intent, severity, words = rng.choices(INTENTS, weights=[6, 5, 3, 4, 2, 2, 1, 1, 1])[0]
                created = now - timedelta(days=day, hours=rng.uniform(0, 10))
                claim = created + timedelta(minutes=rng.uniform(1, 9 if severity == "emergency" else 70))
                resolved = claim + timedelta(hours=rng.uniform(0.3, 30))
                session.add(
                    Ticket(
                        chat_id="r", user_id="r", user_name="住户", intent=intent, severity=severity,
                        building=str(rng.choice([1, 2, 3, 3, 5, 6, 8, 9])), room=f"{rng.randint(1, 18)}0{rng.randint(1, 4)}",
                        phone="13800000000", description=words, status="closed", extra={},
                        created_at=created, updated_at=resolved, claimed_at=claim, claimed_by="s",
                        claimed_by_name="张师傅", resolved_at=resolved, closed_at=resolved,
                        rating=rng.choices([5, 4, 3, 2], weights=[6, 3, 1, 1])[0],
                    )
                )
    for intent, severity, words, building, room, ago in [
        ("repair", "normal", "卫生间水龙头一直滴水", "2", "602", 2400),
        ("complaint", "normal", "楼下车库门口堵车", None, None, 1500),
        ("water_outage", "urgent", "家里没水了，整栋都没有", "6", "1101", 900),
        ("elevator_trapped", "emergency", "电梯卡在8楼，里面有老人", "3", None, 200),
    ]:
        await open_ticket(h, intent=intent, severity=severity, words=words, building=building, room=room)
        h.clock.advance(ago / 4)
    claimed = await open_ticket(h, intent="flooding", severity="emergency", words="厨房水管爆了", building="5", room="301")
    from bot.tickets.states import Actor

    await h.app.tickets.workflow.claim(claimed, Actor("staff", "s1", "张师傅"))
    h.clock.advance(120)
    await h.app.outbox.drain()


async def main(out: Path) -> int:
    problem = browser_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        h = await dashboard_harness(f"sqlite+aiosqlite:///{tmp}/shots.db", _NoClassifier())
        server = DashboardServer(h.app, listen="127.0.0.1", port=0)
        await server.start()
        try:
            await sample_estate(h)
            async with chromium() as browser:
                page = await browser.new_page(viewport={"width": 1100, "height": 760}, locale="zh-CN")
                await page.goto(server.link(MANAGER, "李经理"))
                await page.wait_for_selector("#group-emergency .card")
                await page.wait_for_timeout(300)
                await page.screenshot(path=str(out / "dashboard-board.png"))
                await page.goto(server.public_url + "stats")
                await page.wait_for_selector("#charts svg")
                await page.screenshot(path=str(out / "dashboard-stats.png"), full_page=True)
        finally:
            await server.stop()
            await h.close()
    print(f"wrote {out / 'dashboard-board.png'} and {out / 'dashboard-stats.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))))
