"""Building, room and phone: extraction from messages and the parsers the flows use."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.intents import (
    Entities,
    extract_entities,
    parse_building,
    parse_location,
    parse_phone,
    parse_room,
)
from bot.intents.numerals import chinese_to_int


@pytest.mark.parametrize(
    ("text", "building", "room", "phone"),
    [
        ("3栋1202厨房有煤气味", "3", "1202", None),
        ("5座12B漏水", "5", "12B", None),
        ("2单元1803停电", "2单元", "1803", None),
        ("3栋2单元1803", "3-2", "1803", None),
        ("3號樓1202室", "3", "1202", None),
        ("三栋一二零二", "3", "1202", None),
        ("十二栋楼下有人打架", "12", None, None),
        ("第二座 1203室", "2", "1203", None),
        ("A座12楼B室", "A", "12B", None),
        ("12楼b室没水", None, "12B", None),
        ("3-1202 停水", "3", "1202", None),
        ("3#1202", "3", "1202", None),
        ("block 5 flat 12b gas smell", "5", "12B", None),
        ("room 1202 no water", None, "1202", None),
        ("电话13812345678", None, None, "13812345678"),
        ("+86 138 1234 5678 请回电", None, None, "13812345678"),
        ("我的电话 91234567", None, None, "91234567"),
        ("+852 9123 4567", None, None, "91234567"),
        ("座机020-12345678", None, None, "020-12345678"),
        ("(020)12345678", None, None, "020-12345678"),
        ("8栋2单元501 燃气泄漏 13800138000", "8-2", "501", "13800138000"),
        ("我在3楼", None, None, None),  # a floor is not a room
        ("交了1200元物业费", None, None, None),
        ("2024年3月停水", None, None, None),
        ("", None, None, None),
    ],
)
def test_extract(text: str, building: str | None, room: str | None, phone: str | None) -> None:
    found, _ = extract_entities(text)
    assert found == Entities(building, room, phone)


def test_entities_are_cut_from_the_text() -> None:
    found, rest = extract_entities("3栋1202厨房有煤气味 电话13812345678")
    assert found.building == "3"
    assert "1202" not in rest and "13812345678" not in rest
    assert "厨房有煤气味" in rest


def test_region_for_bare_hk_numbers() -> None:
    assert extract_entities("电话91234567", region="CN")[0].phone is None
    assert extract_entities("电话91234567", region="HK")[0].phone == "91234567"
    assert extract_entities("电话91234567")[0].phone == "91234567"  # None: both regions


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("13812345678", "CN", "13812345678"),
        ("+86 138 1234 5678", "CN", "13812345678"),
        ("138-1234-5678", "HK", "13812345678"),
        ("91234567", "HK", "91234567"),
        ("91234567", "CN", None),
        ("+852 9123 4567", "CN", "91234567"),
        ("020-12345678", "CN", "020-12345678"),
        ("12345678901", "CN", None),  # 1 then 2: not a mobile prefix
        ("1381234567", "CN", None),  # ten digits
        ("12345", "HK", None),
        ("", "CN", None),
    ],
)
def test_parse_phone(text: str, region: str, expected: str | None) -> None:
    assert parse_phone(text, region) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3栋1202", ("3", "1202")),
        ("5座12B", ("5", "12B")),
        ("3 1202", ("3", "1202")),
        ("3-1202", ("3", "1202")),
        ("3號樓1202室", ("3", "1202")),
        ("1202", (None, "1202")),
        ("3", ("3", None)),
        ("不知道", (None, None)),
    ],
)
def test_parse_location(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_location(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", "3"), ("三", "3"), ("3号楼", "3"), ("三栋", "3"), ("A座", "A"), ("b", "B"),
     ("Block 5", "5"), ("第十二栋", "12"), ("你好", None)],
)  # fmt: skip
def test_parse_building(text: str, expected: str | None) -> None:
    assert parse_building(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1202", "1202"), ("1202室", "1202"), ("12b", "12B"), ("room 1202", "1202"),
     ("3栋1202", "1202"), ("一二零二", "1202"), ("你好", None)],
)  # fmt: skip
def test_parse_room(text: str, expected: str | None) -> None:
    assert parse_room(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3), ("十", 10), ("十二", 12), ("二十三", 23), ("两", 2), ("一二零二", 1202),
     ("一百零五", 105), ("abc", None), ("", None)],
)  # fmt: skip
def test_chinese_numerals(text: str, value: int | None) -> None:
    assert chinese_to_int(text) == value


def test_entities_as_dict() -> None:
    assert Entities("3", None, "13812345678").as_dict() == {
        "building": "3",
        "room": None,
        "phone": "13812345678",
    }


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_extraction_never_raises(text: str) -> None:
    found, rest = extract_entities(text)
    assert isinstance(found, Entities)
    assert isinstance(rest, str)
    parse_location(text)
    parse_building(text)
    parse_room(text)
    parse_phone(text, "CN")
    parse_phone(text, "HK")


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9一二三四五六七八九十栋座号楼室单元#\- ]{0,30}", fullmatch=True))
def test_address_like_text_never_raises(text: str) -> None:
    extract_entities(text)
    parse_location(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # floor + flat on the floor
        ("12楼02", (None, "1202")),
        ("十二楼02", (None, "1202")),
        ("12层02室", (None, "1202")),
        ("3栋12楼02", ("3", "1202")),
        ("三栋十二楼02", ("3", "1202")),
        # a bare 3-4 digit number is a room, not a building
        ("一二零二", (None, "1202")),
        ("1202", (None, "1202")),
        # building-unit-room, building-room
        ("3-2-1202", ("3-2", "1202")),
        ("3栋2单元1202", ("3-2", "1202")),
        ("3-1202", ("3", "1202")),
        # building written with #
        ("#3", ("3", None)),
        ("3#", ("3", None)),
        ("3#1202", ("3", "1202")),
        ("#3 1202", ("3", "1202")),
        # not rooms or buildings
        ("13812345678", (None, None)),
        ("12点02", (None, None)),
        ("120元", (None, None)),
        ("12月3日", (None, None)),
        ("3楼20人", (None, None)),
    ],
)
def test_parse_location_resident_forms(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_location(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("一二零二", None), ("1202", None), ("120", None), ("#3", "3"), ("3#", "3"),
     ("3-2-1202", "3-2"), ("3栋12楼02", "3"), ("12楼02", None), ("13812345678", None),
     ("12点02", None), ("120元", None), ("12月3日", None)],
)  # fmt: skip
def test_parse_building_resident_forms(text: str, expected: str | None) -> None:
    assert parse_building(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("一二零二", "1202"), ("12楼02", "1202"), ("十二楼02", "1202"), ("3栋12楼02", "1202"),
     ("3-2-1202", "1202"), ("3#1202", "1202"), ("13812345678", None), ("12点02", None),
     ("120元", None), ("12月3日", None)],
)  # fmt: skip
def test_parse_room_resident_forms(text: str, expected: str | None) -> None:
    assert parse_room(text) == expected


@pytest.mark.parametrize(
    ("text", "building", "room"),
    [
        ("12楼02漏水", None, "1202"),
        ("3栋12楼02停电", "3", "1202"),
        ("3-2-1202 没水", "3-2", "1202"),
        ("#3 电梯坏了", "3", None),
        ("3#1202漏水", "3", "1202"),
        ("B栋大堂有人晕倒", "B", None),
        ("A座电梯", "A", None),
        ("12点02停电", None, None),
        ("交了120元", None, None),
        ("12月3日停水", None, None),
        ("room #3 no water", None, "3"),  # "#" after a room word: not a building
    ],
)
def test_extract_resident_forms(text: str, building: str | None, room: str | None) -> None:
    found, _ = extract_entities(text)
    assert (found.building, found.room) == (building, room)


def test_letter_building_is_cut_from_the_text() -> None:
    _, rest = extract_entities("B栋大堂有人晕倒")
    assert "b栋" not in rest and "大堂有人晕倒" in rest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我家是1202，在11栋", ("11", "1202")),  # the room before its building
        ("我是6栋的1703", ("6", "1703")),
        ("7栋 电话138", ("7", None)),  # a phone's start is not a room
    ],
)
def test_parse_location_in_resident_words(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_location(text) == expected


def test_a_phone_half_in_chinese_numerals() -> None:
    assert parse_phone("138一二三四5678") == "13812345678"
    assert parse_phone("幺三八 1234 五六七八") == "13812345678"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # flats said as words, the way voice input writes them
        ("四栋 十一楼 幺幺零三", ("4", "1103")),
        ("九栋四零二", ("9", "402")),
        ("我家四楼四零一", (None, "401")),
        ("幺幺零三", (None, "1103")),
        ("二十一栋 三单元 我家四楼四零一 他往五楼六楼去了", ("21-3", "401")),
        ("一百零五", ("105", None)),  # a number, not a flat said digit by digit
        ("3楼20人", (None, None)),
        # Hong Kong English: the floor and the flat letter
        ("Block 6 9/F Flat D", ("6", "9D")),
        ("Flat D, 9/F, Block 6", ("6", "9D")),
    ],
)
def test_parse_location_said_in_words_or_hk_english(
    text: str, expected: tuple[str | None, str | None]
) -> None:
    assert parse_location(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a house has no flat: the house is the building (盲写 CH11)
        ("别墅28号", ("28号别墅", None)),
        ("28号别墅院子漏水", ("28号别墅", None)),
        ("villa 28, the garden", ("28号别墅", None)),
        # the unit said as 门 (northern) or 梯 (Guangdong), not 东门 or 电梯
        ("7栋 3门 502", ("7-3", "502")),
        ("5栋2梯 8楼 我住801", ("5-2", "801")),
        ("12栋2门口有个人", ("12", None)),
        ("东门有人打架", (None, None)),
        # Singapore: #07-02 is the 7th floor, flat 02, not block 7
        ("I stay 11栋 #07-02", ("11", "702")),
        # the IME's 东 for 栋, not 东门 or 东边
        ("6东 3楼 楼梯那里", ("6", None)),
        ("3东门", (None, None)),
    ],
)
def test_addresses_written_otherwise(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_location(text) == expected


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # blind CW04: the address after "不对" is the one meant
        ("5栋1单元 不对 是5栋2单元 901", ("5-2", "901")),
        ("3栋1202 不对 是1205", ("3", "1205")),
        ("我不是5栋的 是3栋1202", ("3", "1202")),
        ("8栋1401 哦不对 打错了 是7栋 我老记混 7栋1401", ("7", "1401")),
        ("3栋1202 不对 电话是13812345678", ("3", "1202")),
        ("3栋1202 煤气味 不是很浓", ("3", "1202")),
        # blind CW08: an English unit before a flat number is the 单元
        ("Building 9, unit 2, 1706. Or 9-2-1706", ("9-2", "1706")),
        ("Block 3 unit 12B", ("3", "12B")),
    ],
)
def test_an_address_taken_back(text: str, where: tuple[str, str]) -> None:
    assert parse_location(text) == where


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # blind DB01: an address said to be old gives way to the one said to be now
        ("哦对了我上个月刚搬的家，以前住5栋，现在是12栋2单元803，别弄错了", ("12-2", "803")),
        ("原来是3栋1202 现在搬到5栋601了", ("5", "601")),
        ("以前住5栋1101，12栋2单元803", ("12-2", "803")),
        # no word of old or new: the first block, the first flat, as before
        ("3栋1202 楼下3栋1102也漏了", ("3", "1202")),
        # blind DB12: the resident's own home, said not to be the one meant, is no correction
        ("她住10栋1单元301 不是我那套 我的是17栋的 别弄混了", ("10-1", "301")),
        # blind DB11, DB07: an English unit of one or two digits after the block is its 单元
        ("Building 9 unit 2, 17th floor. the flat next to me, 1702. I'm in 1704", ("9-2", "1704")),
        ("Hi, I'm moving out of Building 4, Unit 1, 2203 at the end of this month.", ("4-1", "2203")),
        ("Block 3 unit 5", ("3-5", None)),
        # blind DG06: buildings counted by position are no building number
        ("进门左手第二栋 三楼", (None, None)),
        ("北门进来右手边第三栋 5楼", (None, None)),
        ("第二栋 1202", ("2", "1202")),
    ],
)
def test_the_address_meant_among_several(text: str, where: tuple[str, str | None]) -> None:
    found, _ = extract_entities(text, "CN")
    assert (found.building, found.room) == where
