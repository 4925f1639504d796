"""What a correction or a follow-up changes in a report's address (`handlers/resident/base`)."""

from __future__ import annotations

import pytest

from bot.core.places import without_block
from bot.handlers.resident.base import corrected, corrections, kindred, own_home
from bot.intents import taxonomy as tx


@pytest.mark.parametrize(
    ("text", "changed"),
    [("不对，房号说错了，是1205", {"room": "1205"}), ("房号打错了，是1205不是1202", {"room": "1205"}),
     ("不对，不是3栋，是5栋", {"building": "5"}), ("sorry, wrong flat number, it's 1205", {"room": "1205"}),
     ("凑近看是油漆 应该是1502装修的工人拎桶的时候洒的", {}),
     ("哦不对 收据号是20240115-078 刚才打错了", {}),
     # the block said in full after it is named (blind DU02, DU09)
     ("不对不对 是6栋 6栋1单元 我按错了", {"building": "6-1"}),
     ("等下 我说错了 是12栋 不是2栋 12栋1单元", {"building": "12-1"}),
     # the block said after "不对" (blind EH01)
     ("窗户开了 人在楼道了 12栋..不对 13栋二单元 门牌记不清 反正是602", {"building": "13-2", "room": "602"})],
)  # fmt: skip
def test_corrected(text: str, changed: dict[str, str]) -> None:
    assert corrected(text, "CN") == changed


def test_counts_are_no_flat() -> None:
    assert corrections("my unit 120 sqm, friend in block 6", "CN", correcting=False) == {
        "building": "6"
    }


@pytest.mark.parametrize(
    ("text", "home"),
    [("我不是5栋的 我住9栋602 路过的", "9栋602 路过的"), ("還有 住 8棟 1706", "8棟 1706"),
     ("他说他住9栋 家里没人", None), ("I stay 11栋 #07-02", "11栋 #07-02")],
)  # fmt: skip
def test_own_home(text: str, home: str | None) -> None:
    assert own_home(text) == home


def test_a_typhoons_water_and_the_storm_are_one_event() -> None:
    assert kindred(tx.FLOODING, tx.NATURAL_DISASTER)
    assert not kindred(tx.FIRE, tx.GAS_LEAK)


@pytest.mark.parametrize(
    ("text", "not_fixed", "fixed", "stars"),
    [("修了一半", True, False, None), ("还是滴", True, False, None), ("好了谢谢", False, True, None),
     ("三颗星吧", False, False, 3), ("问题解决了，五星好评！", False, True, 5), ("差评", False, False, 1),
     ("不满意", False, False, 1), ("问题解决了吗？解决个屁", True, False, None), ("4分", False, False, 4)],
)  # fmt: skip
def test_typed_feedback(text: str, not_fixed: bool, fixed: bool, stars: int | None) -> None:
    from bot.flows import answers as words

    assert (words.not_fixed(text), words.fixed(text), words.stars(text)) == (not_fixed, fixed, stars)


@pytest.mark.parametrize(
    ("text", "only"),
    [("谢谢", True), ("好的 谢谢你们", True), ("Ok thank you", True), ("ありがとうございます 谢谢", True),
     ("谢谢 门口还有个包裹", False), ("谢谢 但是还在漏水 快来人", False)],
)  # fmt: skip
def test_thanks_only(text: str, only: bool) -> None:
    from bot.handlers.resident.base import thanks_only

    assert thanks_only(text) is only


@pytest.mark.parametrize(
    ("place", "old", "new", "left"),
    [("2栋东边那个电梯", "2", "12-1", "东边那个电梯"),  # blind DU09
     ("12栋东边那个电梯", "2", "5", None),  # 12栋 is not 2栋
     ("东边那个电梯", "2", "12", None), ("2号楼大堂", "2-1", "3", "大堂"),
     ("2栋", "2", "12", ""), ("2栋大堂", "2", "2-1", None), (None, "2", "12", None)],
)  # fmt: skip
def test_place_words_lose_the_block_corrected(
    place: str | None, old: str, new: str, left: str | None
) -> None:
    assert without_block(place, old, new) == left


@pytest.mark.parametrize(
    ("text", "changed"),
    [("5dong 2danyuan 1101", {"building": "5-2", "room": "1101"}),  # blind EN01
     ("7hao lou 3 dan yuan 602", {"building": "7-3", "room": "602"}),  # blind EN03
     ("wo zai 3 dong", {"building": "3"}),
     ("5dong 2danyuan 1101 13912345678", {"building": "5-2", "room": "1101", "phone": "13912345678"}),
     ("120 dong le ma", {}), ("dongxi diao le", {})],
)  # fmt: skip
def test_an_address_typed_in_pinyin_beside_a_ticket(text: str, changed: dict[str, str]) -> None:
    from bot.handlers.resident.base import corrections

    assert corrections(text, "CN", correcting=False) == changed


@pytest.mark.parametrize(
    ("text", "denied"),
    [("哦 不是 她在唱青藏高原 😂", True),  # blind EQ12
     ("No, it was the TV", True), ("不是，没事，是邻居在唱歌", True),
     ("不是 有人拿刀", False), ("不是吧 快来人", False), ("没有 他还在打人", False),
     ("不是我家是隔壁", False), ("不是 是隔壁在打架 打出血了", False)],
)  # fmt: skip
def test_a_guess_denied(text: str, denied: bool) -> None:
    from bot.flows.answers import denies_guess

    assert denies_guess(text) is denied
