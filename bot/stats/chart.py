"""The /stats picture: tickets per day by severity (14 days) and this week by intent.

matplotlib with the Agg renderer, through `Figure` (no pyplot, no global state). Chinese
labels need a CJK font: `cjk_font()` registers the project's own (Noto Sans CJK, from the
`noto-cjk-sans-otc` package, bot/fonts.py), else finds one the system has; without any the
caller labels the chart in ASCII (the en texts), so there are never tofu boxes.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans CJK", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Heiti SC", "Hiragino Sans GB", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback",
)  # fmt: skip
COLOURS = {"emergency": "#d62728", "urgent": "#ff7f0e", "normal": "#1f77b4"}


def cjk_font() -> str | None:
    """The name of a font with Chinese glyphs, or None (the caller caches it)."""
    from matplotlib import font_manager

    from bot.fonts import register_with_matplotlib

    bundled = register_with_matplotlib()
    if bundled is not None:
        return bundled

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@dataclass(frozen=True, slots=True)
class ChartLabels:
    title_days: str
    title_intents: str
    severities: dict[str, str]  # severity -> legend label
    intents: dict[str, str]  # intent id -> label
    empty: str


def render_png(
    daily: list[tuple[date, Counter[str]]],
    by_intent: Counter[str],
    labels: ChartLabels,
    *,
    font: str | None,
) -> bytes:
    """The chart as PNG bytes (CPU-bound: call it in a thread)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    rc: dict[str, Any] = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}

    with rc_context(rc):  # type: ignore[arg-type]
        fig = Figure(figsize=(11, 4.2), dpi=100, layout="constrained")
        days_ax, intents_ax = fig.subplots(1, 2, width_ratios=[3, 2])
        _days(days_ax, daily, labels)
        _intents(intents_ax, by_intent, labels)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _days(ax_: Axes, daily: list[tuple[date, Counter[str]]], labels: ChartLabels) -> None:
    from matplotlib.ticker import MaxNLocator

    xs = list(range(len(daily)))
    bottom = [0] * len(daily)
    for severity in ("emergency", "urgent", "normal"):
        values = [counts.get(severity, 0) for _, counts in daily]
        ax_.bar(
            xs, values, bottom=bottom, color=COLOURS[severity], label=labels.severities[severity]
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax_.set_xticks(xs, [f"{d.month}/{d.day}" for d, _ in daily], fontsize=8)
    ax_.set_title(labels.title_days)
    ax_.legend(loc="upper left", fontsize=8)
    ax_.yaxis.set_major_locator(MaxNLocator(integer=True))
    for side in ("top", "right"):
        ax_.spines[side].set_visible(False)


def _intents(ax_: Axes, by_intent: Counter[str], labels: ChartLabels) -> None:
    from matplotlib.ticker import MaxNLocator

    ax_.set_title(labels.title_intents)
    if not by_intent:
        ax_.text(0.5, 0.5, labels.empty, ha="center", va="center", transform=ax_.transAxes)
        ax_.set_axis_off()
        return
    top = by_intent.most_common(8)[::-1]
    names = [labels.intents.get(intent, intent) for intent, _ in top]
    ax_.barh(names, [n for _, n in top], color="#4c72b0")
    ax_.xaxis.set_major_locator(MaxNLocator(integer=True))
    for side in ("top", "right"):
        ax_.spines[side].set_visible(False)
