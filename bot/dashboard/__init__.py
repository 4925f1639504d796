"""A web dashboard for managers and staff, served by the bot process (aiohttp).

Off unless DASHBOARD_ENABLED. Pages are rendered on the server (`pages.py`), charts are SVG
(`charts.py`), the board polls a JSON endpoint; access is by a signed link from /dashboard or
a Telegram Mini App's initData (`auth.py`); data is read through the models and services
(`data.py`); the request log exports as CSV and XLSX (`export.py`); `server.py` routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.dashboard.deps import DashboardDeps
    from bot.dashboard.server import DashboardServer


async def start_dashboard(app: DashboardDeps) -> DashboardServer | None:
    """Start the dashboard server when DASHBOARD_ENABLED; None when it is off."""
    if not app.settings.dashboard_enabled:
        return None
    from bot.dashboard.server import DashboardServer

    server = DashboardServer(app)
    await server.start()
    return server


def links(app: DashboardDeps, user_id: str, name: str = "") -> tuple[str, str]:
    """(a signed sign-in link for `user_id`, the Mini App address) for /dashboard."""
    from bot.dashboard.auth import Signer
    from bot.dashboard.server import public_url_of

    base = public_url_of(app, app.settings.dashboard_port)
    return f"{base}login?t={Signer(app).link_token(user_id, name=name)}", f"{base}app"
