"""Building lists and ranges, coverage of residents, and the one-line /notice form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.notices.buildings import (
    BuildingError,
    covers,
    group_ranges,
    parse_buildings,
    scan_buildings,
)
from bot.notices.draft import PREVIEW, Draft, parse_one_line

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-5栋, 8栋", ["1", "2", "3", "4", "5", "8"]),
        ("1-5栋，8栋", ["1", "2", "3", "4", "5", "8"]),
        ("3、5栋", ["3", "5"]),
        ("3,5栋", ["3", "5"]),
        ("3栋 5栋", ["3", "5"]),
        ("三号楼和五号楼", ["3", "5"]),
        ("3号楼", ["3"]),
        ("12幢", ["12"]),
        ("A座", ["A"]),
        ("a-c座", ["A", "B", "C"]),
        ("3栋2单元", ["3-2"]),
        ("1至3栋", ["1", "2", "3"]),
        ("1~3", ["1", "2", "3"]),
        ("5,3,3", ["3", "5"]),
        ("全部", []),
        ("全部楼栋", []),
        ("所有", []),
        ("全小区", []),
        ("明天", None),
        ("管道维修", None),
        ("", None),
    ],
)
def test_building_lists(text: str, expected: list[str] | None) -> None:
    assert parse_buildings(text) == expected


@pytest.mark.parametrize("text", ["5-1栋", "1-999栋", "C-A座"])
def test_impossible_ranges_are_refused(text: str) -> None:
    with pytest.raises(BuildingError):
        parse_buildings(text)


@pytest.mark.parametrize(
    ("text", "found", "rest"),
    [
        ("3,5栋 明天9:00", ["3", "5"], " 明天9:00"),
        ("3栋 5栋 明天", ["3", "5"], " 明天"),
        ("3栋 3号 9:00", ["3"], " 3号 9:00"),  # "3号" after a space may be a date
        ("12栋 12月3日", ["12"], " 12月3日"),
        ("全部 今晚", [], " 今晚"),
    ],
)
def test_scanning_a_list_stops_at_what_follows(text: str, found: list[str], rest: str) -> None:
    result = scan_buildings(text)
    assert result is not None and result[0] == found and text[result[1] :] == rest


@pytest.mark.parametrize("text", ["3 明天", "3,5 明天"])
def test_the_one_line_form_needs_a_building_word(text: str) -> None:
    assert scan_buildings(text) is None


@pytest.mark.parametrize(
    ("notice", "building", "covered"),
    [
        ([], "7", True),
        ([], None, True),
        (["3"], "3", True),
        (["3"], "3-2", True),  # the building covers its units
        (["3-2"], "3-2", True),
        (["3-2"], "3-1", False),
        (["3-2"], "3", False),  # unit unknown: a ticket, not a guess
        (["3"], "13", False),
        (["3"], "33-1", False),
        (["3"], None, False),
    ],
)
def test_coverage(notice: list[str], building: str | None, covered: bool) -> None:
    assert covers(notice, building) is covered


def test_ranges_are_grouped_for_display() -> None:
    assert group_ranges(["5", "1", "2", "3", "8", "9", "A", "3-2"]) == [
        ("1", "3"),
        ("3-2", None),
        ("5", None),
        ("8", None),
        ("9", None),
        ("A", None),
    ]


# -- the one-line form ------------------------------------------------------------------------
def test_one_line_with_everything() -> None:
    draft = parse_one_line("停水 3,5栋 明天9:00-17:00 管道维修", NOW)
    assert draft.kind == "water" and draft.buildings == ["3", "5"]
    assert draft.starts_at == datetime(2026, 11, 22, 9, tzinfo=TZ)
    assert draft.ends_at == datetime(2026, 11, 22, 17, tzinfo=TZ) and draft.end_set
    assert draft.reason == "管道维修"
    assert draft.next_step() == "advice"  # the only thing left: what residents should do


@pytest.mark.parametrize(
    ("text", "kind", "buildings", "reason", "step"),
    [
        ("停电 全部 今晚8点到10点 线路检修", "power", [], "线路检修", "advice"),
        ("3栋 停水 明天9点 待定 水箱清洗", "water", ["3"], "水箱清洗", "advice"),
        ("停水", "water", None, None, "buildings"),
        ("停电 1-3栋", "power", ["1", "2", "3"], None, "start"),
        ("停水 5栋 明天9点", "water", ["5"], None, "end"),
        ("其他 全部 明天9:00-12:00 消防检测", "other", [], "消防检测", "advice"),
        ("管道维修", None, None, "管道维修", "kind"),
    ],
)
def test_one_line_fills_what_it_can(
    text: str, kind: str | None, buildings: list[str] | None, reason: str | None, step: str
) -> None:
    draft = parse_one_line(text, NOW)
    assert (draft.kind, draft.buildings, draft.reason) == (kind, buildings, reason)
    assert draft.next_step() == step


def test_a_draft_survives_json() -> None:
    draft = parse_one_line("停水 3,5栋 明天9:00-17:00 管道维修", NOW)
    draft.advice, draft.cluster_id = "请储水", 7
    again = Draft.from_json(draft.to_json())
    assert again == draft and again.next_step() == PREVIEW


def test_clearing_a_step_asks_it_again() -> None:
    draft = parse_one_line("停水 3,5栋 明天9:00-17:00 管道维修", NOW)
    draft.advice = "请储水"
    draft.clear("end")
    assert draft.next_step() == "end" and draft.ends_at is None
