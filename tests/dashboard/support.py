"""The dashboard tests' app: a manager, a supervisor, a staff member, a bot token (for Mini
App initData) and a fixed secret; the dashboard served on a free port."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from bot.dashboard.auth import init_data_hash
from bot.dashboard.server import SESSION_COOKIE, DashboardServer
from bot.storage.models import Ticket
from bot.tickets.draft import TicketDraft
from tests.support.harness import Harness, make_harness

MANAGER = "501"
SUPERVISOR = "502"
STAFF = "503"
STRANGER = "999"
BOT_TOKEN = "123456:TEST-token-for-initData"
SECRET = "dashboard-test-secret"

SETTINGS: dict[str, Any] = {
    "manager_ids": [MANAGER],
    "supervisor_ids": [SUPERVISOR],
    "staff_ids": [STAFF],
    "bot_token": BOT_TOKEN,
    "dashboard_secret": SECRET,
    "dashboard_enabled": True,
    "dashboard_listen": "127.0.0.1",
    "dashboard_port": 0,
}


async def dashboard_harness(database_url: str, classifier: Any) -> Harness:
    return await make_harness(database_url, classifier=classifier, **SETTINGS)


async def open_ticket(
    h: Harness,
    *,
    intent: str = "gas_leak",
    severity: str = "emergency",
    words: str = "3栋1202厨房有煤气味",
    building: str | None = "3",
    room: str | None = "1202",
    user: str = "1001",
) -> Ticket:
    """A ticket opened the way a flow opens one (TicketService.open_ticket)."""
    ticket = await h.app.tickets.open_ticket(
        TicketDraft(
            chat_id=user,
            user_id=user,
            user_name="王女士",
            intent=intent,
            severity=severity,
            description=words,
            building=building,
            room=room,
            phone="13812345678",
        )
    )
    await h.app.outbox.drain()
    return ticket


def init_data(
    user_id: str, auth_date: datetime, *, token: str = BOT_TOKEN, **fields: str
) -> str:
    """Mini App initData as Telegram signs it."""
    values = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": int(user_id), "first_name": "李", "last_name": "经理"}),
        "auth_date": str(int(auth_date.timestamp())),
        **fields,
    }
    values["hash"] = init_data_hash(sorted(values.items()), token)
    return urlencode(values)


def session_cookie(server: DashboardServer, user_id: str) -> dict[str, str]:
    return {SESSION_COOKIE: server.signer.session_token(user_id, name="李经理")}
