"""Chinese date and time phrases in a manager's notice: "明天9:00-17:00", "下午3点", "今晚".

Everything is relative to `now` (an aware datetime) in the estate's time zone; results are
aware datetimes in that zone. What is understood:

- dates: 今天/今日, 明天/明日, 后天, 大后天, 今晚/今早/明早/明晚 (a date with a part of the day),
  周六/星期六/礼拜天 (the next such day, today included), 本周六/这周六, 下周六, 下下周一,
  12月3日/12月3号/十二月三日 (this year, or next year when it has passed), 12/3,
  2026-12-03 / 2026年12月3日, 3号 (this month, or next month when it has passed);
- parts of the day: 早上 上午 中午 下午 傍晚 晚上 夜里 半夜 凌晨 白天;
- times: 9:00, 9：30, 3点, 三点半, 10点15分, 十点一刻, 现在/马上 (now);
- periods: a start, then "-" "—" "~" "到" "至" and an end ("9:00-17:00", "3点到5点",
  "明天上午9点到下午5点", "22:00-6:00" ends the next morning), or a duration
  ("持续4小时", "3个小时", "一个半小时", "90分钟"), or "待定" (end unknown).

Rules for what a phrase leaves open:

- no date: today for a start; the start's date for an end (the next day if it would end
  before it starts); an end such as "5点" with neither date nor part of the day is the first
  5 or 17 o'clock after the start ("下午3点到5点" ends at 17:00, "晚上8点到6点" at 6:00 next
  morning);
- "3点" with no part of the day: 1 to 5 o'clock means the afternoon (15:00 to 17:00), the way
  an outage notice is read; "9:00" style times are always 24-hour clock;
- a part of the day alone: 上午 9:00, 下午 14:00, 今晚 20:00 ... for a start; 12:00, 18:00,
  24:00 ... for an end;
- a date alone: from now when it is today, else 00:00 for a start; 24:00 for an end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.intents.numerals import chinese_to_int

_CN = "零〇一二两三四五六七八九十"
_NUM = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})"

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, ord("："): ord(":"), ord("—"): ord("-"), ord("–"): ord("-")})
_FOLD.update({ord("－"): ord("-"), ord("～"): ord("~"), ord("點"): ord("点")})
_FOLD.update({ord(t): ord(s) for t, s in zip("時鐘號後週禮午", "时钟号后周礼午", strict=True)})


def fold(text: str) -> str:
    """Full-width and a few Traditional characters to the forms below; same length."""
    return text.translate(_FOLD)


# -- the pieces of a moment --------------------------------------------------------------
_ISO_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY_RE = re.compile(rf"({_NUM})\s*月\s*({_NUM})\s*[日号]?")
_SLASH_RE = re.compile(r"(\d{1,2})/(\d{1,2})(?![\d/])")
_RELATIVE_RE = re.compile(r"(大后天|后天|明天|明日|今天|今日|今晚|今夜|明晚|今早|明早|明晨)")
_WEEKDAY_RE = re.compile(r"(下下|下个|下|本|这个|这)?\s*(?:周|星期|礼拜)\s*([一二三四五六日天1-7])")
_DAY_RE = re.compile(rf"({_NUM})\s*[日号](?!\s*(?:楼|栋|单元))")
_DAYPART_RE = re.compile(
    r"(早上|早晨|清晨|一早|上午|中午|午后|下午|傍晚|晚上|晚间|夜里|夜间|深夜|半夜|凌晨|白天)"
)
_CLOCK_RE = re.compile(r"(\d{1,2})\s*:\s*(\d{2})(?!\d)")
_DIAN_RE = re.compile(
    rf"({_NUM})\s*[点时](?:(半)(?![个小天])|(一刻|三刻)|(\d{{1,2}}|[{_CN}]{{1,3}})(?![个半小天{_CN}\d])分?)?(?:钟)?"
)
_NOW_RE = re.compile(r"(现在|马上|立即|立刻|当前|此刻)")
_LEAD_RE = re.compile(r"\s*(?:从|自|于|由)?\s*")
_TRAIL_RE = re.compile(r"\s*(?:起|开始|左右|前后|整)?")
_SEP_RE = re.compile(r"\s*(?:-|~|到|至|until|to)\s*")
_DURATION_RE = re.compile(
    rf"[\s,，]*(?:持续|大约|约|预计|共)?\s*(\d+(?:\.\d+)?|[{_CN}]{{1,3}})?\s*(个)?\s*(半)?\s*(个)?\s*"
    r"(小时|钟头|分钟|天)"
)
_UNKNOWN_RE = re.compile(
    r"[\s,，]*(?:结束时间|恢复时间)?\s*(待定|未定|暂不确定|不确定|另行通知|未知)"
)

_RELATIVE_DAYS = {
    "今天": (0, None), "今日": (0, None), "明天": (1, None), "明日": (1, None),
    "后天": (2, None), "大后天": (3, None), "今晚": (0, "晚上"), "今夜": (0, "夜里"),
    "明晚": (1, "晚上"), "今早": (0, "早上"), "明早": (1, "早上"), "明晨": (1, "早上"),
}  # fmt: skip
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_PM = {"下午", "午后", "傍晚", "晚上", "晚间", "夜里", "夜间", "深夜", "半夜"}
_LATE_NIGHT = {"夜里", "夜间", "深夜", "半夜"}
_DAYPART_START = {
    "早上": 7, "早晨": 7, "清晨": 6, "一早": 7, "上午": 9, "中午": 12, "午后": 14, "下午": 14,
    "傍晚": 18, "晚上": 20, "晚间": 20, "夜里": 22, "夜间": 22, "深夜": 23, "半夜": 24,
    "凌晨": 1, "白天": 8,
}  # fmt: skip
_DAYPART_END = {
    "早上": 9, "早晨": 9, "清晨": 8, "一早": 9, "上午": 12, "中午": 14, "午后": 18, "下午": 18,
    "傍晚": 20, "晚上": 24, "晚间": 24, "夜里": 24, "夜间": 24, "深夜": 24, "半夜": 24,
    "凌晨": 6, "白天": 18,
}  # fmt: skip


def _int(raw: str | None) -> int | None:
    if raw is None:
        return None
    if raw.isdigit():
        return int(raw)
    return chinese_to_int(raw)


@dataclass(frozen=True, slots=True)
class _Raw:
    """A moment as written, before it is resolved against now."""

    day: date | None = None  # an explicit date
    daypart: str | None = None
    hour: int | None = None
    minute: int = 0
    clock_style: bool = False  # "9:00" (24-hour) rather than "9点"
    now: bool = False

    @property
    def empty(self) -> bool:
        return self.day is None and self.daypart is None and self.hour is None and not self.now


def _match_date(
    text: str, pos: int, today: date, *, past: bool = False
) -> tuple[date, str | None, int] | None:
    """(date, part of the day it implies, end position) of a date at `pos`.

    A date written without a year (or month) is the next such date, or with `past` the
    last one (an export of last month's requests).
    """
    if m := _ISO_RE.match(text, pos):
        day = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return (day, None, m.end()) if day else None
    if m := _MONTH_DAY_RE.match(text, pos):
        day = _nearest_year(today, _int(m[1]), _int(m[2]), past)
        return (day, None, m.end()) if day else None
    if m := _SLASH_RE.match(text, pos):
        day = _nearest_year(today, int(m[1]), int(m[2]), past)
        return (day, None, m.end()) if day else None
    if m := _RELATIVE_RE.match(text, pos):
        offset, daypart = _RELATIVE_DAYS[m[1]]
        return today + timedelta(days=offset), daypart, m.end()
    if m := _WEEKDAY_RE.match(text, pos):
        raw = m[2]
        weekday = int(raw) - 1 if raw.isdigit() else _WEEKDAYS[raw]
        monday = today - timedelta(days=today.weekday())
        prefix = m[1]
        if prefix in ("本", "这", "这个"):
            day = monday + timedelta(days=weekday)
        elif prefix in ("下", "下个"):
            day = monday + timedelta(days=7 + weekday)
        elif prefix == "下下":
            day = monday + timedelta(days=14 + weekday)
        else:
            day = today + timedelta(days=(weekday - today.weekday()) % 7)
        return day, None, m.end()
    if m := _DAY_RE.match(text, pos):
        dom = _int(m[1])
        if dom is None:
            return None
        day = _safe_date(today.year, today.month, dom)
        if day is not None and not past and day < today:
            month = today.month % 12 + 1
            day = _safe_date(today.year + (month == 1), month, dom)
        elif day is not None and past and day > today:
            month = (today.month - 2) % 12 + 1
            day = _safe_date(today.year - (month == 12), month, dom)
        return (day, None, m.end()) if day else None
    return None


def _safe_date(year: int, month: int | None, dom: int | None) -> date | None:
    if month is None or dom is None:
        return None
    try:
        return date(year, month, dom)
    except ValueError:
        return None


def _nearest_year(today: date, month: int | None, dom: int | None, past: bool) -> date | None:
    day = _safe_date(today.year, month, dom)
    if day is not None and not past and day < today:
        day = _safe_date(today.year + 1, month, dom)
    elif day is not None and past and day > today:
        day = _safe_date(today.year - 1, month, dom)
    return day


def _match_time(text: str, pos: int) -> tuple[int, int, bool, int] | None:
    """(hour, minute, 24-hour style, end position) of a time at `pos`."""
    if m := _CLOCK_RE.match(text, pos):
        hour, minute = int(m[1]), int(m[2])
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            return None
        return hour, minute, True, m.end()
    if m := _DIAN_RE.match(text, pos):
        value = _int(m[1])
        if value is None or value > 24:
            return None
        hour, minute = value, 0
        if m[2]:
            minute = 30
        elif m[3]:
            minute = 15 if m[3] == "一刻" else 45
        elif m[4]:
            minutes = _int(m[4])
            if minutes is None or minutes > 59:
                return hour, 0, False, m.start(4)
            minute = minutes
        return hour, minute, False, m.end()
    return None


def _match_moment(text: str, pos: int, today: date) -> tuple[_Raw, int] | None:
    start = pos
    pos = _LEAD_RE.match(text, pos).end()  # type: ignore[union-attr]
    if m := _NOW_RE.match(text, pos):
        end = _TRAIL_RE.match(text, m.end()).end()  # type: ignore[union-attr]
        return _Raw(now=True), end
    day: date | None = None
    daypart: str | None = None
    if found := _match_date(text, pos, today):
        day, daypart, pos = found
        pos = _skip(text, pos, r"\s*的?\s*")
    if m := _DAYPART_RE.match(text, pos):
        daypart = m[1]
        pos = _skip(text, m.end(), r"\s*")
    hour = minute = 0
    clock_style = False
    has_time = False
    if found_time := _match_time(text, pos):
        hour, minute, clock_style, pos = found_time
        has_time = True
    raw = _Raw(day, daypart, hour if has_time else None, minute, clock_style)
    if raw.empty:
        return None
    if not has_time:  # do not swallow the spaces after a bare date
        pos = len(text[:pos].rstrip()) if pos > start else pos
    pos = _TRAIL_RE.match(text, pos).end()  # type: ignore[union-attr]
    return raw, pos


def _skip(text: str, pos: int, pattern: str) -> int:
    m = re.compile(pattern).match(text, pos)
    return m.end() if m else pos


# -- resolving ---------------------------------------------------------------------------
def _resolve(raw: _Raw, now: datetime, *, is_end: bool, base: datetime | None = None) -> datetime:
    """`raw` as a datetime in `now`'s zone; an end is resolved after its start `base`."""
    tz = now.tzinfo
    if raw.now:
        return now.replace(second=0, microsecond=0)
    if base is not None:
        base = base.astimezone(tz)
    day = raw.day or (base.date() if base is not None else now.date())
    daypart = raw.daypart
    if raw.hour is None:
        if daypart is not None:
            hour = (_DAYPART_END if is_end else _DAYPART_START)[daypart]
        elif is_end:
            hour = 24
        elif day == now.date():
            return now.replace(second=0, microsecond=0)
        else:
            hour = 0
        return _at(day, hour, 0, tz)
    hour, minute = raw.hour, raw.minute
    if is_end and base is not None and raw.day is None and daypart is None and not raw.clock_style:
        # "3点到5点", "晚上8点到6点": the first such hour, morning or afternoon, after the start
        for offset in (0, 1):
            for candidate in (hour, hour + 12):
                when = _at(day + timedelta(days=offset), candidate, minute, tz)
                if when > base:
                    return when
    if daypart in _LATE_NIGHT and hour < 6:
        day += timedelta(days=1)
    elif daypart in _PM and hour < 12:
        hour += 12
    elif daypart == "中午" and 1 <= hour <= 3:
        hour += 12
    elif daypart is None and not raw.clock_style and 1 <= hour <= 5:
        hour += 12
    elif daypart in ("晚上", "半夜", "深夜") and hour == 12:
        hour = 24
    when = _at(day, hour, minute, tz)
    if is_end and base is not None and raw.day is None and when <= base:
        when += timedelta(days=1)
    return when


def _at(day: date, hour: int, minute: int, tz: tzinfo | None) -> datetime:
    extra_days, hour = divmod(hour, 24)
    return datetime.combine(day + timedelta(days=extra_days), time(hour, minute), tzinfo=tz)


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime | None
    end: datetime | None
    end_given: bool  # an end was written (a time, a duration, or "待定" which leaves it None)
    stop: int  # where the period ends in the text (the index after it)


def scan_period(text: str, now: datetime, *, pos: int = 0) -> Period | None:
    """The period written at `pos` in `text` (the rest is left for the caller), or None."""
    text = fold(text)
    today = now.date()
    found = _match_moment(text, pos, today)
    if found is None:
        return None
    raw_start, pos = found
    start = _resolve(raw_start, now, is_end=False)
    end, end_given = _scan_end(text, pos, now, start)
    if end_given:
        end_value, pos = end
        return Period(start, end_value, True, pos)
    return Period(start, None, False, pos)


def _scan_end(
    text: str, pos: int, now: datetime, start: datetime
) -> tuple[tuple[datetime | None, int], bool]:
    if m := _UNKNOWN_RE.match(text, pos):
        return (None, m.end()), True
    if m := _DURATION_RE.match(text, pos):
        delta = _duration(m)
        if delta is not None:
            return (start + delta, m.end()), True
    if m := _SEP_RE.match(text, pos):
        after = m.end()
        if u := _UNKNOWN_RE.match(text, after):
            return (None, u.end()), True
        if d := _DURATION_RE.match(text, after):
            delta = _duration(d)
            if delta is not None:
                return (start + delta, d.end()), True
        found = _match_moment(text, after, now.date())
        if found is not None:
            raw_end, end_pos = found
            if not raw_end.now:
                end = _resolve(raw_end, now, is_end=True, base=start)
                return (end, end_pos), True
    return (None, pos), False


def _duration(m: re.Match[str]) -> timedelta | None:
    number, half, unit = m[1], m[3], m[5]
    if number is None and not half:
        return None
    value = 0.0
    if number is not None:
        parsed = float(number) if number[0].isdigit() else _int(number)
        if parsed is None:
            return None
        value = float(parsed)
    if half:
        value += 0.5
    if value <= 0:
        return None
    if unit == "分钟":
        return timedelta(minutes=value)
    if unit == "天":
        return timedelta(days=value)
    return timedelta(hours=value)


def parse_period(text: str, now: datetime) -> Period | None:
    """The whole of `text` as a period ("明天9:00-17:00"), or None if any of it is not one."""
    period = scan_period(text.strip(), now)
    if period is None or period.stop != len(text.strip()):
        return None
    return period


def scan_date(
    text: str, today: date, *, pos: int = 0, past: bool = False
) -> tuple[date, int] | None:
    """A date written at `pos` ("12月3日", "2026-12-03", "明天", "周六"): (date, end position).

    With `past`, dates without a year are the last such date (for reports on what happened).
    """
    text = fold(text)
    pos = _skip(text, pos, r"\s*")
    found = _match_date(text, pos, today, past=past)
    return (found[0], found[2]) if found else None


def parse_moment(text: str, now: datetime) -> datetime | None:
    """The whole of `text` as one start moment ("下午3点"), or None."""
    period = parse_period(text, now)
    if period is None or period.end_given:
        return None
    return period.start


def parse_end(text: str, now: datetime, start: datetime) -> tuple[bool, datetime | None]:
    """An expected end written alone: (understood, when); "待定" is (True, None).

    A time with no date is on the start's day (or the next, if it would end before it
    starts); a duration ("4小时") counts from the start.
    """
    folded = fold(text.strip())
    for pattern in (_UNKNOWN_RE, _DURATION_RE):
        m = pattern.match(folded)
        if m and m.end() == len(folded):
            if pattern is _UNKNOWN_RE:
                return True, None
            delta = _duration(m)
            return (True, start + delta) if delta is not None else (False, None)
    sep = _SEP_RE.match(folded, 0)
    found = _match_moment(folded, sep.end() if sep else 0, now.date())
    if found is None or found[1] != len(folded) or found[0].now:
        return False, None
    return True, _resolve(found[0], now, is_end=True, base=start)
