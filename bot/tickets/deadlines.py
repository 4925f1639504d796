"""Deadlines: emergencies on the wall clock (24/7), other requests in working time.

Working time is office hours (`OFFICE_HOURS`, local time in `TIMEZONE`) on working days.
Mainland China (REGION=CN): the `chinesecalendar` package knows the public holidays and the
make-up workdays (调休: a Saturday or Sunday that is worked); Hong Kong (REGION=HK): the
`holidays` package's HK public holidays, Saturdays and Sundays off. A year the calendar
package does not know yet falls back to Monday-Friday.

    WorkCalendar(region="CN", timezone="Asia/Shanghai", office_hours="09:00-18:00")
    .add_working_time(Friday 17:55 before Qingming, hours=9) -> the next working day 17:55
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.config import Settings

MAX_DAYS = 400  # never look further than this for working time


def parse_office_hours(text: str) -> tuple[time, time]:
    """ "09:00-18:00" -> (09:00, 18:00); a malformed value raises ValueError."""
    start, _, end = text.replace("–", "-").partition("-")
    opens, closes = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    if closes <= opens:
        raise ValueError(f"office hours must open before they close: {text!r}")
    return opens, closes


@lru_cache(maxsize=8)
def _hk_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("HK", years=year))


class WorkCalendar:
    def __init__(self, *, region: str, timezone: str, office_hours: str) -> None:
        self.region = region
        self.zone = ZoneInfo(timezone)
        self.opens, self.closes = parse_office_hours(office_hours)

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        return cls(
            region=settings.region, timezone=settings.timezone, office_hours=settings.office_hours
        )

    def is_workday(self, day: date) -> bool:
        if self.region == "HK":
            return day.weekday() < 5 and day not in _hk_holidays(day.year)
        import chinese_calendar

        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year the package does not cover yet
            return day.weekday() < 5

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def is_working_time(self, moment: datetime) -> bool:
        here = self.local(moment)
        return self.is_workday(here.date()) and self.opens <= here.time() < self.closes

    def add_working_time(self, start: datetime, *, hours: float) -> datetime:
        """`start` plus `hours` counted only in office hours on working days (UTC result)."""
        left = timedelta(hours=hours)
        here = self.local(start)
        day = here.date()
        for _ in range(MAX_DAYS):
            if self.is_workday(day):
                opens = datetime.combine(day, self.opens, self.zone)
                closes = datetime.combine(day, self.closes, self.zone)
                begin = max(here, opens)
                if begin < closes:
                    available = closes - begin
                    if left <= available:
                        return (begin + left).astimezone(UTC)
                    left -= available
            day += timedelta(days=1)
            here = datetime.combine(day, time(0), self.zone)
        return (start + timedelta(hours=hours)).astimezone(UTC)


def due_at(settings: Settings, calendar: WorkCalendar, severity: str, opened: datetime) -> datetime:
    """When a ticket opened at `opened` must be handled by."""
    if severity == "emergency":
        return opened + timedelta(seconds=settings.deadline_seconds_emergency)
    hours = (
        settings.deadline_work_hours_urgent
        if severity == "urgent"
        else settings.deadline_work_hours_normal
    )
    return calendar.add_working_time(opened, hours=hours)
