"""Texts too long for one Telegram message: every part fits and parses, nothing is lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.texts import escape
from bot.transports.html_split import CAPTION_LIMIT, TEXT_LIMIT, size, split_html
from tests.fakes.telegram_html import parse_html


def _check(text: str, limit: int) -> list[str]:
    parts = split_html(text, limit)
    for part in parts:
        assert size(part) <= limit
        parse_html(part)  # raises when Telegram would refuse it
    assert "".join(parse_html(p) for p in parts) == parse_html(text)
    return parts


def test_a_short_text_is_left_alone() -> None:
    text = "<b>燃气泄漏</b>\n请立即开窗通风 &amp; 离开"
    assert split_html(text) == [text]


def test_long_lists_are_cut_at_line_breaks() -> None:
    lines = [f"{n}. 3栋{n:04d}室 · 停水通知已送达 &lt;ok&gt;" for n in range(400)]
    text = "\n".join(lines)
    parts = _check(text, TEXT_LIMIT)
    assert len(parts) > 1
    assert all(p.endswith("\n") or p == parts[-1] for p in parts)


def test_a_tag_open_at_a_cut_is_closed_and_reopened() -> None:
    text = "<b>" + "\n".join(f"第{n}行，很重要" for n in range(300)) + "</b>"
    parts = _check(text, 1000)
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_a_line_without_breaks_is_cut_between_entities() -> None:
    text = "&amp;" * 3000
    _check(text, CAPTION_LIMIT)


def test_a_long_line_is_cut_after_a_space() -> None:
    text = " ".join(["漏水"] * 2000)
    parts = _check(text, TEXT_LIMIT)
    assert all(p.endswith(" ") for p in parts[:-1])


_words = st.text(alphabet=st.sampled_from("水电煤气 <>&*_\"'ab12"), min_size=0, max_size=40)
_line = st.tuples(st.sampled_from(["", "b", "i", "code"]), _words).map(
    lambda t: f"<{t[0]}>{escape(t[1])}</{t[0]}>" if t[0] else escape(t[1])
)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(_line, min_size=1, max_size=120), limit=st.integers(200, 1200))
def test_any_escaped_text_splits_into_parts_that_parse(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    if not parse_html(text).strip():
        return
    parts = split_html(text, limit)
    for part in parts:
        assert size(part) <= limit
        parse_html(part)
    shown = "".join(parse_html(p) for p in parts)
    assert "".join(shown.split()) == "".join(parse_html(text).split())  # nothing lost
