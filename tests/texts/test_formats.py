"""How a text is formatted: Babel's numbers, percentages, dates and plural rules per
locale, HTML escaping, and texts bound to a locale (`LocaleTexts`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.config import REPO_ROOT
from bot.texts import TRADITIONAL, LocaleTexts, Plural, Raw, Texts

SHANGHAI = timezone(timedelta(hours=8))
SUNDAY_MORNING = datetime(2026, 12, 6, 9, 5, tzinfo=SHANGHAI)


@pytest.fixture
def texts() -> Texts:
    return Texts(
        {
            "zh": {
                "t.count": "{n:number} 位",
                "t.share": "满意 {share:percent}",
                "t.day": "{day:date:MMMd}（{day:date:EEE}）{day:time:Hm}",
                "t.photos": "📷 已附上 {count} 张照片",
                "t.plain": "{who} 说：{words}",
                "t.only_zh": "只有中文",
            },
            "en": {
                "t.count": "{n:number} people",
                "t.share": "satisfied {share:percent}",
                "t.day": "{day:date:MMMEd} {day:time:Hm}",
                "t.photos": Plural(
                    {"one": "📷 {count} photo attached", "other": "📷 {count} photos attached"}
                ),
                "t.plain": "{who} says: {words}",
            },
        }
    )


def test_numbers_are_grouped_for_the_locale(texts: Texts) -> None:
    assert texts.get("t.count", "en", n=12345) == "12,345 people"
    assert texts.get("t.count", "zh", n=1.5) == "1.5 位"


def test_a_share_reads_as_a_percentage_with_at_most_one_decimal(texts: Texts) -> None:
    assert texts.get("t.share", "en", share=2 / 3) == "satisfied 66.7%"
    assert texts.get("t.share", "zh", share=0.9) == "满意 90%"


def test_dates_come_from_cldr_in_the_values_own_time_zone(texts: Texts) -> None:
    assert texts.get("t.day", "zh", day=SUNDAY_MORNING) == "12月6日（周日）09:05"
    assert texts.get("t.day", "en", day=SUNDAY_MORNING) == "Sun, Dec 6 09:05"
    # Traditional Chinese: the same date, the weekday as Traditional readers write it
    assert texts.get("t.day", TRADITIONAL, day=SUNDAY_MORNING) == "12月6日（週日）09:05"
    # a UTC time is shown as it is given: callers localise first (the estate's zone)
    assert texts.get("t.day", "zh", day=SUNDAY_MORNING.astimezone(UTC)).endswith("01:05")


def test_plural_forms_follow_the_locales_rules(texts: Texts) -> None:
    assert texts.get("t.photos", "en", count=1) == "📷 1 photo attached"
    assert texts.get("t.photos", "en", count=3) == "📷 3 photos attached"
    assert texts.get("t.photos", "en", count=0) == "📷 0 photos attached"
    assert texts.get("t.photos", "zh", count=1) == "📷 已附上 1 张照片"  # Chinese has one form


def test_values_are_escaped_unless_raw(texts: Texts) -> None:
    out = texts.get("t.plain", "en", who=Raw("<b>Staff</b>"), words="a < b & c")
    assert out == "<b>Staff</b> says: a &lt; b &amp; c"


def test_a_wrong_value_or_a_missing_one_never_raises(texts: Texts) -> None:
    assert texts.get("t.count", "en", n="many") == "many people"
    assert texts.get("t.day", "en", day="soon") == "soon soon"
    assert texts.get("t.count", "en") == "{n:number} people"


def test_texts_bound_to_a_locale_and_section(texts: Texts) -> None:
    t = texts.bind("en", "t")
    assert isinstance(t, LocaleTexts)
    assert t("photos", count=2) == "📷 2 photos attached"
    assert t.has("photos") and not t.has("nothing")
    assert t.get("nothing", "fallback") == "fallback"
    assert t("only_zh") == "只有中文"  # a key missing in a locale falls back to the default
    assert t.section("")("t.count", n=3) == "3 people"
    numbers = texts.bind("zh", "t", defaults={"who": "住户"})
    assert numbers("plain", words="停水了") == "住户 说：停水了"
    assert numbers("plain", who="保安", words="好") == "保安 说：好"


def test_a_button_label_is_plain_text(texts: Texts) -> None:
    t = texts.bind("en", "t")
    assert t.plain("plain", who="A&B", words="<ok>") == "A&B says: <ok>"


def test_the_projects_notice_dates_read_as_before_in_chinese() -> None:
    """The weekday list in YAML is gone; CLDR gives the same Chinese date."""
    texts = Texts.load(REPO_ROOT / "locales")
    assert texts.get("notices.date", "zh", day=SUNDAY_MORNING) == "12月6日（周日）"
    assert texts.get("notices.time", "zh", at=SUNDAY_MORNING) == "09:05"
    assert texts.get("notices.date", "en", day=SUNDAY_MORNING) == "Sun, Dec 6"
