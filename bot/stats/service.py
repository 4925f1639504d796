"""/stats for managers: the numbers as a message, and a chart as a picture."""

from __future__ import annotations

import asyncio
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.intents.taxonomy import INTENTS
from bot.stats.chart import ChartLabels, cjk_font, render_png
from bot.stats.numbers import (
    DELIVERY_TARGET,
    RESOLVE_TARGET_SECONDS,
    SATISFACTION_TARGET,
    SEVERITIES,
    Stats,
    claim_deadline,
    collect,
)

if TYPE_CHECKING:
    from collections.abc import Collection

    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.estates import Estates
    from bot.notices.service import NoticeService
    from bot.storage.db import Database
    from bot.texts import Texts
    from bot.tickets.formatting import Formatter


class StatsService:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        texts: Texts,
        fmt: Formatter,
        notices: NoticeService,
        estates: Estates | None = None,
    ) -> None:
        self.estates = estates
        self.settings = settings
        self.clock = clock
        self.db = db
        self.texts = texts
        self.t = texts.bind(settings.manager_language, "manager")
        self.fmt = fmt
        self.notices = notices

    @property
    def locale(self) -> str:
        return self.settings.manager_language

    @cached_property
    def font(self) -> str | None:
        return cjk_font()

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return self.t("stats_no_data")
        if seconds < 5400:
            return self.t("duration_minutes", n=max(0, round(seconds / 60)))
        if seconds < 2 * 86400:
            return self.t("duration_hours", n=round(seconds / 3600, 1))
        return self.t("duration_days", n=round(seconds / 86400, 1))

    def mark(self, ok: bool | None) -> str:
        return "" if ok is None else self.t("mark_ok" if ok else "mark_low")

    # -- the message -----------------------------------------------------------------------
    def text(self, stats: Stats) -> str:
        intent_name = self.fmt.intent
        by_intent = "、".join(
            f"{intent_name(intent, self.locale)} {n}"
            for intent, n in stats.week_by_intent.most_common()
        ) or self.t("stats_none")
        claim_lines = []
        for severity in SEVERITIES:
            median = stats.claim_median(severity)
            target = claim_deadline(self.settings, severity)
            claim_lines.append(
                self.t(
                    "stats_claim_line",
                    severity=self.t(f"severity.{severity}"),
                    median=self.duration(median),
                    target=self.duration(target),
                    mark=self.mark(None if median is None else median <= target),
                )
            )
        resolve = stats.resolve_median
        if stats.ratings:
            share = stats.satisfied_share or 0.0
            satisfaction = self.t(
                "stats_satisfaction",
                average=f"{stats.rating_average or 0:.1f}",
                rated=len(stats.ratings),
                share=share,
                mark=self.mark(share >= SATISFACTION_TARGET),
            )
        else:
            satisfaction = self.t("stats_no_data")
        notice_lines = []
        render = self.notices.render
        for notice, counts in stats.notices:
            rate = counts.delivery_rate
            if counts.total - counts.skipped <= 0:  # nobody to reach: no "0/0（100%）"
                notice_lines.append(
                    self.t(
                        "stats_notice_line_none",
                        id=notice.id,
                        kind=render.kind(notice.kind, self.locale),
                        buildings=render.buildings(list(notice.buildings or []), self.locale),
                    )
                )
                continue
            notice_lines.append(
                self.t(
                    "stats_notice_line",
                    id=notice.id,
                    kind=render.kind(notice.kind, self.locale),
                    buildings=render.buildings(list(notice.buildings or []), self.locale),
                    sent=counts.sent,
                    total=counts.total - counts.skipped,
                    rate=rate,
                    mark=self.mark(rate >= DELIVERY_TARGET if counts.total else None),
                )
            )
        return self.t(
            "stats",
            now=f"{stats.now:%Y-%m-%d %H:%M}",
            today=stats.today,
            week=stats.week,
            by_intent=by_intent,
            emergency=stats.week_by_severity.get("emergency", 0),
            urgent=stats.week_by_severity.get("urgent", 0),
            normal=stats.week_by_severity.get("normal", 0),
            open=stats.open,
            claimed=stats.claimed,
            resolved=stats.resolved_week,
            reasons=self.close_reasons(stats),
            claim_lines="\n".join(claim_lines),
            resolve_median=self.duration(resolve),
            resolve_target=self.duration(RESOLVE_TARGET_SECONDS),
            resolve_mark=self.mark(None if resolve is None else resolve <= RESOLVE_TARGET_SECONDS),
            satisfaction=satisfaction,
            notices="\n".join(notice_lines) or self.t("stats_none"),
        )

    def close_reasons(self, stats: Stats) -> str:
        """ "已解决 3 · 误报 1 · 重复报告 1" (this week's closed tickets, by reason)."""
        reasons = self.t.section("desk.close.reason")
        parts = [
            self.t("stats_reason", reason=reasons(r), count=n)
            for r, n in stats.week_close_reasons.most_common()
            if reasons.has(r)
        ]
        return " · ".join(parts) or self.t("stats_none")

    # -- the picture -------------------------------------------------------------------------
    def labels(self, locale: str) -> ChartLabels:
        intents = {intent: self.fmt.intent(intent, locale) for intent in INTENTS}
        t = self.texts.bind(locale, "manager.chart")
        return ChartLabels(
            title_days=t("title_days"),
            title_intents=t("title_intents"),
            severities={s: t(f"legend_{s}") for s in SEVERITIES},
            intents=intents,
            empty=t("empty"),
        )

    async def chart(self, stats: Stats) -> bytes:
        font = self.font
        # Chinese labels only with a font that has the glyphs; else the ASCII (en) labels
        labels = self.labels(self.locale if font else "en")
        return await asyncio.to_thread(
            render_png, stats.daily, stats.week_by_intent, labels, font=font
        )

    async def report(self, scope: Collection[int] | None = None) -> tuple[str, bytes, str]:
        """(the message, the chart PNG, the chart's caption): of the estates in `scope`
        (an estate's manager), or the whole company (None), with the estates compared."""
        stats = await collect(self.settings, self.clock, self.db, self.notices, scope)
        caption = self.t("stats_caption")  # the manager's language, whatever the chart
        text = self.text(stats)
        estates = self.estates
        if estates is not None and estates.several:
            shown = [e for e in estates.all if scope is None or e.id in scope]
            if scope is not None:
                names = "、".join(e.name for e in shown)
                text = self.t("stats_estates_head", estates=names) + "\n" + text
            if len(shown) > 1:
                text += "\n\n" + await self.compare(shown)
        return text, await self.chart(stats), caption

    async def compare(self, estates: Collection[Any]) -> str:
        """One line per estate: this week's tickets, waiting, claim and resolve medians,
        satisfaction (a company-level manager compares estates)."""
        lines = [self.t("stats_compare_head")]
        for estate in estates:
            s = await collect(self.settings, self.clock, self.db, self.notices, [estate.id])
            share = s.satisfied_share
            lines.append(
                self.t(
                    "stats_compare_line",
                    estate=estate.name,
                    week=s.week,
                    open=s.open,
                    claim=self.duration(s.claim_median("emergency")),
                    resolve=self.duration(s.resolve_median),
                    satisfaction=self.t("stats_no_data")
                    if share is None
                    else self.t("stats_compare_share", share=share),
                )
            )
        return "\n".join(lines)
