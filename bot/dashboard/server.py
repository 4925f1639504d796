"""The dashboard's web server (aiohttp), run inside the bot process on its own port.

Routes (all relative, so a reverse proxy may serve them under a path prefix):

    GET  login?t=<signed link>   a /dashboard link: sets the session cookie, goes to the board
    GET  app                     the Telegram Mini App entry: posts initData to webapp-auth
    POST webapp-auth             initData checked (bot token HMAC, auth_date): session cookie
    GET  ./                      the live board (polls api/board every 1.5 s)
    GET  api/board               the board as JSON
    GET  ticket?id=N             a ticket and its timeline; managers may claim it
    POST claim                   claim through TicketService (managers; CSRF token)
    GET  buildings               open tickets per building, current notices and their delivery
    GET  stats?start=&end=       the numbers and charts for a period (managers, supervisors)
    GET  export.xlsx|export.csv  the request log for a period (managers)
    GET  healthz                 "ok"

Anything without a valid session (or with a forged or expired link or initData) is refused
with 403. Roles come from MANAGER_IDS / SUPERVISOR_IDS / STAFF_IDS on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from bot.dashboard.auth import SESSION_SECONDS, Refused, Signer, Viewer
from bot.dashboard.data import DashboardData
from bot.dashboard.export import csv_bytes, xlsx_bytes
from bot.dashboard.pages import Pages
from bot.tickets.states import Actor

if TYPE_CHECKING:
    from bot.dashboard.deps import DashboardDeps

log = logging.getLogger(__name__)

SESSION_COOKIE = "helpline_dashboard"
LANG_COOKIE = "helpline_dashboard_lang"
DEFAULT_DAYS = 30
MAX_DAYS = 366
HTML = "text/html"


def public_url_of(app: DashboardDeps, port: int) -> str:
    """Where people open the dashboard, ending with "/"."""
    settings = app.settings
    url = settings.dashboard_public_url
    if not url:
        host = settings.dashboard_listen
        host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
        url = f"http://{host}:{port}/"
    return url if url.endswith("/") else url + "/"


class DashboardServer:
    def __init__(self, app: DashboardDeps, *, listen: str | None = None, port: int | None = None) -> None:
        self.app = app
        self.listen = listen if listen is not None else app.settings.dashboard_listen
        self.port = port if port is not None else app.settings.dashboard_port
        self.signer = Signer(app)
        self.data = DashboardData(app)
        self.pages = Pages(app, self.data)
        self._runner: web.AppRunner | None = None

    # -- addresses ----------------------------------------------------------------------------
    @property
    def public_url(self) -> str:
        return public_url_of(self.app, self.port)

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")

    def link(self, user_id: str, name: str = "") -> str:
        """A signed link that signs `user_id` in (valid DASHBOARD_LINK_SECONDS)."""
        return f"{self.public_url}login?t={self.signer.link_token(user_id, name=name)}"

    def mini_app_url(self) -> str:
        return f"{self.public_url}app"

    # -- lifecycle ------------------------------------------------------------------------------
    def web_app(self) -> web.Application:
        application = web.Application(client_max_size=64 * 1024)
        r = application.router
        r.add_get("/", self.board)
        r.add_get("/login", self.login)
        r.add_get("/app", self.mini_app)
        r.add_post("/webapp-auth", self.webapp_auth)
        r.add_get("/api/board", self.api_board)
        r.add_get("/ticket", self.ticket)
        r.add_post("/claim", self.claim)
        r.add_get("/buildings", self.buildings)
        r.add_get("/stats", self.stats)
        r.add_get("/export.xlsx", self.export_xlsx)
        r.add_get("/export.csv", self.export_csv)
        r.add_get("/healthz", self.health)
        return application

    async def start(self) -> None:
        """Listen (port 0 picks a free port; `self.port` then tells which)."""
        self._runner = web.AppRunner(self.web_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        addresses = self._runner.addresses
        if addresses:
            self.port = int(addresses[0][1])
        log.info("dashboard on %s:%s (%s)", self.listen, self.port, self.public_url)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- who is asking ----------------------------------------------------------------------------
    def locale(self, request: web.Request) -> str:
        locales = self.pages.locales
        asked = request.query.get("lang") or request.cookies.get(LANG_COOKIE)
        if asked in locales:
            return asked
        return self.app.settings.locale if self.app.settings.locale in locales else locales[0]

    def refuse(self, request: web.Request) -> web.HTTPForbidden:
        return web.HTTPForbidden(
            text=self.pages.refused(self.locale(request)), content_type=HTML
        )

    def viewer(self, request: web.Request) -> Viewer:
        try:
            return self.signer.from_session(request.cookies.get(SESSION_COOKIE, ""))
        except Refused as exc:
            raise self.refuse(request) from exc

    def csrf(self, request: web.Request) -> str:
        session = request.cookies.get(SESSION_COOKIE, "")
        return hmac.new(self.signer.key, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()[:32]

    def page(self, request: web.Request, text: str, status: int = 200) -> web.Response:
        response = web.Response(text=text, status=status, content_type=HTML)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        asked = request.query.get("lang")
        if asked in self.pages.locales:
            response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="Lax")
        return response

    def start_session(self, response: web.StreamResponse, viewer: Viewer, name: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self.signer.session_token(viewer.user_id, name=name),
            max_age=SESSION_SECONDS,
            httponly=True,
            secure=self.secure,
            # a Mini App runs in Telegram's frame (another site): its cookie must be sent there
            samesite="None" if self.secure else "Lax",
        )

    # -- signing in ---------------------------------------------------------------------------------
    async def login(self, request: web.Request) -> web.Response:
        token = request.query.get("t", "")
        try:
            viewer = self.signer.from_link(token)
        except Refused as exc:
            log.warning("dashboard link refused (%s) from %s", exc, request.remote)
            raise self.refuse(request) from exc
        name = self.signer.name_in(token)
        response = web.HTTPFound("./")
        self.start_session(response, viewer, name)
        response.headers["Cache-Control"] = "no-store"
        raise response

    async def mini_app(self, request: web.Request) -> web.Response:
        return self.page(request, self.pages.mini_app(self.locale(request)))

    async def webapp_auth(self, request: web.Request) -> web.Response:
        form = await request.post()
        init_data = str(form.get("init_data", ""))
        try:
            viewer, user = self.signer.from_init_data(init_data)
        except Refused as exc:
            log.warning("Mini App sign-in refused (%s) from %s", exc, request.remote)
            raise self.refuse(request) from exc
        name = " ".join(str(user.get(k) or "") for k in ("first_name", "last_name")).strip()
        response = web.json_response({"ok": True, "role": viewer.role})
        self.start_session(response, viewer, name)
        return response

    # -- pages ----------------------------------------------------------------------------------------
    async def board(self, request: web.Request) -> web.Response:
        viewer = self.viewer(request)
        locale = self.locale(request)
        return self.page(request, await self.pages.board(locale, viewer))

    async def api_board(self, request: web.Request) -> web.Response:
        viewer = self.viewer(request)
        response = web.json_response(await self.data.board(self.locale(request), viewer))
        response.headers["Cache-Control"] = "no-store"
        return response

    async def ticket(self, request: web.Request) -> web.Response:
        viewer = self.viewer(request)
        locale = self.locale(request)
        raw = request.query.get("id", "")
        found = await self.data.ticket(int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if found is not None and not self.data.visible(found[0], viewer):
            found = None  # another team's ticket: as if it did not exist
        if found is None:
            return self.page(request, self.pages.not_found(locale, viewer), status=404)
        ticket, events = found
        return self.page(
            request,
            self.pages.ticket(locale, viewer, ticket, events, csrf=self.csrf(request)),
        )

    async def claim(self, request: web.Request) -> web.Response:
        viewer = self.viewer(request)
        form = await request.post()
        if not viewer.is_manager or not hmac.compare_digest(
            str(form.get("csrf", "")), self.csrf(request)
        ):
            raise self.refuse(request)
        raw = str(form.get("id", ""))
        ticket = await self.app.tickets.get(int(raw)) if raw.isdigit() and len(raw) < 10 else None
        if ticket is None or not self.data.visible(ticket, viewer):  # another estate's: none
            return self.page(request, self.pages.not_found(self.locale(request), viewer), status=404)
        name = self.signer.session_name(request.cookies.get(SESSION_COOKIE, ""))
        actor = Actor("staff", viewer.user_id, name or viewer.user_id)
        await self.app.tickets.workflow.claim(ticket, actor)  # the same path as 🙋 接单
        raise web.HTTPSeeOther(f"ticket?id={ticket.id}")  # shows who has it now

    def period(self, request: web.Request) -> tuple[date, date]:
        today = self.data.today()
        try:
            end = date.fromisoformat(request.query["end"]) if request.query.get("end") else today
            start = (
                date.fromisoformat(request.query["start"])
                if request.query.get("start")
                else end - timedelta(days=DEFAULT_DAYS - 1)
            )
        except ValueError as exc:
            raise web.HTTPBadRequest(text="dates: YYYY-MM-DD") from exc
        start, end = min(start, end), max(start, end)
        if (end - start).days >= MAX_DAYS:
            start = end - timedelta(days=MAX_DAYS - 1)
        return start, end

    async def buildings(self, request: web.Request) -> web.Response:
        viewer = self.viewer(request)
        if not viewer.sees_stats:
            raise self.refuse(request)
        return self.page(request, await self.pages.buildings(self.locale(request), viewer))

    async def stats(self, request: web.Request) -> web.Response:
        viewer = self.viewer(request)
        if not viewer.sees_stats:
            raise self.refuse(request)
        start, end = self.period(request)
        period = await self.data.period(start, end, self.data.scope(viewer))
        return self.page(request, self.pages.stats(self.locale(request), viewer, period))

    def _export_viewer(self, request: web.Request) -> Viewer:
        viewer = self.viewer(request)
        if not viewer.is_manager:  # the log has phone numbers: managers only, as /export
            raise self.refuse(request)
        return viewer

    async def export_xlsx(self, request: web.Request) -> web.Response:
        viewer = self._export_viewer(request)
        start, end = self.period(request)
        title = self.pages.t(self.locale(request)).plain("sheet_title")
        content, _count = await xlsx_bytes(self.app, start, end, title, self.data.scope(viewer))
        return _download(
            content,
            f"requests_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    async def export_csv(self, request: web.Request) -> web.Response:
        viewer = self._export_viewer(request)
        start, end = self.period(request)
        content, _count = await csv_bytes(self.app, start, end, self.data.scope(viewer))
        return _download(
            content, f"requests_{start:%Y%m%d}-{end:%Y%m%d}.csv", "text/csv; charset=utf-8"
        )

    async def health(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")


def _download(content: bytes, filename: str, content_type: str) -> web.Response:
    response = web.Response(body=content)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
