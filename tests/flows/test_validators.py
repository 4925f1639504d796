"""Validators: answers residents really type, and the kind refusals."""

from __future__ import annotations

import pytest

from bot.estate import EstateRegistry
from bot.flows import validators as v

OPEN = v.Checks(region="CN", estate=EstateRegistry.empty())
HK = v.Checks(region="HK", estate=EstateRegistry.empty())
ESTATE = v.Checks(
    region="CN",
    estate=EstateRegistry.from_dict(
        {
            "buildings": {
                "1": {"floors": "1-3", "doors": ["01", "02"]},
                "5": {"rooms": ["12B"]},
                "9": {},
            }
        }
    ),
)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("3栋1202", {"building": "3", "room": "1202"}),
        ("3号楼", {"building": "3"}),
        ("三栋", {"building": "3"}),
        ("3", {"building": "3"}),
        ("A座", {"building": "A"}),
        ("3-1202", {"building": "3", "room": "1202"}),
        ("Block 5", {"building": "5"}),
    ],
)
def test_building_answers(text: str, values: dict[str, str]) -> None:
    assert dict(v.building(text, {}, OPEN).values) == values


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("asdf", "resident.invalid.building"),
        ("😭😭", "resident.invalid.building"),
        ("'; DROP TABLE residents; --", "resident.invalid.building"),
        ("1202室", "resident.invalid.building_first"),
        ("3栋" * 100, "resident.invalid.too_long"),
    ],
)
def test_building_refusals(text: str, error: str) -> None:
    assert v.building(text, {}, OPEN).error == error


def test_the_registry_catches_a_building_that_does_not_exist() -> None:
    answer = v.building("13栋", {}, ESTATE)
    assert answer.error == "resident.invalid.building_unknown"
    assert answer.error_values["known"] == "1、5、9"


def test_a_room_the_registry_does_not_know_is_dropped_from_a_building_answer() -> None:
    assert dict(v.building("1栋999", {}, ESTATE).values) == {"building": "1"}
    assert dict(v.building("1栋301", {}, ESTATE).values) == {"building": "1", "room": "301"}


@pytest.mark.parametrize(
    ("text", "slots", "values", "error"),
    [
        ("1202", {"building": "3"}, {"room": "1202"}, None),
        ("12b", {"building": "5"}, {"room": "12B"}, None),
        ("5栋803", {"building": "3"}, {"building": "5", "room": "803"}, None),
        ("hello", {"building": "3"}, None, "resident.invalid.room"),
        # a phone begun and an age are no flat (blind EH05)
        ("电话打我老婆的139 我手机快没电了", {"building": "5"}, None, "resident.invalid.room"),
        ("她78了 头磕到了 有点流血", {"building": "5"}, None, "resident.invalid.room"),
    ],
)
def test_room_answers(text: str, slots: dict[str, str], values: object, error: object) -> None:
    answer = v.room(text, slots, OPEN)
    assert answer.error == error
    if values is not None:
        assert dict(answer.values) == values


@pytest.mark.parametrize(
    ("text", "answer"),
    [("It is not a false alarm", "yes"), ("不是误报 真的着火了", "yes"), ("不是误会 真的有人在撬门", "yes"),
     ("false alarm", "safe"), ("误会了", "safe"), ("不是", "no"), ("是的", "yes")],
)  # fmt: skip
def test_a_guess_confirmed_or_not(text: str, answer: str) -> None:
    # "not a false alarm" was read as "nothing wrong": the guessed fire ended, no ticket
    assert dict(v.confirm_answer("confirmed")(text, {"intent": "fire"}, OPEN).values) == {
        "confirmed": answer
    }


def test_a_unit_at_the_room_question_is_kept_and_its_flat_asked() -> None:
    # 16栋, then "1单元" (blind EW06): not "没看懂这个房号", the unit goes with the block
    answer = v.room("1单元", {"building": "16"}, OPEN)
    assert answer.error_values.get("unit_of") == "16-1"
    assert v.room("hello", {"building": "16"}, OPEN).error_values.get("unit_of") is None


def test_the_registry_checks_rooms() -> None:
    assert v.room("401", {"building": "1"}, ESTATE).error == "resident.invalid.room_unknown"
    assert v.room("302", {"building": "1"}, ESTATE).ok
    assert v.room("7777", {"building": "9"}, ESTATE).ok  # a building with any room


@pytest.mark.parametrize(
    ("text", "checks", "phone"),
    [
        ("13812345678", OPEN, "13812345678"),
        ("138 1234 5678", OPEN, "13812345678"),
        ("+86 138-1234-5678", OPEN, "13812345678"),
        ("020-12345678", OPEN, "020-12345678"),
        ("91234567", HK, "91234567"),
        ("+852 9123 4567", OPEN, "91234567"),
        ("13812345678", HK, "13812345678"),
    ],
)
def test_phone_answers(text: str, checks: v.Checks, phone: str) -> None:
    assert dict(v.phone(text, {}, checks).values) == {"phone": phone}


@pytest.mark.parametrize("text", ["12345", "abc", "1381234567", "138123456789", "139 5712 681"])
def test_phone_refusals_in_the_mainland(text: str) -> None:
    assert v.phone(text, {}, OPEN).error == "resident.invalid.phone"


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("電話 9123 4567", "91234567"),  # a Hong Kong number, or a local landline
        ("6234 8891", "62348891"),
        ("+886 912 345 678", "+886912345678"),
        ("+65 9123 4567", "+6591234567"),
        ("0912 345 678", "0912345678"),  # a Taiwanese mobile
        ("座机 0571-8888 6666", "057188886666"),
    ],
)
def test_phone_numbers_staff_can_call_beyond_the_mainland_forms(text: str, phone: str) -> None:
    """Blind writers CB, CH and CJ gave their Hong Kong, Taiwanese, Singaporean and local
    numbers at the phone question; "号码不完整" to each of them lost the number."""
    assert dict(v.phone(text, {}, OPEN).values) == {"phone": phone}


@pytest.mark.parametrize(
    ("text", "step", "tries"),
    [
        ("6岁 穿黄色衣服 蓝裤子", "building", False),
        ("我家在2楼", "building", False),
        ("我打119了 快来人", "room", False),
        ("3栋", "building", True),
        ("1202", "room", True),
        ("停在8楼和9楼中间 按了警铃没人应", "phone", False),
        ("B区23号 白色SUV", "phone", False),
        ("139 5712 681", "phone", True),
    ],
)
def test_tries_answer_tells_a_try_from_words_about_the_danger(
    text: str, step: str, tries: bool
) -> None:
    assert v.tries_answer(text, step) is tries


@pytest.mark.parametrize(
    ("text", "value"),
    [("12楼", "12"), ("十二层", "12"), ("12", "12"), ("十二", "12"), ("我们在14楼", "14"),
     ("第三层", "3")],
)  # fmt: skip
def test_floor_answers(text: str, value: str) -> None:
    assert dict(v.floor(text, {}, OPEN).values) == {"floor": value}


@pytest.mark.parametrize(
    "text", ["着活了吧 一股糊味 呛得很", "就在草坪旁边 烧了一大堆", "10栋楼下", "孩子6岁", "119打了"]
)
def test_floor_is_not_read_in_counts_ages_buildings_or_hotlines(text: str) -> None:
    assert v.floor(text, {}, OPEN).error == "resident.invalid.floor"


def test_an_emergency_number_is_no_flat() -> None:
    assert v.room("我打119了 你们赶紧派人来把电拉了", {"building": "7"}, OPEN).error
    assert dict(v.room("120", {"building": "7"}, OPEN).values) == {"room": "120"}


def test_hong_kong_refusal_explains_the_hong_kong_format() -> None:
    assert v.phone("123", {}, HK).error == "resident.invalid.phone_hk"


@pytest.mark.parametrize(
    ("text", "answer"),
    [("是", "yes"), ("是的", "yes"), ("对", "yes"), ("Yes!", "yes"), ("是的有煤气味", "yes"),
     ("不是", "no"), ("没有", "no"), ("no", "no"), ("不是煤气", "no")],
)  # fmt: skip
def test_yes_no(text: str, answer: str) -> None:
    assert dict(v.yes_no("confirmed")(text, {}, OPEN).values) == {"confirmed": answer}


def test_yes_no_refuses_anything_else() -> None:
    assert v.yes_no("confirmed")("也许吧", {}, OPEN).error == "resident.invalid.yes_no"


def test_description_needs_words_and_is_capped() -> None:
    assert v.description("😡😡", {}, OPEN).error == "resident.invalid.description"
    long = v.description("漏" * 10_000, {}, OPEN)
    assert len(long.values["description"]) == v.MAX_DESCRIPTION + 1


def test_place_takes_the_residents_words() -> None:
    assert dict(v.place("  北门   停车场 ", {}, OPEN).values) == {"place": "北门 停车场"}
    assert v.place("!", {}, OPEN).error == "resident.invalid.place"


def test_an_emergency_number_is_no_flat_at_the_block_question() -> None:
    """"我打咗999 话号码唔啱" (blind EK11) was kept as flat 999."""
    answer = v.building("我打咗999 话号码唔啱", {}, OPEN)
    assert not answer.ok and "room" not in dict(answer.error_values)
