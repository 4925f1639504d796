"""Charts as inline SVG: no script, no font files, the browser draws the Chinese labels.

Every label passes through `esc`; sizes scale with the viewBox, so a chart fits a phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = {"emergency": "#d93025", "urgent": "#f29900", "normal": "#1a73e8"}
BAR = "#5f6368"
OK = "#188038"
LOW = "#d93025"


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def _nice_max(value: float) -> float:
    """The smallest round number at least `value` whose quarters read well (4, 8, 12, 20...)."""
    for exponent in range(9):
        for mantissa in (4, 8, 12, 20, 40, 60, 80):
            candidate = mantissa * 10**exponent
            if candidate >= value:
                return candidate
    return value


def stacked_days(
    days: Sequence[tuple[str, dict[str, int]]],
    series: Sequence[tuple[str, str]],  # (key, label)
    title: str,
) -> str:
    """Vertical bars, one per day, stacked by series (severity), with a legend."""
    width, height, left, top, bottom = 640, 240, 36, 34, 30
    plot_w, plot_h = width - left - 8, height - top - bottom
    top_value = _nice_max(max((sum(c.values()) for _, c in days), default=0))
    n = max(1, len(days))
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{left}" y="16" class="title">{esc(title)}</text>',
    ]
    for i in range(5):  # grid lines and their values
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" class="axis" text-anchor="end">{value:g}</text>')
    label_every = max(1, round(n / 10))
    for index, (day, counts) in enumerate(days):
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h
        for key, label in series:
            value = counts.get(key, 0)
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS.get(key, BAR)}"><title>{esc(day)} {esc(label)} {value}</title></rect>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 12}" class="axis" '
                f'text-anchor="middle">{esc(day)}</text>'
            )
    legend_x = width - 8
    for key, label in reversed(series):
        legend_x -= 14 + 13 * len(label) + 10
        parts.append(
            f'<rect x="{legend_x}" y="6" width="10" height="10" fill="{COLOURS.get(key, BAR)}"/>'
            f'<text x="{legend_x + 14}" y="15" class="axis">{esc(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(rows: Sequence[tuple[str, float]], title: str, *, unit: str = "") -> str:
    """One bar per row (label, value), largest first as given."""
    row_h, top, left, width = 24, 30, 120, 640
    height = top + row_h * max(1, len(rows)) + 8
    top_value = max((v for _, v in rows), default=0) or 1
    plot_w = width - left - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<text x="8" y="16" class="title">{esc(title)}</text>',
    ]
    for index, (label, value) in enumerate(rows):
        y = top + row_h * index
        w = plot_w * value / top_value
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" class="axis" text-anchor="end">{esc(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{BAR}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 15}" class="axis">{value:g}{esc(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def against_target(
    rows: Sequence[tuple[str, float | None, float]], title: str, *, lower_is_better: bool = True,
    unit: str = "", none: str = "-",
) -> str:
    """One bar per row (label, value, target): green when the target is met, red when not,
    and a dashed line at the target."""
    row_h, top, left, width = 28, 30, 120, 640
    height = top + row_h * max(1, len(rows)) + 8
    top_value = max([t for _, _, t in rows] + [v or 0 for _, v, _ in rows]) * 1.15 or 1
    plot_w = width - left - 90
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<text x="8" y="16" class="title">{esc(title)}</text>',
    ]
    for index, (label, value, target) in enumerate(rows):
        y = top + row_h * index
        tx = left + plot_w * target / top_value
        parts.append(f'<text x="{left - 6}" y="{y + 17}" class="axis" text-anchor="end">{esc(label)}</text>')
        if value is None:
            parts.append(f'<text x="{left + 4}" y="{y + 17}" class="axis">{esc(none)}</text>')
        else:
            ok = value <= target if lower_is_better else value >= target
            w = plot_w * value / top_value
            parts.append(
                f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" '
                f'fill="{OK if ok else LOW}"/>'
                f'<text x="{left + max(w, tx - left) + 6:.1f}" y="{y + 17}" class="axis">'
                f"{value:g}{esc(unit)}</text>"
            )
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y + 1}" y2="{y + row_h - 3}" class="target"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
