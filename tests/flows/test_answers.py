"""What free answers say beyond the question: skips, places, cancels, typed buttons, details
said early (`bot/flows/answers.py`, `bot/flows/reading.py`)."""

from __future__ import annotations

import pytest

from bot.estate import EstateRegistry
from bot.flows import answers as a
from bot.flows import steps
from bot.flows import validators as v
from bot.flows.reading import DECLINE, OFFER, SKIP, read, typed_button, without_phone

OPEN = v.Checks(region="CN", estate=EstateRegistry.empty())
HK = v.Checks(region="HK", estate=EstateRegistry.empty())
BUILDING = steps.building_step()
PHONE_BUTTONS = [(OFFER, "📞 用上次的电话 138****5678"), (SKIP, "跳过")]
PLACE_BUTTONS = [(OFFER, "✅ 3栋1202 是的"), (DECLINE, "不是"), ("area", "不在家里（公共区域）")]


@pytest.mark.parametrize(
    "text",
    ["取消", "算了", "Cancel", "/cancel", "取消！", "算了 取消", "不要了 取消吧", "cancel it please",
     "我不要了", "never mind", "那就取消吧", "帮我取消一下", "please cancel my report", "不用来了"],
)  # fmt: skip
def test_cancel_words_alone_or_with_filler(text: str) -> None:
    assert a.is_cancel(text)


@pytest.mark.parametrize(
    "text",
    ["预约取消了怎么办", "不要取消", "don't cancel", "停车位取消了吗", "我的快递被取消了，怎么回事",
     "预约的维修被取消了也不通知，师傅一直没来", "有人晕倒了", "修好了"],
)  # fmt: skip
def test_cancel_inside_a_description_is_no_cancel(text: str) -> None:
    assert not a.is_cancel(text)


@pytest.mark.parametrize(
    "text", ["不用了，我自己修好了", "没事了", "已经好了，谢谢", "it's fixed, thanks"]
)
def test_resolved_by_itself(text: str) -> None:
    assert a.is_resolved(text) and not a.is_cancel(text)


@pytest.mark.parametrize("text", ["好了", "修好了吗", "修好了？", "什么时候能修好", "还没修好"])
def test_not_resolved(text: str) -> None:
    assert not a.is_resolved(text)


@pytest.mark.parametrize(
    "text", ["不知道", "不清楚", "忘了", "不方便说", "skip", "Don't know", "唔知", "not sure"]
)
def test_skip_words(text: str) -> None:
    assert a.is_skip(text)


@pytest.mark.parametrize("text", ["不知道为什么漏水", "3栋", "知道"])
def test_no_skip(text: str) -> None:
    assert not a.is_skip(text)


@pytest.mark.parametrize(
    ("text", "strength"),
    [("我在小区门口", 2), ("电梯里面", 2), ("地下车库", 2), ("north gate car park", 2), ("lobby", 2),
     ("东边那排自行车旁边", 1), ("我家厨房", 0), ("快点啊", 0), ("在家里面", 0), ("求求你们了", 0)],
)  # fmt: skip
def test_place_strength(text: str, strength: int) -> None:
    assert a.place_strength(text) == strength


@pytest.mark.parametrize(
    ("text", "words"),
    [("我在小区门口", "小区门口"), ("在小区门口不见的", "小区门口"), ("停车场B2区", "停车场B2区"),
     ("电梯里面", "电梯里面"), ("I'm at the north gate", "the north gate")],
)  # fmt: skip
def test_place_words_keep_the_place(text: str, words: str) -> None:
    assert a.place_words(text) == words


@pytest.mark.parametrize(
    ("text", "more"),
    [("我家是3栋1202啊", ""), ("我在3栋", ""), ("在电梯里面", ""), ("我喺3座1202", ""),
     ("3栋1202 又着火了", "又着火"), ("不是，是着火了", "不着火")],
)  # fmt: skip
def test_residue_is_what_an_answer_says_beyond_the_answer(text: str, more: str) -> None:
    from bot.intents.entities import extract_entities

    assert a.residue(extract_entities(text)[1]) == more


@pytest.mark.parametrize(
    ("text", "buttons", "value"),
    [("跳过", PHONE_BUTTONS, SKIP), ("不用了", PHONE_BUTTONS, SKIP), ("没有", PHONE_BUTTONS, SKIP),
     ("用上次的", PHONE_BUTTONS, OFFER), ("是的", PLACE_BUTTONS, OFFER), ("不是", PLACE_BUTTONS, DECLINE),
     ("不在家里", PLACE_BUTTONS, "area"), ("公共区域", PLACE_BUTTONS, "area"),
     ("3栋1202", PLACE_BUTTONS, None), ("是的，又冒烟了", PLACE_BUTTONS, None),
     ("Skip", [(SKIP, "Skip")], SKIP), ("home", [("area", "Not at home (common area)")], None)],
)  # fmt: skip
def test_typed_buttons(text: str, buttons: list[tuple[str, str]], value: str | None) -> None:
    assert typed_button(text, buttons, optional=False) == value


def test_skip_words_skip_only_optional_questions() -> None:
    assert typed_button("不知道", [], optional=True) == SKIP
    assert typed_button("不知道", [], optional=False) is None
    assert typed_button("没有", [], optional=True) is None  # "none" needs a skip button


def test_a_phone_at_the_building_question_is_kept_for_the_phone() -> None:
    reading = read("138 1234 5678", BUILDING, {}, OPEN, optional=True)
    assert reading.values is None and reading.gained == {"phone": "13812345678"}
    assert reading.understood and not reading.more


def test_two_answers_at_once() -> None:
    reading = read("3栋1202 电话13812345678", BUILDING, {}, OPEN)
    assert reading.values == {"building": "3", "room": "1202"}
    assert reading.gained == {"phone": "13812345678"}


def test_a_place_answers_where() -> None:
    reading = read("我在小区门口", BUILDING, {}, OPEN)
    assert reading.values is not None
    assert reading.values["place"] == "小区门口" and reading.values["area"] is True
    assert read("3栋大堂", BUILDING, {}, OPEN).values == {
        "building": "3",
        "place": "3栋大堂",
        "room": None,
    }
    inside = read("电梯里", BUILDING, {}, OPEN).values
    assert inside is not None and inside["indoor"] is True  # which building, then?


def test_a_place_at_the_room_question() -> None:
    reading = read("在电梯里面", steps.ROOM, {"building": "3"}, OPEN, optional=True)
    assert reading.values == {"room": None, "place": "电梯里面"}
    assert read("在电梯里面", steps.HOME_ROOM, {"building": "3"}, OPEN).values is None


def test_an_address_said_at_the_phone_question_fills_what_is_missing() -> None:
    reading = read("3栋1202", steps.PHONE, {"building": None}, OPEN)
    assert reading.gained == {"building": "3", "room": "1202"} and reading.values is None
    assert read("3栋1202", steps.PHONE, {"building": "5"}, OPEN).gained == {}


def test_hong_kong_number_in_english() -> None:
    assert read("my number is 91234567", steps.PHONE, {}, HK).values == {"phone": "91234567"}


@pytest.mark.parametrize(
    ("text", "rest"),
    [("北门停车场，电话13812345678", "北门停车场"), ("1202 138-1234-5678", "1202"),
     ("my number is +86 138 1234 5678", ""), ("座机 020-12345678 谢谢", "座机   谢谢")],
)  # fmt: skip
def test_without_phone(text: str, rest: str) -> None:
    from bot.intents.entities import parse_phone

    phone = parse_phone(text)
    assert phone is not None
    assert without_phone(text, phone) == rest


def test_label_parts() -> None:
    assert a.label_parts("不在家里（公共区域）") == {"不在家里公共区域", "不在家里", "公共区域"}
    assert "notathome" in a.label_parts("Not at home (common area)")
    assert "home" not in a.label_parts("Not at home (common area)")


@pytest.mark.parametrize(
    ("text", "place"),
    [("北门停车场有人晕倒了", "北门停车场"), ("我家孩子在儿童乐园不见了", "儿童乐园"),
     ("有人在停车场打架", "停车场"), ("3栋大堂有人晕倒", "3栋大堂"), ("电梯里有人晕倒了", "电梯里"),
     ("There is a fight in the car park", "the car park"), ("我家门口有煤气味", None),
     ("门口有人鬼鬼祟祟", None), ("喂 是物业吗 我老伴摔倒了", None), ("小区里有人晕倒了", None),
     ("楼上漏水了", None), ("有人晕倒了", None)],
)  # fmt: skip
def test_the_place_a_first_message_names(text: str, place: str | None) -> None:
    assert a.place_in(text) == place


def test_the_whole_estate() -> None:
    assert a.everywhere("整个小区都停水了") and a.everywhere("everywhere")
    assert not a.everywhere("3栋停水了")


@pytest.mark.parametrize(
    ("text", "declined"),
    [("电话就不留了", True), ("手机号先不给吧", True), ("不方便留电话", True), ("不用了", True),
     ("手机没电了", False), ("我的电话是138", False), ("电话", False)],
)
def test_declines_a_phone_in_a_residents_words(text: str, declined: bool) -> None:
    from bot.flows.answers import declines

    assert declines(text) is declined


@pytest.mark.parametrize(
    ("reading", "text", "expected"),
    [
        # a plea, unless it is denied (pleads and distress alike)
        ("pleads", "救命", True),
        ("pleads", "没人 快来人啊", True),
        ("pleads", "着火了很危险", True),
        ("pleads", "不急", False),
        ("pleads", "不紧急 不是大事", False),
        ("pleads", "没有危险", False),
        ("pleads", "not urgent, whenever the 師傅 is free", False),
        ("pleads", "It is not an emergency", False),
        ("pleads", "no hurry", False),
        ("distress", "救命", True),
        ("distress", "不急", False),
        # short of breath, fainting: worse, and the 120 line
        ("breathless", "他在里头说憋得慌", True),
        ("breathless", "有点喘不上气了 里面好闷", True),
        ("breathless", "he passed out", True),
        ("breathless", "人什么时候来", False),
        ("worse", "他在里头说憋得慌", True),
        # jokes of one's own and "no one to send" are nothing wrong; anger at the wait is not
        ("nothing_wrong", "开玩笑的 不是真炸", True),
        ("nothing_wrong", "我没事 别派人来了", True),
        ("nothing_wrong", "just kidding lol", True),
        ("nothing_wrong", "不用派人 没事", True),
        ("nothing_wrong", "开玩笑吧 真的着火了 救命", False),
        ("nothing_wrong", "你们开玩笑吧 怎么还没人来", False),
        # a false alarm said, and denied (blind EX12, EZ08): "not a false alarm" once ended
        # a guessed fire as nothing wrong
        ("nothing_wrong", "楼下保安说是误报", True),
        ("nothing_wrong", "虚惊一场 是锅烧干了", True),
        ("nothing_wrong", "this is not a false alarm, the smoke is real", False),
        ("nothing_wrong", "不是误报 真的着火了", False),
        ("nothing_wrong", "不是误会 真的有人在撬门", False),
        ("denies_all_clear", "It is not a false alarm", True),
        ("denies_all_clear", "不是误报 真的着火了", True),
        ("denies_all_clear", "误会了", False),
    ],
)
def test_what_residents_words_say(reading: str, text: str, expected: bool) -> None:
    assert getattr(a, reading)(text) is expected


@pytest.mark.parametrize(
    ("text", "worse", "progress", "better"),
    [
        # English words count whole: "no" is not in "now", "to" not in "today", "when" not
        # in "whenever" (each of these once made a message worse or a progress question)
        ("I want to know today", False, False, False),
        ("Is security going to check? he's still downstairs", False, False, False),
        ("not urgent, whenever the 師傅 is free", False, False, False),
        ("no one came yet", True, False, False),
        ("any update??", False, True, False),
        ("ok the 師傅 opened the door, he's out. thank you", False, False, True),
        # Traditional is read as Simplified
        ("電梯公司的人到底來了沒？", False, True, False),
        ("我妈说现在好点了 能坐起来了 你们的人到了没得", False, True, True),
    ],
)
def test_open_ticket_readings(text: str, worse: bool, progress: bool, better: bool) -> None:
    assert (a.worse(text), a.asks_progress(text), a.better(text)) == (worse, progress, better)


@pytest.mark.parametrize(
    ("text", "silent"),
    [("别打电话 他会听见", True), ("不要给我回电话 千万别打 只能打字", True), ("我是聋人 不能接电话 请打字", True),
     ("please text only, I can't talk", True), ("我电话13812345678 打给我", False), ("打电话没人接", False)],
)  # fmt: skip
def test_no_calls(text: str, silent: bool) -> None:
    assert a.no_calls(text) is silent


@pytest.mark.parametrize(
    ("text", "found"),
    [("找到了！！在南门外面公交站坐着", True), ("保安在湖边找到他了 谢谢", True), ("we found him at the gate", True),
     ("还没找到 我再去北门看看", False), ("到处找了 找不到", False),
     ("返咗喇返咗喇 喺9座同學屋企打機 電話冇電", True), ("佢仲未返嚟", False)],  # blind EZ04
)  # fmt: skip
def test_found_person(text: str, found: bool) -> None:
    assert a.found_person(text) is found


@pytest.mark.parametrize(
    ("text", "correcting"),
    [("不是5栋 是15栋 我累糊涂了", True), ("不对 是1205", True), ("不是1202，是1203", True),  # blind EZ03
     ("不是我家 是隔壁", False), ("不是着火 是有人烧纸", False)],
)  # fmt: skip
def test_corrects(text: str, correcting: bool) -> None:
    assert a.corrects(text) is correcting


@pytest.mark.parametrize(
    ("text", "worse"),
    [("烟更大了 有焦味", True), ("比昨天还严重", True), ("她说喘不上气", True),
     ("还没人来吗 我一直盯着手机", False), ("怎么还没人来", False)],
)  # fmt: skip
def test_getting_worse_is_the_danger_not_the_wait(text: str, worse: bool) -> None:
    assert a.getting_worse(text) is worse


@pytest.mark.parametrize(
    ("text", "said"),
    [("没事了", True), ("误会了 没事", True), ("我刚才跺了一下脚 没事吧", False), ("这样没事吗？", False)],
)  # fmt: skip
def test_nothing_wrong_is_said_not_asked(text: str, said: bool) -> None:
    assert a.nothing_wrong(text) is said


@pytest.mark.parametrize(
    ("text", "danger"),
    [("不是困住 就是里面空调不凉", False), ("没流血 就说腿疼", False), ("头磕破了在流血", True),
     ("他没反应了", True), ("救命", True)],
)  # fmt: skip
def test_danger_now_leaves_out_denied_words(text: str, danger: bool) -> None:
    assert a.danger_now(text) is danger


@pytest.mark.parametrize(
    ("text", "left"),
    [("商铺12号 上次工单#37问的", "商铺12号"), ("车停在地下B2-118", "车停在地下"),
     ("车牌粤B12345", "车牌"), ("收据号是20240115-078", "")],
)  # fmt: skip
def test_addressable_leaves_out_numbers_that_are_no_address(text: str, left: str) -> None:
    assert v.addressable(text).split()[:1] == left.split()[:1]
    assert "37" not in v.addressable(text) and "118" not in v.addressable(text)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("你好 报修 别墅28号", "报修 别墅28号"),
        ("在吗？我家停电了", "我家停电了"),
        ("Hi, my kitchen is on fire", "my kitchen is on fire"),
        ("有冇人啊", ""),
        ("请问一个问题", ""),
        ("你好嗎 有人嗎", ""),
        ("请问停水到几点", "请问停水到几点"),
        ("好的", "好的"),
    ],
)
def test_after_greeting(text: str, rest: str) -> None:
    assert a.after_greeting(text) == rest


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("北门停车场有人晕倒了", True),
        ("就在东门岗亭边上", True),
        ("我在地下车库B2 这里漏水很严重一直在流", True),
        ("刚才扛了桶水上楼 电梯在检修", False),
        ("这两天楼道有股味 我还以为是谁家垃圾没扔", False),
        # the place first, on its own, then what is there (blind DT02, DT11)
        ("商业街 水果店旁边 那个铁栏杆带电", True),
        ("靠近2号电梯那边 一辆白色suv 车头冒黑烟", True),
        ("楼道 有人在抽烟 呛死了", True),
    ],
)
def test_told_as_place(text: str, told: bool) -> None:
    assert a.told_as_place(text) is told


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("修好了 谢谢你们", True), ("已经好了", True), ("修好了吗？", False), ("好的 谢谢", False),
        ("来水了，但是水是黄的", False),  # blind EW10: something is still wrong
        ("The water is back but it's yellow", False),
    ],
)
def test_repaired(text: str, gone: bool) -> None:
    assert a.repaired(text) is gone


@pytest.mark.parametrize(
    ("text", "intent", "well"),
    [
        # of a stuck lift, a fire or a flood "人没事" says only that nobody is hurt (CX07)
        ("人没事 就是急", "elevator_trapped", False),
        ("大家都没事 烟还在冒", "fire", False),
        ("I'm ok", "elevator_trapped", False),
        # of a person, it is the news that ends the report
        ("他没事了", "medical", True),
        ("我没事", "medical", True),
        # said of the report itself, it is all well whatever the danger
        ("没事了 误会", "elevator_trapped", True),
        ("我没事 别派人来了 是我闻错了", "gas_leak", True),
        ("不用派人 没事", "gas_leak", True),
    ],
)
def test_all_well(text: str, intent: str, well: bool) -> None:
    assert a.all_well(text, intent) is well


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("I am alone. I am ok but little scared", False),  # fear, in a stuck lift (CX12)
        ("快来啊 好害怕", False),
        ("救命 着火了", True),
        ("help, there is smoke in the lift", True),
        ("我妈晕倒了", True),
    ],
)
def test_names_danger(text: str, named: bool) -> None:
    assert a.names_danger(text) is named


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # blind CX07, CX08, CZ05: words before the place that are no part of it are dropped
        ("我送外卖的 被关你们小区电梯里了", "电梯里"),
        ("我在7号楼坐电梯下楼", "电梯"),
        ("门禁卡刷不开小区大门了", "大门"),
        # what is part of it stays
        ("北门停车场有人晕倒了", "北门停车场"),
        ("东区门口有人晕倒", "东区门口"),
        ("西区3栋楼下有人打架", "西区3栋楼下"),
    ],
)
def test_place_in_without_the_words_before_it(text: str, place: str) -> None:
    assert a.place_in(text) == place


def test_growing_danger_and_other_matters() -> None:
    assert a.getting_worse("The smell is a lot stronger now")  # blind CZ07
    assert a.getting_worse("有人在吗？水越滴越多了")  # blind CZ01
    assert not a.getting_worse("还没人来吗")  # the wait, not the danger
    assert a.other_matter("昨晚谢谢保安 另外楼道感应灯是坏的 能不能修一下")  # blind CZ12
    assert a.other_matter("还有个事，我们11楼楼道灯也不亮了")  # blind EW07
    assert a.other_matter("one more thing, the lobby door is broken")
    assert not a.other_matter("还有事吗")  # asked, not another matter
    assert a.shaken("刚才吓死我了") and not a.shaken("楼上漏水")  # blind CX08


@pytest.mark.parametrize(
    ("text", "begun"),
    [
        ("电话 139 0571", "1390571"),
        ("139-0571", "1390571"),
        ("手机号是 138", "138"),
        ("13905", "13905"),
        ("1502", None),  # a flat, not a phone begun
        ("139", None),  # three digits alone: no phone word
        ("1381234567", None),  # ten digits: a mobile mistyped, asked again
        ("13812345678", None),  # a whole mobile
        ("电话 139 0571 明天打", None),
        ("0571 8888", None),
    ],
)
def test_a_mobile_begun_in_one_message(text: str, begun: str | None) -> None:
    assert v.phone_begun(text) == begun


def test_a_mobile_in_two_messages_is_joined_at_the_phone_question() -> None:
    first = v.phone("电话 139 0571", {}, OPEN)
    assert first.error == "resident.invalid.phone_part"
    assert first.error_values["missing"] == 4
    assert v.phone("2846", {"phone_part": "1390571"}, OPEN).values == {"phone": "13905712846"}
    assert v.phone("后四位 2846", {"phone_part": "1390571"}, OPEN).values == {
        "phone": "13905712846"
    }
    more = v.phone("0571", {"phone_part": "139"}, OPEN)
    assert more.error_values["phone_part"] == "1390571"
    # a whole number after the first digits is that number
    assert v.phone("13812345678", {"phone_part": "1390571"}, OPEN).values == {
        "phone": "13812345678"
    }


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("打了120 救护车来从哪个门进", True),
        ("119打通了 说马上到", True),
        ("119我打了 你们保安快上来", True),
        ("120说十分钟到 麻烦你们先派个人上去", True),
        ("我已经报警了", True),
        ("we called 119", True),
        ("还没打120", False),
        ("要不要打120", False),
        ("没打120", False),
        ("打120了吗", False),
    ],
)
def test_the_emergency_service_already_called(text: str, said: bool) -> None:
    assert a.called(text) is said


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("门开了 出来了 谢谢", True),
        ("we got out, thanks", True),
        ("還沒出來", False),
        ("出来了吗", False),
        ("门打不开", False),
    ],
)
def test_out_of_the_lift(text: str, out: bool) -> None:
    assert a.out_of_lift(text) is out


@pytest.mark.parametrize(
    ("text", "off"),
    [
        ("刚才那个不用了 又能刷开了", True),
        ("那个报修不用了 我自己修好了", True),
        ("刚才那个不用了 但是大堂天花板掉了", False),  # a new matter
        ("不用了 你们快来人", False),  # the phone declined, help asked for
        ("不用了吗", False),
    ],
)
def test_a_report_called_off_with_its_reason(text: str, off: bool) -> None:
    assert a.called_off(text) is off


def test_a_report_called_off_after_an_interjection() -> None:
    # blind DM04: the lift moving by itself at 1:30 a.m. was nobody's fault
    assert a.called_off("哦 不用了 吓死了还以为闹鬼")
    assert not a.called_off("哦 不用了 你们快来人")


@pytest.mark.parametrize(
    ("text", "flat"),
    [
        ("Block 9 floor 17, 1703. I alone with 2 children", "1703"),
        ("9栋 17楼 1703", "1703"),
        ("9栋 我住17楼", None),  # a floor, no flat
        ("5栋 12楼 1302", None),  # 1302 is not on the 12th floor
    ],
)
def test_a_flat_of_the_floor_said(text: str, flat: str | None) -> None:
    assert v.flat_on_floor(text) == flat


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("帮我打119 我不敢打电话 我一打电话就说不出话", "fire"),  # blind DQ01
        ("你们能帮我报警吗 我不能打电话 他会听到", "police"),  # DQ02
        ("你们会报警吗", "police"),  # DQ09
        ("你们帮我叫救护车 我是租的", "ambulance"),  # DQ05
        ("你们打了没有？？", ""),  # which one: the emergency's own
        ("Please call ambulance, 999 doesn't work here??", "ambulance"),  # DR07
        ("can you call the police", "police"),
        ("120我们没打过 你们能帮打吗", ""),  # blind EJ03: the emergency's own number
        ("119你们打了没有 我也打了", None),  # called already
        ("打了120 他们问地址", None),
        ("我打119", None),
        ("要不要打119", None),
        ("能不能直接派保安上来", None),
    ],
)
def test_asked_to_call_for_them(text: str, service: str | None) -> None:
    assert a.asks_us_to_call(text) == service


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("好了 倒了点管道疏通剂 通了", True),  # blind DK10
        ("修好了 谢谢", True),
        ("it's working again now", True),
        ("通了一点又堵了", False),
        ("修好了吗？", False),
        ("It's 11:40pm now and they are still drilling", False),  # "it's" is not "it's working"
        ("No smoke, no fire. Just one short beep. It's driving me crazy", False),
        ("通了 但是插座冒火花了", False),
    ],
)
def test_fixed_while_being_reported(text: str, gone: bool) -> None:
    assert a.fixed_itself(text) is gone


@pytest.mark.parametrize(
    ("text", "mistake"),
    [("啊 发错了 不好意思😅", True), ("发错了 sorry", True), ("sorry, sent that by mistake", True),
     ("发错了 电话是15850693127", False), ("群里说3栋着火了 发错群了吗 不知道是不是真的 好多人在问", False)],
)  # fmt: skip
def test_sent_by_mistake(text: str, mistake: bool) -> None:
    assert a.sent_by_mistake(text) is mistake


@pytest.mark.parametrize(
    ("text", "asked"),
    [("120打了 他们问地址 这个小区叫什么名字啊", True), ("打了120了 他们问地址 你们小区叫什么啊", True),
     ("不知道小区全名怎么说", True), ("they want the address, what is this place called", True),
     ("我家地址是3栋1202", False), ("小区门口有人晕倒了", False)],
)  # fmt: skip
def test_asks_where_we_are(text: str, asked: bool) -> None:
    assert a.asks_where_we_are(text) is asked


@pytest.mark.parametrize(
    ("text", "plea"),
    [("我那个马桶的单子什么时候来人", False), ("你们什么时候派人", False), ("快来人啊", True), ("救命", True)],
)  # fmt: skip
def test_asking_when_someone_comes_is_no_plea(text: str, plea: bool) -> None:
    assert a.pleads(text) is plea


@pytest.mark.parametrize(
    ("text", "asked"),
    [("我想问一下我报了几个单子", True), ("帮我查下我报了几个单子", True), ("我那个马桶的单子什么时候来人", True),
     ("show me my tickets", True), ("马桶堵了", False)],
)  # fmt: skip
def test_asks_my_tickets(text: str, asked: bool) -> None:
    assert a.asks_my_tickets(text) is asked


def test_a_lift_door_ajar_on_a_wall_is_nobody_out() -> None:
    assert not a.out_of_lift("门开了一条缝 外面是墙")  # blind ED04
    assert a.out_of_lift("门开了 出来了 谢谢")
