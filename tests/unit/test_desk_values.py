"""The staff desk's values: the working calendar, teams, the duty roster, /open filters,
digest times and the new ticket buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.tickets import buttons as tk
from bot.tickets.deadlines import WorkCalendar, parse_office_hours
from bot.tickets.digest import digest_times
from bot.tickets.handover import note_text
from bot.tickets.roster import Roster
from bot.tickets.teams import Teams
from bot.tickets.timeline import OpenFilter

CN = WorkCalendar(region="CN", timezone="Asia/Shanghai", office_hours="09:00-18:00")
HK = WorkCalendar(region="HK", timezone="Asia/Hong_Kong", office_hours="09:00-18:00")


def shanghai(*args: int) -> datetime:
    """A Shanghai wall-clock time as UTC (UTC+8, no daylight saving)."""
    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def test_mainland_holidays_and_make_up_workdays() -> None:
    assert CN.is_workday(date(2026, 4, 3))  # Friday before Qingming
    assert not CN.is_workday(date(2026, 4, 6))  # Qingming Monday
    assert CN.is_workday(date(2026, 10, 10))  # a Saturday worked (调休)
    assert not CN.is_workday(date(2026, 10, 5))  # National Day week


def test_working_time_skips_nights_weekends_and_holidays() -> None:
    friday = shanghai(2026, 4, 3, 17, 55)
    assert CN.add_working_time(friday, hours=2) == shanghai(2026, 4, 7, 10, 55)
    assert CN.add_working_time(friday, hours=9) == shanghai(2026, 4, 7, 17, 55)
    night = shanghai(2026, 11, 24, 22, 0)  # a Tuesday night
    assert CN.add_working_time(night, hours=1) == shanghai(2026, 11, 25, 10, 0)
    # a make-up Saturday counts
    assert CN.add_working_time(shanghai(2026, 10, 9, 17, 0), hours=2) == shanghai(
        2026, 10, 10, 10, 0
    )
    assert CN.is_working_time(shanghai(2026, 10, 10, 10, 0))


def test_hong_kong_public_holidays() -> None:
    assert not HK.is_workday(date(2026, 4, 6))  # Easter Monday
    assert not HK.is_workday(date(2026, 10, 10))  # a Saturday, no make-up days in HK
    assert HK.is_workday(date(2026, 4, 8))


def test_office_hours_must_be_a_range() -> None:
    assert parse_office_hours("08:30-17:30")[0].hour == 8
    with pytest.raises(ValueError):
        parse_office_hours("18:00-09:00")


def test_teams_route_by_intent_and_building() -> None:
    teams = Teams.from_mapping(
        {
            "teams": {
                "east": {"chat_id": "-1", "intents": ["repair"], "buildings": ["1栋", 2]},
                "west": {"chat_id": "-2", "intents": ["repair", "complaint"]},
            },
            "people": {"张师傅": 501},
        }
    )
    assert teams.route("repair", "1").key == "east"  # type: ignore[union-attr]
    assert teams.route("repair", "7").key == "west"  # type: ignore[union-attr]
    assert teams.route("gas_leak", "1") is None
    assert teams.of_chat("-2").key == "west"  # type: ignore[union-attr]
    assert teams.person("@张师傅") == ("501", "张师傅") == teams.person("501")
    assert teams.person("nobody") is None
    with pytest.raises(ValueError):
        Teams.from_mapping({"teams": {"x": {"intents": ["repair"]}}})


def test_the_roster_covers_overnight_shifts_and_teams() -> None:
    roster = Roster.from_mapping(
        {
            "shifts": [
                {"days": ["fri"], "from": "18:00", "to": "09:00", "people": ["1"]},
                {"from": "09:00", "to": "18:00", "people": ["2"]},
                {"team": "security", "from": "00:00", "to": "23:59", "people": ["3"]},
            ]
        },
        "Asia/Shanghai",
    )
    assert roster.on_duty(shanghai(2026, 11, 27, 23, 0)) == ["1"]  # Friday night
    assert roster.on_duty(shanghai(2026, 11, 28, 8, 0)) == ["1"]  # ... Saturday morning
    assert roster.on_duty(shanghai(2026, 11, 28, 20, 0)) == []  # Saturday night: nobody
    assert roster.on_duty(shanghai(2026, 11, 28, 10, 0), "security") == ["2", "3"]


def test_open_filters_parse() -> None:
    assert OpenFilter.parse("") == OpenFilter()
    assert OpenFilter.parse("mine 紧急") == OpenFilter(mine=True, urgent=True)
    assert OpenFilter.parse("3栋").building == "3"
    assert OpenFilter.parse("超时，待接单") == OpenFilter(overdue=True, unclaimed=True)


def test_digest_times_and_note_markers() -> None:
    assert [t.hour for t in digest_times("20:00, 08:00,08:00")] == [8, 20]
    assert digest_times("") == []
    assert note_text("// 有狗") == "有狗" and note_text("#内部：欠费") == "欠费"
    assert note_text("马上到") is None


def test_desk_buttons_parse() -> None:
    assert tk.parse_button("tk:unclaim:3") == tk.TicketButton("unclaim", 3)
    assert tk.parse_button("tk:close:3:false_alarm") == tk.TicketButton("close", 3, "false_alarm")
    assert tk.parse_button("tk:close:3:resolved") is None
    assert tk.parse_button("tk:quote:3:yes") == tk.TicketButton("quote", 3, "yes")
    assert not tk.TicketButton("quote", 3, "yes").for_staff
    assert tk.parse_button("tk:unclaim:3:x") is None
