"""The dashboard's HTML: one layout, the board (drawn by a little script from JSON), a ticket,
the statistics with SVG charts, and the refusal page.

Every value from the database or the request is escaped here (`esc`); texts come from
`locales/<locale>/texts/dashboard.yaml`. Links are relative, so the dashboard works behind
a reverse proxy under any path prefix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.dashboard import charts
from bot.dashboard.auth import Viewer
from bot.dashboard.charts import esc
from bot.dashboard.data import (
    DELIVERY_TARGET,
    RESOLVE_TARGET_SECONDS,
    SATISFACTION_TARGET,
    SEVERITIES,
    DashboardData,
    Period,
    plain,
)
from bot.stats.numbers import claim_deadline
from bot.storage.models import Ticket, TicketEvent, TicketStatus

if TYPE_CHECKING:
    from bot.dashboard.deps import DashboardDeps
    from bot.texts import LocaleTexts, Texts

HTML_LANG = {"zh": "zh-CN"}  # a locale's `lang` attribute when it is not the locale itself


def dashboard_locales(texts: Texts) -> list[str]:
    """The locales whose folder has the dashboard's texts (`locales/<locale>/texts/
    dashboard.yaml`), the default first: a new locale is a new folder."""
    return [loc for loc in texts.locales if "dashboard.title" in texts.keys(loc)]

CSS = """
:root { --bg:#f6f7f9; --card:#fff; --ink:#202124; --mute:#5f6368; --line:#dadce0;
  --em:#d93025; --ur:#f29900; --no:#1a73e8; --ok:#188038; }
@media (prefers-color-scheme: dark) { :root { --bg:#17181a; --card:#232427; --ink:#e8eaed;
  --mute:#9aa0a6; --line:#3c4043; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC",
  "Microsoft YaHei", sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; flex-wrap:wrap; gap:4px 16px; align-items:center; padding:10px 14px;
  background:var(--card); border-bottom:1px solid var(--line); position:sticky; top:0; z-index:2; }
header b { margin-right:auto; }
header a { color:var(--ink); text-decoration:none; padding:2px 6px; border-radius:6px; }
header a.on { background:var(--line); }
main { padding:12px; max-width:1100px; margin:0 auto; }
h2 { font-size:16px; margin:18px 0 8px; display:flex; gap:8px; align-items:center; }
.dot { width:10px; height:10px; border-radius:50%; display:inline-block; }
.emergency .dot, .sev-emergency { background:var(--em); }
.urgent .dot, .sev-urgent { background:var(--ur); }
.normal .dot, .sev-normal { background:var(--no); }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(260px, 1fr)); gap:10px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px 12px;
  color:inherit; text-decoration:none; display:block; border-left:5px solid var(--line); }
.card.emergency { border-left-color:var(--em); } .card.urgent { border-left-color:var(--ur); }
.card.normal { border-left-color:var(--no); }
.card.fresh { animation: flash 2s ease-out; }
@keyframes flash { from { background:#fce8e6; } to { background:var(--card); } }
.card .top { display:flex; justify-content:space-between; gap:8px; font-weight:600; }
.card .meta, .mute { color:var(--mute); font-size:13px; }
.card .words { margin:4px 0; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.countdown { font-variant-numeric: tabular-nums; font-weight:600; }
.late { color:var(--em); }
.due { font-size:13px; } .due.late { font-weight:600; }
.empty { color:var(--mute); padding:8px 0; }
.tiles { display:grid; grid-template-columns:repeat(auto-fill, minmax(150px, 1fr)); gap:10px; }
.tile { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:10px; }
.tile .n { font-size:24px; font-weight:700; }
.chart { width:100%; height:auto; background:var(--card); border:1px solid var(--line);
  border-radius:10px; margin:8px 0; }
.chart .title { font-size:14px; font-weight:600; fill:var(--ink); }
.chart .axis { font-size:11px; fill:var(--mute); }
.chart .grid { stroke:var(--line); stroke-width:1; }
.chart .target { stroke:var(--ink); stroke-width:2; stroke-dasharray:4 3; }
table { border-collapse:collapse; width:100%; background:var(--card); }
td, th { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
form.period { display:flex; flex-wrap:wrap; gap:8px; align-items:center; }
.button, button { background:var(--no); color:#fff; border:0; border-radius:8px; padding:7px 14px;
  font:inherit; cursor:pointer; text-decoration:none; display:inline-block; }
.button.alt { background:var(--mute); }
ol.timeline { list-style:none; padding:0; margin:0; }
ol.timeline li { background:var(--card); border:1px solid var(--line); border-radius:8px;
  padding:6px 10px; margin:6px 0; }
.refused { max-width:460px; margin:15vh auto; text-align:center; }
"""

BOARD_JS = """
(function () {
  var data = JSON.parse(document.getElementById('board-data').textContent);
  var labels = JSON.parse(document.getElementById('board-labels').textContent);
  var seen = null, offset = 0;
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function span(seconds) {
    var s = Math.abs(Math.round(seconds)), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h ? h + ':' + two(m) : m) + ':' + two(s % 60);
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function tick() {
    var now = Date.now() / 1000 + offset;
    document.querySelectorAll('.countdown').forEach(function (c) {
      var left = parseFloat(c.dataset.deadline) - now;
      c.textContent = c.dataset.name + ' ' + (left >= 0 ? labels.left + ' ' + span(left)
                                                      : labels.late + ' ' + span(left));
      c.classList.toggle('late', left < 0);
    });
  }
  function draw(board) {
    offset = board.now - Date.now() / 1000;
    var root = document.getElementById('board');
    root.textContent = '';
    var fresh = {};
    board.tickets.forEach(function (t) {
      if (seen && !seen[t.id]) fresh[t.id] = true;
    });
    seen = {};
    board.tickets.forEach(function (t) { seen[t.id] = true; });
    labels.severities.forEach(function (sev) {
      var list = board.tickets.filter(function (t) { return t.severity === sev[0]; });
      var h = el('h2', sev[0]);
      h.appendChild(el('span', 'dot'));
      h.appendChild(el('span', '', sev[1] + ' · ' + list.length));
      root.appendChild(h);
      var cards = el('div', 'cards');
      cards.id = 'group-' + sev[0];
      if (!list.length) cards.appendChild(el('div', 'empty', labels.none));
      list.forEach(function (t) {
        var a = el('a', 'card ' + t.severity + (fresh[t.id] ? ' fresh' : ''));
        a.href = 'ticket?id=' + t.id;
        a.id = 'ticket-' + t.id;
        var top = el('div', 'top');
        top.appendChild(el('span', '', '#' + t.id + ' ' + t.intent));
        top.appendChild(el('span', 'mute', t.status_name));
        a.appendChild(top);
        a.appendChild(el('div', 'meta', t.place + (t.claimer ? ' · ' + t.claimer : '')));
        if (t.team) a.appendChild(el('div', 'meta team', '👥 ' + t.team));
        if (t.words) a.appendChild(el('div', 'words', t.words));
        var c = el('div', 'countdown');
        c.dataset.deadline = t.deadline_ts;
        c.dataset.name = t.deadline_name;
        a.appendChild(c);
        if (t.due) a.appendChild(el('div', 'due' + (t.overdue ? ' late' : ''),
          (t.overdue ? labels.overdue : labels.due) + ' ' + t.due));
        a.appendChild(el('div', 'meta', t.created));
        cards.appendChild(a);
      });
      root.appendChild(cards);
    });
    document.getElementById('updated').textContent = labels.updated + ' ' +
      new Date().toLocaleTimeString();
    tick();
  }
  function poll() {
    fetch('api/board', {credentials: 'same-origin', cache: 'no-store'})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(draw)
      .catch(function () {
        document.getElementById('updated').textContent = labels.offline;
      });
  }
  draw(data);
  setInterval(tick, 1000);
  setInterval(poll, 1500);
})();
"""

MINI_APP_JS = """
(function () {
  var tg = window.Telegram && window.Telegram.WebApp;
  var init = (tg && tg.initData) ||
    new URLSearchParams(location.hash.slice(1)).get('tgWebAppData') || '';
  fetch('webapp-auth', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: 'init_data=' + encodeURIComponent(init)})
    .then(function (r) {
      if (r.ok) { location.replace('./'); return; }
      document.getElementById('status').textContent = document.body.dataset.refused;
    });
})();
"""


def json_script(element_id: str, value: object) -> str:
    text = json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


class Pages:
    def __init__(self, app: DashboardDeps, data: DashboardData) -> None:
        self.app = app
        self.data = data
        self.locales = dashboard_locales(app.texts)

    def t(self, locale: str) -> LocaleTexts:
        """The dashboard texts in `locale`: `t(key)` as HTML (its values escaped),
        `t.plain(key)` as plain text (for attributes, JSON, charts)."""
        return self.app.texts.bind(locale, "dashboard")

    # -- the frame --------------------------------------------------------------------------
    def layout(
        self, locale: str, title: str, body: str, viewer: Viewer | None, active: str = ""
    ) -> str:
        nav = ""
        if viewer is not None:
            links = [("./", "board", self.t(locale)("nav.board"))]
            if viewer.sees_stats:
                links.append(("buildings", "buildings", self.t(locale)("nav.buildings")))
                links.append(("stats", "stats", self.t(locale)("nav.stats")))
            items = "".join(
                f'<a href="{href}" class="{"on" if key == active else ""}">{label}</a>'
                for href, key, label in links
            )
            languages = "".join(  # each other language, named in itself
                f'<a href="?lang={other}" id="lang-{other}" lang="{HTML_LANG.get(other, other)}">'
                f"{self.t(other)('language_name')}</a>"
                for other in self.locales
                if other != locale
            )
            nav = (
                f"{items}{languages}"
                f"<span class=\"mute\">{self.t(locale)(f'role.{viewer.role}')}</span>"
            )
        return (
            f'<!doctype html><html lang="{HTML_LANG.get(locale, locale)}"><head>'
            '<meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<header><b>{self.t(locale)('title')}</b>{nav}</header>"
            f"<main>{body}</main></body></html>"
        )

    def refused(self, locale: str) -> str:
        body = (
            f'<div class="refused"><h1>403</h1><p>{self.t(locale)("refused")}</p>'
            f'<p class="mute">{self.t(locale)("refused_hint")}</p></div>'
        )
        return self.layout(locale, self.t(locale).plain("refused_title"), body, None)

    def not_found(self, locale: str, viewer: Viewer) -> str:
        body = f'<div class="refused"><h1>404</h1><p>{self.t(locale)("not_found")}</p></div>'
        return self.layout(locale, "404", body, viewer)

    def mini_app(self, locale: str) -> str:
        body = (
            f'<p id="status" class="mute">{self.t(locale)("signing_in")}</p>'
            f"<script>{MINI_APP_JS}</script>"
        )
        page = self.layout(locale, self.t(locale).plain("title"), body, None)
        return page.replace(
            "<body>", f'<body data-refused="{esc(self.t(locale).plain("refused"))}">', 1
        )

    # -- the board --------------------------------------------------------------------------
    async def board(self, locale: str, viewer: Viewer) -> str:
        board = await self.data.board(locale, viewer)
        labels = {
            "severities": [[s, self.t(locale).plain(f"severity.{s}")] for s in SEVERITIES],
            "left": self.t(locale).plain("countdown.left"),
            "late": self.t(locale).plain("countdown.late"),
            "none": self.t(locale).plain("board_none"),
            "due": self.t(locale).plain("due"),
            "overdue": self.t(locale).plain("overdue"),
            "updated": self.t(locale).plain("updated"),
            "offline": self.t(locale).plain("offline"),
        }
        body = (
            f'<p class="mute">{self.t(locale)("board_intro")} <span id="updated"></span></p>'
            '<div id="board"></div>'
            f"{json_script('board-data', board)}{json_script('board-labels', labels)}"
            f"<script>{BOARD_JS}</script>"
        )
        return self.layout(locale, self.t(locale).plain("nav.board"), body, viewer, "board")

    # -- one ticket ---------------------------------------------------------------------------
    def event_line(self, event: TicketEvent) -> str:
        timeline = self.app.tickets.timeline
        when = self.data.local(event.at)
        # who/what are Telegram HTML (b, i, code) from the staff texts: safe in a page
        return (
            f'<li><span class="mute">{esc(when)} · {timeline.who(event)}</span><br>'
            f"{timeline.what(event)}</li>"
        )

    def ticket(
        self,
        locale: str,
        viewer: Viewer,
        ticket: Ticket,
        events: Sequence[TicketEvent],
        *,
        csrf: str,
    ) -> str:
        facts = self.data.ticket_json(ticket, locale)
        photos = len((ticket.extra or {}).get("photos") or [])
        rows = [
            ("severity", f'<span class="dot sev-{esc(ticket.severity)}"></span> {esc(facts["severity_name"])}'),
            ("intent", esc(facts["intent"])),
            ("status", esc(facts["status_name"])),
            ("place", esc(facts["place"])),
            ("phone", esc(ticket.phone or "-")),
            ("resident", esc(ticket.user_name or "-")),
            ("words", esc(ticket.description or "-")),
            ("team", esc(facts["team"] or "-")),
            ("claimer", esc(facts["claimer"] or "-")),
            ("created", esc(facts["created"])),
            ("claimed_at", esc(self.data.local(ticket.claimed_at) or "-")),
            ("on_site_at", esc(self.data.local(ticket.on_site_at) or "-")),
            ("resolved_at", esc(self.data.local(ticket.resolved_at) or "-")),
            ("rating", esc(ticket.rating if ticket.rating is not None else "-")),
            ("photos", esc(photos)),
        ]
        table = "".join(
            f"<tr><th>{self.t(locale)(f'field.{key}')}</th><td>{value}</td></tr>"
            for key, value in rows
        )
        if facts["due"]:
            late = facts["overdue"]
            table += (
                f"<tr><th>{self.t(locale)('field.due')}</th>"
                f'<td id="due" class="{"due late" if late else "due"}">{esc(facts["due"])}'
                f"{' ' + self.t(locale)('overdue') if late else ''}</td></tr>"
            )
        if ticket.status in TicketStatus.ACTIVE:
            table += (
                f"<tr><th>{self.t(locale)('field.deadline')}</th><td>"
                f'<span class="countdown" data-deadline="{facts["deadline_ts"]}" '
                f'data-name="{esc(facts["deadline_name"])}">{esc(facts["deadline_name"])}</span>'
                "</td></tr>"
            )
        action = ""
        if viewer.is_manager and ticket.status in (TicketStatus.OPEN, TicketStatus.REOPENED):
            action = (
                f'<form method="post" action="claim"><input type="hidden" name="id" value="{ticket.id}">'
                f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
                f'<button type="submit" id="claim">{self.t(locale)("claim")}</button></form>'
            )
        timeline = "".join(self.event_line(e) for e in events)
        labels = {
            "left": self.t(locale).plain("countdown.left"),
            "late": self.t(locale).plain("countdown.late"),
            "now": self.app.clock.now().timestamp(),  # the server's clock, not the phone's
        }
        script = (
            f"{json_script('ticket-labels', labels)}<script>(function(){{"
            "var l=JSON.parse(document.getElementById('ticket-labels').textContent),"
            "off=l.now-Date.now()/1000;"
            "function two(n){return (n<10?'0':'')+n;}"
            "function tick(){document.querySelectorAll('.countdown').forEach(function(c){"
            "var s=parseFloat(c.dataset.deadline)-Date.now()/1000-off,a=Math.abs(Math.round(s)),"
            "h=Math.floor(a/3600),m=Math.floor(a%3600/60);"
            "c.textContent=c.dataset.name+' '+(s>=0?l.left:l.late)+' '+(h?h+':'+two(m):m)+':'+two(a%60);"
            "c.classList.toggle('late',s<0);});}tick();setInterval(tick,1000);})();</script>"
        )
        body = (
            f'<p><a href="./">← {self.t(locale)("nav.board")}</a></p>'
            f'<h2>{self.t(locale)("ticket_title", id=ticket.id)}</h2>'
            f"<table>{table}</table><p>{action}</p>"
            f'<h2>{self.t(locale)("timeline")}</h2><ol class="timeline">{timeline}</ol>{script}'
        )
        return self.layout(locale, self.t(locale).plain("ticket_title", id=ticket.id), body, viewer)

    # -- buildings and notices ----------------------------------------------------------------
    async def buildings(self, locale: str, viewer: Viewer) -> str:
        per_building, notices = await self.data.buildings(viewer)
        render = self.app.notices.render

        def building_key(name: str) -> tuple[int, str]:
            digits = "".join(ch for ch in name if ch.isdigit())
            return (int(digits) if digits and len(digits) < 9 else 10**9, name)

        rows = []
        for building in sorted(per_building, key=building_key):
            counts = per_building[building]
            covering = [
                f"#{n.id} {esc(plain(render.kind(n.kind, locale)))}"
                for n, _ in notices
                if not n.buildings or building in (n.buildings or [])
            ]
            name = (
                self.t(locale)("building", building=building)
                if building != "-"
                else self.t(locale)("no_building")
            )
            cells = "".join(f"<td>{counts.get(s, 0) or ''}</td>" for s in SEVERITIES)
            rows.append(f"<tr><td>{name}</td>{cells}<td>{'、'.join(covering)}</td></tr>")
        head = "".join(f"<th>{self.t(locale)(f'severity.{s}')}</th>" for s in SEVERITIES)
        table = (
            f"<table id=\"buildings\"><tr><th>{self.t(locale)('field.building')}</th>{head}"
            f"<th>{self.t(locale)('nav.notices')}</th></tr>{''.join(rows)}</table>"
            if rows
            else f'<p class="empty">{self.t(locale)("board_none")}</p>'
        )
        notice_rows = []
        for notice, delivery in notices:
            meant = delivery.total - delivery.skipped
            rate = f"{100 * delivery.delivery_rate:.0f}%" if meant else "-"
            notice_rows.append(
                "<tr>"
                f"<td>#{notice.id} {esc(plain(render.kind(notice.kind, locale)))}</td>"
                f"<td>{esc(plain(render.buildings(list(notice.buildings or []), locale)))}</td>"
                f"<td>{self.t(locale)(f'notice_status.{notice.status}')}</td>"
                f"<td>{esc(plain(render.period(notice.starts_at, notice.ends_at, locale)))}</td>"
                f"<td>{delivery.sent}/{meant} ({rate})"
                f"{self.t(locale)('notice_pending', n=delivery.pending) if delivery.pending else ''}</td>"
                f"<td>{notice.asked_count}</td></tr>"
            )
        columns = "".join(
            f"<th>{self.t(locale)(f'notice_field.{key}')}</th>"
            for key in ("notice", "buildings", "status", "period", "delivery", "asked")
        )
        notice_table = (
            f'<table id="notices"><tr>{columns}</tr>{"".join(notice_rows)}</table>'
            if notice_rows
            else f'<p class="empty">{self.t(locale)("notices_none")}</p>'
        )
        body = (
            f"<h2>{self.t(locale)('buildings_title')}</h2>{table}"
            f"<h2>{self.t(locale)('nav.notices')}</h2>{notice_table}"
        )
        return self.layout(locale, self.t(locale).plain("nav.buildings"), body, viewer, "buildings")

    # -- statistics -----------------------------------------------------------------------------
    def minutes(self, seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / 60, 1)

    def stats(self, locale: str, viewer: Viewer, period: Period) -> str:
        start, end = f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"
        query = f"start={start}&amp;end={end}"
        exports = ""
        if viewer.is_manager:
            exports = (
                f'<a class="button" id="export-xlsx" href="export.xlsx?{query}" download>'
                f'{self.t(locale)("export_xlsx")}</a> '
                f'<a class="button alt" id="export-csv" href="export.csv?{query}" download>'
                f'{self.t(locale)("export_csv")}</a>'
            )
        form = (
            '<form class="period" method="get" action="stats">'
            f'<label>{self.t(locale)("from")} <input type="date" name="start" value="{start}"></label>'
            f'<label>{self.t(locale)("to")} <input type="date" name="end" value="{end}"></label>'
            f'<button type="submit">{self.t(locale)("show")}</button> {exports}</form>'
        )
        share = period.satisfied_share
        resolve = self.minutes(period.resolve_median)
        tiles = [
            ("tickets", str(period.tickets)),
            ("resolved", str(period.resolved)),
            ("emergencies", str(period.by_severity.get("emergency", 0))),
            ("resolve_median", "-" if resolve is None else self.t(locale).plain("n_hours", n=round(resolve / 60, 1))),
            ("satisfaction", "-" if share is None else f"{100 * share:.0f}%"),
            ("rated", str(len(period.ratings))),
        ]
        tiles_html = "".join(
            f'<div class="tile" id="tile-{key}"><div class="mute">{self.t(locale)(f"tile.{key}")}</div>'
            f'<div class="n">{esc(value)}</div></div>'
            for key, value in tiles
        )
        series = [(s, self.t(locale).plain(f"severity.{s}")) for s in SEVERITIES]
        days = [(f"{d:%m-%d}", dict(c)) for d, c in period.by_day]
        minute = self.t(locale).plain("unit_minutes")
        claim_rows = [
            (
                self.t(locale).plain(f"severity.{s}"),
                self.minutes(period.claim_median(s)),
                claim_deadline(self.app.settings, s) / 60,
            )
            for s in SEVERITIES
        ]
        claim_rows.append(
            (self.t(locale).plain("resolve"), resolve, RESOLVE_TARGET_SECONDS / 60)
        )
        intents = [
            (self.data.intent(intent, locale), float(n)) for intent, n in period.by_intent.most_common(12)
        ]
        buildings = [
            (self.t(locale).plain("building", building=b) if b != "-" else self.t(locale).plain("no_building"), float(n))
            for b, n in period.by_building.most_common(12)
        ]
        reach_rows = [
            (f"#{notice.id}", 100 * counts.delivery_rate if counts.total else None, 100 * DELIVERY_TARGET)
            for notice, counts in period.notices
        ]
        charts_html = [
            charts.stacked_days(days, series, self.t(locale).plain("chart.days")),
            charts.against_target(
                claim_rows, self.t(locale).plain("chart.times"), unit=minute, none=self.t(locale).plain("no_data")
            ),
        ]
        if share is not None:
            charts_html.append(
                charts.against_target(
                    [(self.t(locale).plain("tile.satisfaction"), round(100 * share, 1), 100 * SATISFACTION_TARGET)],
                    self.t(locale).plain("chart.satisfaction"),
                    lower_is_better=False,
                    unit="%",
                )
            )
        charts_html.append(
            charts.horizontal_bars(intents or [(self.t(locale).plain("no_data"), 0)], self.t(locale).plain("chart.intents"))
        )
        charts_html.append(
            charts.horizontal_bars(buildings or [(self.t(locale).plain("no_data"), 0)], self.t(locale).plain("chart.buildings"))
        )
        if reach_rows:
            charts_html.append(
                charts.against_target(
                    reach_rows, self.t(locale).plain("chart.notices"), lower_is_better=False, unit="%",
                    none=self.t(locale).plain("no_data"),
                )
            )
        body = (
            f'<h2>{self.t(locale)("stats_title", start=start, end=end)}</h2>{form}'
            f'<div class="tiles" style="margin-top:10px">{tiles_html}</div>'
            f'<div id="charts">{"".join(charts_html)}</div>'
        )
        return self.layout(locale, self.t(locale).plain("nav.stats"), body, viewer, "stats")
