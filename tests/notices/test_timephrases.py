"""Chinese date and time phrases, relative to a fixed now: Saturday 2026-11-21 10:00 in Shanghai."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.notices.timephrases import parse_end, parse_moment, parse_period, scan_date, scan_period

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=TZ)  # a Saturday


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("今天9:00", at(11, 21, 9)),
        ("今天 15:30", at(11, 21, 15, 30)),
        ("明天9:00", at(11, 22, 9)),
        ("明天 9：00", at(11, 22, 9)),  # full-width colon
        ("明日上午10点", at(11, 22, 10)),
        ("后天下午3点", at(11, 23, 15)),
        ("大后天早上8点", at(11, 24, 8)),
        ("下午3点", at(11, 21, 15)),
        ("上午9:30", at(11, 21, 9, 30)),
        ("上午9点半", at(11, 21, 9, 30)),
        ("晚上8点", at(11, 21, 20)),
        ("中午12点", at(11, 21, 12)),
        ("中午1点", at(11, 21, 13)),
        ("凌晨2点", at(11, 21, 2)),
        ("明天凌晨2点", at(11, 22, 2)),
        ("今晚", at(11, 21, 20)),
        ("今晚10点", at(11, 21, 22)),
        ("明早", at(11, 22, 7)),
        ("明晚7点", at(11, 22, 19)),
        ("今晚12点", at(11, 22, 0)),
        ("半夜2点", at(11, 22, 2)),
        ("12月3日 9:00", at(12, 3, 9)),
        ("12月3号9点", at(12, 3, 9)),
        ("十二月三日九点半", at(12, 3, 9, 30)),
        ("12/3 14:00", at(12, 3, 14)),
        ("2027-01-05 08:00", at(1, 5, 8, year=2027)),
        ("2026年12月31日 23:59", at(12, 31, 23, 59)),
        ("3号 9:00", at(12, 3, 9)),  # the 3rd has passed this month: next month
        ("25号上午", at(11, 25, 9)),
        ("11月1日 9:00", at(11, 1, 9, year=2027)),  # passed this year: next year
        ("周六", at(11, 21, 10)),  # today is Saturday: from now
        ("周日上午9点", at(11, 22, 9)),
        ("星期一 8:00", at(11, 23, 8)),
        ("礼拜三下午", at(11, 25, 14)),
        ("下周一上午9点", at(11, 23, 9)),
        ("下周六", at(11, 28)),
        ("这周五", at(11, 20)),
        ("本周日 9:00", at(11, 22, 9)),
        ("下下周一", at(11, 30)),
        ("3点", at(11, 21, 15)),  # an outage notice's "3点" is the afternoon
        ("9点", at(11, 21, 9)),
        ("10点15分", at(11, 21, 10, 15)),
        ("十点一刻", at(11, 21, 10, 15)),
        ("三点二十", at(11, 21, 15, 20)),
        ("现在", at(11, 21, 10)),
        ("马上", at(11, 21, 10)),
        ("从明天9点起", at(11, 22, 9)),
        ("明天", at(11, 22)),
        ("今天", at(11, 21, 10)),
    ],
)
def test_a_start(text: str, start: datetime) -> None:
    assert parse_moment(text, NOW) == start


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("明天9:00-17:00", at(11, 22, 9), at(11, 22, 17)),
        ("明天9:00—17:00", at(11, 22, 9), at(11, 22, 17)),
        ("明天9:00~17:00", at(11, 22, 9), at(11, 22, 17)),
        ("9:00-17:00", at(11, 21, 9), at(11, 21, 17)),
        ("3点到5点", at(11, 21, 15), at(11, 21, 17)),
        ("9点到5点", at(11, 21, 9), at(11, 21, 17)),
        ("下午3点到5点", at(11, 21, 15), at(11, 21, 17)),
        ("上午9点到12点", at(11, 21, 9), at(11, 21, 12)),
        ("上午10点到2点", at(11, 21, 10), at(11, 22 - 1, 14)),
        ("明天上午9点到下午5点", at(11, 22, 9), at(11, 22, 17)),
        ("下周一上午9点至下午5点", at(11, 23, 9), at(11, 23, 17)),
        ("晚上8点到10点", at(11, 21, 20), at(11, 21, 22)),
        ("晚上8点到6点", at(11, 21, 20), at(11, 22, 6)),
        ("今晚8点到12点", at(11, 21, 20), at(11, 22, 0)),
        ("22:00-6:00", at(11, 21, 22), at(11, 22, 6)),
        ("12月3日 9:00-12月4日 18:00", at(12, 3, 9), at(12, 4, 18)),
        ("2027-01-05 08:00~2027-01-06 18:00", at(1, 5, 8, year=2027), at(1, 6, 18, year=2027)),
        ("明天9点起持续4小时", at(11, 22, 9), at(11, 22, 13)),
        ("明天9点 4个小时", at(11, 22, 9), at(11, 22, 13)),
        ("明天9点一个半小时", at(11, 22, 9), at(11, 22, 10, 30)),
        ("明天9点 半小时", at(11, 22, 9), at(11, 22, 9, 30)),
        ("明天9点 90分钟", at(11, 22, 9), at(11, 22, 10, 30)),
        ("明天9点到后天", at(11, 22, 9), at(11, 24)),
        ("10点15分到11点", at(11, 21, 10, 15), at(11, 21, 11)),
    ],
)
def test_a_period(text: str, start: datetime, end: datetime) -> None:
    period = parse_period(text, NOW)
    assert period is not None, text
    assert (period.start, period.end, period.end_given) == (start, end, True)


@pytest.mark.parametrize(
    "text", ["明天9点 待定", "明天9点，恢复时间待定", "现在 未定", "今晚 另行通知"]
)
def test_an_unknown_end_is_given_but_none(text: str) -> None:
    period = parse_period(text, NOW)
    assert period is not None and period.end_given and period.end is None


@pytest.mark.parametrize(
    "text",
    ["", "管道维修", "明天很热", "25:00", "9:61", "13月1日", "2月30日", "3栋", "下周八", "abc"],
)
def test_not_a_time(text: str) -> None:
    assert parse_period(text, NOW) is None
    assert parse_moment(text, NOW) is None


def test_a_period_leaves_the_rest_for_the_reason() -> None:
    text = "明天9:00-17:00 管道维修"
    period = scan_period(text, NOW)
    assert period is not None and text[period.stop :].strip() == "管道维修"
    assert period.end == at(11, 22, 17)


def test_scanning_from_a_position() -> None:
    text = "停水 3栋 今晚8点到10点 线路检修"
    period = scan_period(text, NOW, pos=text.index("今晚"))
    assert period is not None and (period.start, period.end) == (at(11, 21, 20), at(11, 21, 22))
    assert text[period.stop :].strip() == "线路检修"


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("17:00", at(11, 22, 17)),
        ("下午5点", at(11, 22, 17)),
        ("5点", at(11, 22, 17)),
        ("到下午5点", at(11, 22, 17)),
        ("4小时", at(11, 22, 13)),
        ("约3个小时", at(11, 22, 12)),
        ("8:00", at(11, 23, 8)),  # before the 9:00 start: the next morning
        ("明天", at(11, 23)),  # "until tomorrow": the end of that day
        ("12月23日18:00", at(12, 23, 18)),
    ],
)
def test_an_end_after_a_start(text: str, end: datetime) -> None:
    start = at(11, 22, 9)
    assert parse_end(text, NOW, start) == (True, end)


@pytest.mark.parametrize("text", ["待定", "不确定", "另行通知"])
def test_an_end_not_yet_known(text: str) -> None:
    assert parse_end(text, NOW, at(11, 22, 9)) == (True, None)


@pytest.mark.parametrize("text", ["很快", "管道维修", "", "现在"])
def test_an_end_not_understood(text: str) -> None:
    assert parse_end(text, NOW, at(11, 22, 9))[0] is False


def test_times_are_in_the_estates_zone() -> None:
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    start = parse_moment("明天9:00", utc_now.astimezone(TZ))
    assert start is not None and start.utcoffset() == timedelta(hours=8)
    assert start.astimezone(ZoneInfo("UTC")).hour == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11月1日", date(2026, 11, 1)),
        ("12月3日", date(2025, 12, 3)),  # in the past for a report: last December
        ("2026-11-01", date(2026, 11, 1)),
        ("25号", date(2026, 10, 25)),
        ("今天", date(2026, 11, 21)),
    ],
)
def test_dates_for_a_report_prefer_the_past(text: str, expected: date) -> None:
    found = scan_date(text, NOW.date(), past=True)
    assert found is not None and found[0] == expected and found[1] == len(text)


@given(
    st.integers(0, 23),
    st.sampled_from([0, 15, 30, 45]),
    st.integers(0, 23),
    st.sampled_from([0, 30]),
)
def test_any_clock_range_ends_after_it_starts(h1: int, m1: int, h2: int, m2: int) -> None:
    period = parse_period(f"明天{h1}:{m1:02d}-{h2}:{m2:02d}", NOW)
    assert period is not None and period.start is not None and period.end is not None
    assert period.start == at(11, 22, h1, m1)
    assert timedelta(0) < period.end - period.start <= timedelta(days=1)
    assert (period.end.hour, period.end.minute) == (h2, m2)


@given(st.text(max_size=30))
def test_never_raises_on_any_text(text: str) -> None:
    parse_period(text, NOW)
    parse_end(text, NOW, at(11, 22, 9))
