"""A notice for the lobby board: one A4 page, as PNG and as PDF, in Chinese.

Drawn with Pillow in the project's own CJK font (bot/fonts.py), so the page reads the same on
any host: the estate's name (`ESTATE_NAME`), the title, the buildings, the time, the reason,
what to do, the company's phone (`COMPANY_PHONE`) and the date. The PDF is the same page
(Pillow writes it), so what the manager prints is what the PNG shows.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.fonts import FACE_INDEX, cjk_font_path, family_for

if TYPE_CHECKING:
    from PIL import ImageFont

DPI = 150
A4_PX = (1240, 1754)  # 210 x 297 mm at 150 dpi
MARGIN = 130
_TAGS = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML to the words on paper."""
    return html.unescape(_TAGS.sub("", text))


@dataclass(frozen=True, slots=True)
class Printout:
    """What the page says, top to bottom (plain text)."""

    estate: str
    title: str
    greeting: str
    lines: list[str]  # one paragraph each
    contact: str
    signature: str
    date: str


class PrintError(RuntimeError):
    """No font to draw Chinese with: the page would be boxes."""


@lru_cache(maxsize=16)
def _font(size: int, region: str) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    path = cjk_font_path()
    if path is None:
        raise PrintError("no CJK font (install noto-cjk-sans-otc)")
    return ImageFont.truetype(str(path), size, index=FACE_INDEX[family_for(region)])


_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-+/:.@]*|.", re.DOTALL)
_NO_LINE_START = "，。、；：！？）」』,.;:!?)"


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break a paragraph to fit `width` pixels: between any two Chinese characters (there
    are no spaces), never inside a number or a word ("020-12345678" stays whole), never
    leaving a closing punctuation mark at the start of a line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKENS.findall(paragraph):
            if font.getlength(line + token) <= width or not line:
                line += token
                continue
            if token in _NO_LINE_START and len(line) > 1:
                line, carry = line[:-1], line[-1] + token
            else:
                carry = token.lstrip()
            lines.append(line)
            line = carry
        lines.append(line)
    return lines


def render_page(page: Printout, *, region: str = "CN") -> bytes:
    """The page as PNG bytes (CPU-bound: call it in a thread)."""
    from PIL import Image, ImageDraw

    width, height = A4_PX
    image = Image.new("RGB", A4_PX, "white")
    draw = ImageDraw.Draw(image)
    text_width = width - 2 * MARGIN
    estate_font, title_font = _font(40, region), _font(84, region)
    body_font, small_font = _font(40, region), _font(34, region)

    y = MARGIN
    if page.estate:
        draw.text((width / 2, y), page.estate, font=estate_font, fill="#333333", anchor="mt")
        y += 70
    draw.text((width / 2, y), page.title, font=title_font, fill="#b00000", anchor="mt")
    y += 130
    draw.line((MARGIN, y, width - MARGIN, y), fill="#b00000", width=4)
    y += 50
    draw.text((MARGIN, y), page.greeting, font=body_font, fill="black")
    y += 80
    for paragraph in page.lines:
        for line in _wrap(paragraph, body_font, text_width - 80):
            draw.text((MARGIN + 80, y), line, font=body_font, fill="black")
            y += 62
        y += 22
    y += 20
    for line in _wrap(page.contact, body_font, text_width):
        draw.text((MARGIN, y), line, font=body_font, fill="black")
        y += 62
    bottom = max(y + 80, height - MARGIN - 140)
    right = width - MARGIN
    draw.text((right, bottom), page.signature, font=body_font, fill="black", anchor="ra")
    draw.text((right, bottom + 70), page.date, font=small_font, fill="black", anchor="ra")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def png_to_pdf(png: bytes) -> bytes:
    """The same page as a one-page A4 PDF."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PDF", resolution=float(DPI))
    return buffer.getvalue()
