"""The /stats chart in Chinese, in the project's own font (Noto Sans CJK from PyPI): rendered
and checked, never an English fallback."""

from __future__ import annotations

import warnings
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from matplotlib import font_manager

from bot.fonts import FAMILY_SC, cjk_font_path
from bot.stats.chart import ChartLabels, cjk_font, render_png
from tests.notices.support import MANAGER
from tests.support.harness import Harness

LABELS = ChartLabels(
    title_days="近 14 天每天工单数",
    title_intents="本周按类型",
    severities={"emergency": "紧急", "urgent": "较急", "normal": "一般"},
    intents={"water_outage": "停水", "repair": "报修", "gas_leak": "燃气泄漏"},
    empty="暂无数据",
)


def test_the_bundled_font_is_the_charts_font() -> None:
    path = cjk_font_path()
    assert path is not None and path.name.endswith(".ttc")
    assert cjk_font() == FAMILY_SC
    found = font_manager.findfont(
        font_manager.FontProperties(family=FAMILY_SC), fallback_to_default=False
    )
    assert Path(found) == path


def test_the_chart_renders_chinese_with_every_glyph() -> None:
    daily = [(date(2026, 11, 8) + timedelta(days=i), Counter(normal=i % 3)) for i in range(14)]
    by_intent = Counter(water_outage=3, repair=5, gas_leak=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_png(daily, by_intent, LABELS, font=cjk_font())
    missing = [w for w in caught if "missing from font" in str(w.message)]
    assert not missing  # matplotlib warns for each glyph drawn as a box
    assert png.startswith(b"\x89PNG")
    # the same chart without the font: boxes, which matplotlib reports
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_png(daily, by_intent, LABELS, font=None)
    assert any("missing from font" in str(w.message) for w in caught)


async def test_stats_labels_the_chart_in_chinese(h: Harness) -> None:
    stats = h.app.router.handlers[1].stats  # type: ignore[attr-defined]
    assert stats.font == FAMILY_SC
    await h.say(MANAGER, "/stats")
    labels = stats.labels(stats.locale)
    assert not labels.title_days.isascii()  # Chinese, not the English fallback
