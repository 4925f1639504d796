"""Printable QR codes for the signed deep links (`bot/deeplinks.py`): `python -m bot qr`.

A building's code (a lobby poster, one A4 page) leaves the room to the resident; a flat's
code (a card on a bill, twelve to an A4 sheet) names both. The matrix comes from `qrcode`,
the pages from matplotlib (Agg, through `Figure`: no pyplot, no global state), PNG one file
per code and PDF one document for all. Chinese captions need a CJK font
(`bot.stats.chart.cjk_font`); without one the captions are English, never tofu boxes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import deeplinks

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bot.texts import Texts

A4 = (8.27, 11.69)  # inches
CARDS_PER_ROW, CARD_ROWS = 3, 4
PNG_DPI = 200


@dataclass(frozen=True, slots=True)
class Code:
    place: deeplinks.Place
    url: str

    @property
    def stem(self) -> str:
        """A file name: "3" for a building, "3-1202" for a flat (path-safe)."""
        raw = f"{self.place.building}-{self.place.room}" if self.place.room else self.place.building
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in raw)
        return f"e{self.place.estate}-{safe}" if self.place.estate else safe


def codes_for(
    key: bytes, bot_username: str, places: Iterable[deeplinks.Place]
) -> list[Code]:
    return [
        Code(place, deeplinks.link(bot_username, deeplinks.sign(key, place))) for place in places
    ]


def matrix(url: str) -> list[list[bool]]:
    """The QR modules of `url` with its quiet zone (medium error correction: a smudged or
    creased print still scans)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


@dataclass(frozen=True, slots=True)
class Captions:
    locale: str
    font: str | None
    estate: str
    texts: Texts
    numbers: dict[str, str]

    def text(self, key: str, **values: Any) -> str:
        return self.texts.bind(self.locale, "qr").plain(key, **values)

    def place(self, place: deeplinks.Place) -> str:
        if place.room:
            return self.text("flat", building=place.building, room=place.room)
        return self.text("building", building=place.building)


def _draw_code(fig: Figure, rect: tuple[float, float, float, float], url: str) -> None:
    ax = fig.add_axes(rect)
    ax.imshow(matrix(url), cmap="binary", interpolation="nearest", vmin=0, vmax=1)
    ax.set_axis_off()
    ax.set_aspect("equal")


def _rc(captions: Captions) -> dict[str, Any]:
    fonts = [captions.font, "DejaVu Sans"] if captions.font else ["DejaVu Sans"]
    return {"font.family": fonts, "pdf.fonttype": 42}


def poster(code: Code, captions: Captions) -> Figure:
    """One A4 page for a building's lobby."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4)
    if captions.estate:
        fig.text(0.5, 0.93, captions.text("estate", estate=captions.estate), ha="center",
                 fontsize=18)
    fig.text(0.5, 0.86, captions.text("title"), ha="center", fontsize=30, weight="bold")
    side = 0.64  # of the page's width
    _draw_code(fig, ((1 - side) / 2, 0.3, side, side * A4[0] / A4[1]), code.url)
    fig.text(0.5, 0.24, captions.place(code.place), ha="center", fontsize=40, weight="bold")
    fig.text(0.5, 0.17, captions.text("hint"), ha="center", fontsize=12, wrap=True)
    fig.text(0.5, 0.08, captions.text("emergency", **captions.numbers), ha="center", fontsize=11)
    return fig


def card_sheet(codes: Sequence[Code], captions: Captions) -> Figure:
    """Up to twelve flats' cards on one A4 page (cut them out, or print on label paper)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4)
    width, height = 1 / CARDS_PER_ROW, 1 / CARD_ROWS
    side = 0.7 * width  # the code's width as a fraction of the page width
    for n, code in enumerate(codes[: CARDS_PER_ROW * CARD_ROWS]):
        col, row = n % CARDS_PER_ROW, n // CARDS_PER_ROW
        left, top = col * width, 1 - row * height
        code_height = side * A4[0] / A4[1]
        _draw_code(fig, (left + (width - side) / 2, top - 0.03 - code_height, side, code_height),
                   code.url)
        fig.text(left + width / 2, top - 0.035 - code_height, captions.place(code.place),
                 ha="center", va="top", fontsize=13, weight="bold")
        fig.text(left + width / 2, top - 0.06 - code_height, captions.text("title"),
                 ha="center", va="top", fontsize=8)
    return fig


def card(code: Code, captions: Captions) -> Figure:
    """One flat's card as its own picture (PNG)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 3.6))
    _draw_code(fig, (0.05, 0.22, 0.9, 0.75), code.url)
    fig.text(0.5, 0.12, captions.place(code.place), ha="center", fontsize=14, weight="bold")
    fig.text(0.5, 0.04, captions.text("title"), ha="center", fontsize=8)
    return fig


def render(
    codes: Sequence[Code], captions: Captions, out: Path, *, formats: Iterable[str] = ("png", "pdf"),
    name: str = "qr-codes",
) -> list[Path]:
    """Write the codes: PNG one file each (posters for buildings, cards for flats) and one
    PDF with them all (a page per building, sheets of twelve flats); returns the files."""
    from matplotlib import rc_context

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    buildings = [c for c in codes if not c.place.room]
    flats = [c for c in codes if c.place.room]
    with rc_context(_rc(captions)):  # type: ignore[arg-type]
        if "png" in formats:
            for code in codes:
                fig = card(code, captions) if code.place.room else poster(code, captions)
                path = out / f"{code.stem}.png"
                fig.savefig(path, dpi=PNG_DPI)
                written.append(path)
        if "pdf" in formats:
            from matplotlib.backends.backend_pdf import PdfPages

            path = out / f"{name}.pdf"
            with PdfPages(path) as pdf:
                for code in buildings:
                    pdf.savefig(poster(code, captions))
                per_page = CARDS_PER_ROW * CARD_ROWS
                for start in range(0, len(flats), per_page):
                    pdf.savefig(card_sheet(flats[start : start + per_page], captions))
            written.append(path)
    return written
