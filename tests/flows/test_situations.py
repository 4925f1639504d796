"""Situations within an intent (locales/zh/situations.yaml) and the words flows read."""

from __future__ import annotations

import pytest

from bot.config import REPO_ROOT
from bot.flows.answers import asks_progress, corrects, distress, nothing_wrong, residue, worse
from bot.flows.situations import Situations
from bot.intents.normalize import TextNormalizer

SITUATIONS = Situations.load(
    REPO_ROOT / "locales" / "zh" / "situations.yaml", TextNormalizer().prepare
)


@pytest.mark.parametrize(
    ("text", "model", "intent", "situation"),
    [
        ("我真的不想活了", "unknown", "medical", "crisis"),  # forced, whatever the model said
        # blind DT01, DT11, DT05, DT08, DQ12 (twelfth round)
        ("救命 游泳池有小孩沉下去了", "medical", "medical", "drowning"),
        ("手机掉进水里了 还能修吗", "repair", "repair", None),
        ("快来人 店门口有人触电了", "medical", "medical", "electrocution"),
        ("插座会不会触电啊 孩子老去摸", "inquiry", "inquiry", None),
        ("儿童乐园 孩子从攀爬架上掉下来了 头流血", "security", "medical", "fall"),
        ("阳台花盆掉下来了 差点砸到人", "security", "security", "falling_object"),
        ("屋顶花园有个人坐在栏杆外面", "medical", "medical", "crisis"),
        ("我孩子一个人在家 我被锁在门外了", "medical", "security", "child_locked_in"),
        ("孩子一个人在家 我去楼下拿个快递", "smalltalk", "smalltalk", None),
        ("垃圾站着火了", "fire", "fire", "outdoor_fire"),
        # first aid at home (blind DY, fourteenth round)
        ("救命 孩子手被油烫了", "medical", "medical", "burn"),
        ("老公手被玻璃划了 好多血", "medical", "medical", "bleeding"),
        ("孩子喝了84消毒液", "medical", "medical", "poisoning"),
        # the twentieth round (blind EM, EN, EO): dialect, typos, pinyin, a husband
        ("俺孙子喝了水池子底下那个瓶子里的东西", "medical", "medical", "poisoning"),
        ("我电话13845678901 我爸吃了饭说头晕", "medical", "medical", None),
        ("孩子卡主了 喘不上起", "medical", "medical", "choking"),
        ("我妈刚去摸开关 叫电打咧一下", "flooding", "medical", "electrocution"),
        ("wo lao gong chu dian le", "unknown", "medical", "electrocution"),
        ("他碰了洗衣机 倒了", "medical", "medical", "electrocution"),
        ("洗衣机不转了", "repair", "repair", None),
        ("有一个脑瓜子开瓢了 满脸都是血 楼下干起来了", "medical", "security", "fight_injured"),
        ("我老公说下楼扔垃圾 一个多小时了还没回来", "lost_child", "lost_child", "missing_adult"),
        ("我老公带着孩子出去 孩子不见了", "lost_child", "lost_child", None),
        ("我们三个人 有个小孩", "elevator_trapped", "elevator_trapped", None),  # blind EN06
        ("我上去敲了 里面好像有人在哼哼 很小声", "security", "medical", "behind_door"),  # EQ02
        ("I think from downstairs, a weak voice behind the door", "security", "medical",
         "behind_door"),
        ("楼上在唱歌 哼哼的", "complaint", "complaint", None),
        ("廚房個鑊著火呀 啲油燒起咗", "fire", "fire", "pan_fire"),  # EP03: Traditional words
        # the twenty-second round (blind ER)
        ("老伴打了胰岛素没吃饭 现在一身汗 手抖 说话不清楚", "medical", "medical", "hypoglycemia"),
        ("I cut my hand with kitchen knife, the tip is still inside my palm", "security", "medical",
         "bleeding"),
        ("清洁剂喷眼睛里了 就是洗油烟机那个 好疼睁不开", "inquiry", "medical", "eye_splash"),
        ("沙子进眼睛了", "medical", "medical", None),
        ("小区里的狗把我儿子咬了 小腿 出血了", "medical", "medical", "animal_bite"),
        ("狗把沙发咬坏了", "complaint", "complaint", None),
        ("电梯卡起哒 3栋 我跟我崽在里面", "elevator_trapped", "elevator_trapped", None),  # EM06
        ("我女儿被困在电梯里了", "elevator_trapped", "elevator_trapped", "lift_relative"),
        ("孩子好像吞了个纽扣电池", "repair", "medical", "poisoning"),
        ("爷爷噎住了", "medical", "medical", "choking"),
        ("刚刷厕所 84和洁厕灵一起倒了 味道特别呛", "gas_leak", "medical", "fumes"),
        ("吃鱼卡刺了 嗓子疼", "unknown", "medical", "fish_bone"),
        ("流鼻血 止不住", "medical", "medical", "nosebleed"),
        ("你好 我是1101的保姆 孩子从上铺掉下来了 头磕了", "security", "medical", "fall"),
        ("昨天烫头发了 头皮有点疼", "medical", "medical", None),
        # animals (blind DX)
        ("救命 我女儿被狗咬了！！", "medical", "medical", "animal_bite"),
        ("对面5栋阳台上关着一只狗 快不行了", "medical", "security", "pet"),
        ("我家狗在小区吃了地上的东西 现在一直吐 还在抽", "medical", "security", "pet"),
        ("你好 想问一下 我家卫生间排风口里面好像有只猫", "fire", "security", "pet"),
        ("东门这边有五六只野狗在追小学生！！！", "security", "security", "animal"),
        ("蓝色的小颗粒 我儿子抓了一把 不知道有没有吃进去", "lost_child", "medical", "swallowed"),
        ("楼下的狗天天晚上叫到3点", "complaint", "complaint", None),
        # the estate's works (blind EA)
        ("救命 11栋后面有个老人掉井里了", "elevator_trapped", "medical", "manhole"),
        ("地下车库B2 有个电工倒在配电箱旁边", "fire", "medical", "electrocution"),
        ("配电箱冒烟了", "fire", "fire", "electrical"),
        ("我刚下班回来 家门是开着的 开了一条缝", "security", "security", "break_in"),  # blind EC01
        ("门没锁 我自己忘了锁 没事", "security", "security", None),
        # illness that comes on suddenly (blind EF, ED)
        ("你好 我老公突然说话不清楚了 嘴也歪到一边", "medical", "medical", "stroke"),
        ("我爸胸口疼 说像块石头压着 满头都是汗", "medical", "medical", "heart"),
        ("我爷爷有糖尿病 现在人有点糊涂 一身冷汗", "medical", "medical", "hypoglycemia"),
        ("孩子花生过敏 嘴都肿了 喉咙紧", "medical", "medical", "allergy"),
        ("哮喘犯了 喷雾用完了", "medical", "medical", "asthma"),
        ("My wife is pregnant 34 weeks and her water just broke", "medical", "medical", "pregnancy"),
        ("我老公吐血了 吐了一大口", "medical", "medical", "bleeding_inside"),
        ("头突然好疼 像被人打了一棍 从来没这么疼过", "medical", "medical", "headache"),
        ("救命 孩子抽了", "medical", "medical", "seizure"),
        ("这个是不是漏电了 刚才插吹风机的时候电了我一下", "inquiry", "medical", "electrocution"),  # EG02
        ("又有烧焦味了 就是下午刚修的那个开关那", "fire", "fire", "electrical"),  # EG06
        # accidents outside (blind EJ)
        ("北门那个道闸砸到我女儿头了！！！", "lost_child", "medical", "head_injury"),
        ("他好像不喘气了！！", "medical", "medical", "not_breathing"),
        ("儿童乐园的蹦床围网破了一个大口子 我儿子刚从那掉下来", "security", "security", None),
        # babies (blind EI)
        ("救命 宝宝呛奶了", "medical", "medical", "infant_choking"),
        ("孙子吃葡萄噎住了", "medical", "medical", "choking"),
        ("孙子吃葡萄噎住了 11个月", "medical", "medical", "infant_choking"),
        ("宝宝不呼吸了", "medical", "medical", "infant_not_breathing"),
        ("请问一下 宝宝从床上滚下去了 头磕了一下", "medical", "medical", "fall"),
        # English (blind EL)
        ("the baby drink bleach!! i just see him with the bottle", "security", "medical", "poisoning"),
        ("The left side of her face seems to be drooping and she's slurring her words", "medical", "medical", "stroke"),
        ("a worker got electric shock from a cable he is lying on floor", "elevator_trapped", "medical", "electrocution"),
        ("My daughter pulled the kettle, hot water on her arm", "medical", "medical", "burn"),
        ("help the door lock and baby inside alone", "elevator_trapped", "security", "child_locked_in"),
        ("Hi, my neighbour's dog just bit my hand in the lift lobby", "elevator_trapped", "medical", "animal_bite"),
        ("he got stung by bees, his face is swelling up", "medical", "medical", "allergy"),
        # Cantonese and Taiwanese in Traditional (blind EK)
        ("喂 有冇人呀 我老公突然講嘢唔清楚 右邊面好似跌咗落嚟", "medical", "medical", "stroke"),
        ("救命!!!有人哽親 講唔到嘢", "medical", "medical", "choking"),
        ("泳池有個細路遇溺!!救生員啱啱拉咗佢上嚟", "medical", "medical", "drowning"),
        ("我室友剛剛被電到", "medical", "medical", "electrocution"),
        ("我煲緊水 淥親隻手", "medical", "medical", "burn"),
        ("對面7棟有好多黑煙 好似火燭!!", "fire", "fire", "fire_opposite"),
        ("对面那家着火了", "fire", "fire", None),
        ("你好 我胸口很悶 很痛 左手也麻麻的", "medical", "medical", "heart"),
        ("刚打完麻药 嘴有点歪 说话不清楚", "medical", "medical", None),
        ("对面楼着火了 我们要不要跑", "fire", "fire", "fire_nearby"),  # blind DV01
        ("外面好大的烟 闻着像烧塑料 哪里着火了", "fire", "fire", "fire_nearby"),  # DV07
        ("楼下着火了 外面好大的烟", "fire", "fire", "smoke_outside"),  # our own building
        ("地库进水了！好像水管爆了 水哗哗往下流", "flooding", "flooding", "flood_basement"),  # DV06
        ("楼道垃圾桶着火了 烟很大", "fire", "fire", "smoke_outside"),
        ("I don't want to live anymore", "smalltalk", "medical", "crisis"),
        ("車裡鎖著一個小孩", "lost_child", "medical", "car"),  # Traditional is read too
        ("外墙瓷砖掉下来了 差点砸到人", "repair", "security", "falling_object"),
        ("洗澡的时候头好晕 热水器开着", "medical", "medical", "co"),
        ("我妈被困在电梯里了", "elevator_trapped", "elevator_trapped", "lift_relative"),
        ("我被困在电梯里了", "elevator_trapped", "elevator_trapped", None),
        ("楼上漏水 天花板在滴", "flooding", "flooding", "flood_upstairs"),
        ("楼上漏水 天花板在滴", "repair", "repair", None),  # words mark only an emergency
        ("两个人在楼道打架，其中一个头破了在流血", "medical", "security", "fight_injured"),
        ("有人在楼下打起来了", "security", "security", None),  # nobody hurt: security's own line
        ("打篮球摔倒了 膝盖流血", "medical", "medical", None),  # hurt, no fight
        ("跳楼价大甩卖", "unknown", "unknown", None),  # unless
        # no intent names a snake or a wasp nest (blind CS06, CS07): security comes, its own line
        ("楼道有蛇!!!", "unknown", "security", "animal"),
        ("我屋里阳台上有个好大的马蜂窝", "medical", "security", "animal"),
        ("There's a snake in the bike shed", "unknown", "security", "animal"),
        ("蛇年快乐 祝物业的同事们新年好", "smalltalk", "smalltalk", None),
        ("上次那个马蜂窝你们已经摘了 谢谢", "smalltalk", "smalltalk", None),
        ("家里烧蜂窝煤 头好晕", "medical", "medical", "co"),
        # an electrical fault that smokes or sparks (blind DA06, DC02, DC08, DD03): its own line
        ("插线板有股烧塑料的味道 是不是要着火了", "fire", "fire", "electrical"),
        ("個電箱頭先「噼」一聲仲有火花", "fire", "fire", "electrical"),
        ("the socket is sparking and smells burnt", "fire", "fire", "electrical"),
        ("楼道里电动车充电着火了", "fire", "fire", None),  # an e-bike: the fire's own line
        ("插座坏了 插头插不进去", "repair", "repair", None),  # words mark only an emergency
        # a generator indoors in a power cut, then a headache (blind DA12): carbon monoxide
        ("小发电机在厨房开着 我头好疼 有点想吐", "medical", "medical", "co"),
        # blind DH01, DH02, DH04: an oil pan, someone who cannot take the stairs, no breathing
        ("救命 锅着火了！！", "fire", "fire", "pan_fire"),
        ("the frying pan caught fire", "fire", "fire", "pan_fire"),
        ("我住30楼 坐轮椅 不坐电梯怎么下去", "fire", "fire", "cannot_leave"),
        ("好像没气了 胸口不动了", "medical", "medical", "not_breathing"),
        ("he is not breathing", "medical", "medical", "not_breathing"),
        ("煤气罐没气了 烧不了饭", "repair", "repair", None),  # words mark only an emergency
        # blind DE03, DE11: exposed wires; a window frame about to fall
        ("electric wires hanging out of the ceiling", "fire", "fire", "electrical"),
        ("a window frame that looks like it's about to fall off", "natural_disaster", "security",
         "falling_object"),
        # blind DJ03, DK06: smoke in the stairwell from elsewhere; not "走楼梯离开" into it
        ("楼道里全是烟！！", "fire", "fire", "smoke_outside"),
        ("8栋3单元 我住11楼 烟好像是从下面飘上来的", "fire", "fire", "smoke_outside"),
        ("the stairwell is full of smoke", "fire", "fire", "smoke_outside"),
        ("我家厨房着火了 烟都冒到楼道了", "fire", "fire", None),  # their own flat: leave it
        ("楼道里有人抽烟 呛死了", "complaint", "complaint", None),  # words mark only a fire
        # blind DO04: a seizure gets its own line (on the side, nothing in the mouth)
        ("孩子发高烧 刚才突然抽起来了 眼睛往上翻", "medical", "medical", "seizure"),
        ("my son is having a seizure", "medical", "medical", "seizure"),
        ("我爸抽烟的时候晕倒了", "medical", "medical", None),
        # blind EV06: a drunk flatmate who vomited and will not wake is turned on his side,
        # not told "不要随意搬动"; a fall keeps its own line, a sleepy child is no emergency
        ("hi 我室友喝多了 刚吐了一地 现在叫不太醒", "medical", "medical", "unconscious"),
        ("my dad passed out on the sofa and won't wake up", "medical", "medical", "unconscious"),
        ("奶奶从楼梯上摔下来 叫不醒了", "medical", "medical", "fall"),
        ("他叫不醒 好像没气了", "medical", "medical", "not_breathing"),
        ("爷爷在厕所摔了一跤 叫不醒", "medical", "medical", None),  # not rolled over
        # blind ET03: an e-bike battery burning in a shop; in the stairwell smoke keeps its line
        ("我間舖入面架電單車嘅電池著火呀，好多煙", "fire", "fire", "ebike_fire"),
        ("the e-bike in the bike shed is on fire", "fire", "fire", "ebike_fire"),
        ("楼道里的电动车着火了 烟很大", "fire", "fire", "smoke_outside"),
        ("厨房着火了 手机电池也快没电了", "fire", "fire", None),  # a kitchen fire, a phone
        # blind EX06: a cry for help from a neighbour's flat is the police now; not a game
        ("我听到女的在喊救命", "security", "security", "cry_for_help"),
        ("我听到女的在喊救命", "complaint", "complaint", None),  # not forced: the model reads it
        ("I heard a woman screaming for help next door", "security", "security", "cry_for_help"),
        ("楼上小孩玩游戏一直喊救命 吵死了", "complaint", "complaint", None),
        ("楼上老人摔倒了 在喊救命", "medical", "medical", None),  # someone hurt: medical's
        ("烟感一直响 是不是要换电池了", "fire", "fire", None),  # a smoke alarm's battery
        ("电瓶车着火了 报警器都响了", "fire", "fire", "ebike_fire"),
        # blind EY06, EY12, EY11 (measured first): a bike shed, a fight in the stairwell, a groan
        ("非机动车棚着火了", "fire", "fire", "ebike_fire"),
        ("楼梯间有人打架 有人喊救命 喊了两声就没动静了", "security", "security", "cry_for_help"),
        ("保安来了 贴门上听着好像有人哼哼", "medical", "medical", "behind_door"),
        # blind ET09: someone forcing the door of a woman alone at home; a door found ajar is
        # break_in; a locksmith is nobody's emergency
        ("有人在撬我家门 凌晨了", "security", "security", "intruder_at_door"),
        ("回家发现门被撬了", "security", "security", "break_in"),
        ("开锁师傅在撬门 好吵", "security", "security", None),
        # blind EZ07: a woman stuck in a lift with her dog is the lift's, not an animal's
        ("I'm stuck in the elevator, I have my dog with me, he's freaking out", "elevator_trapped",
         "elevator_trapped", None),
        # blind EX04: slurred speech is a stroke's sign
        ("他现在吐了 说头晕 说话有点含糊不清", "medical", "medical", "stroke"),
        ("儿子早上叫不醒 上学要迟到了", "smalltalk", "smalltalk", None),
        ("他刚才说头晕 现在叫不醒了", "medical", "medical", "unconscious"),  # dizzy, then down
        # blind DJ11, DL04: an older neighbour living alone, not seen for days
        ("对门的王老师好几天没见着了，报纸一直挂在门上，他一个人住，八十多了", "inquiry", "medical", "welfare"),
        ("楼上老太太好几天没见了 应该是回老家了", "inquiry", "inquiry", None),
        ("快递堆在门口好几天了 谁的啊", "complaint", "complaint", None),  # nobody alone said
    ],
)
def test_situations(text: str, model: str, intent: str, situation: str | None) -> None:
    found = SITUATIONS.find(text, model)
    assert (found.intent, found.situation) == (intent, situation)


def test_a_situation_denied_by_later_words() -> None:
    # blind CX02: "叔叔阿姨" is no relative; "我在电梯里面" says the writer is the one inside
    assert SITUATIONS.find("叔叔阿姨 电梯不动了", "elevator_trapped").situation is None
    assert SITUATIONS.denied("lift_relative", "我妈被困在电梯里\n我在电梯里面 就我一个人")
    assert not SITUATIONS.denied("lift_relative", "我妈被困在电梯里\n她在哭")
    assert not SITUATIONS.denied("crisis", "我不想活了\n如果")


def test_every_situation_has_its_texts() -> None:
    from bot.texts import Texts

    texts = Texts.load(REPO_ROOT / "locales")
    for s in SITUATIONS._all:
        for locale in ("zh", "en"):
            for part in ("name", "now", "full", "next"):
                assert texts.has(f"safety.{s.name}.{part}", locale), (s.name, part, locale)


def test_a_cancel_with_its_reason() -> None:
    from bot.flows.answers import is_cancel

    assert is_cancel("算了 保洁阿姨来了在拖 不用了") and is_cancel("不用了")
    assert not is_cancel("预约取消了怎么办") and not is_cancel("算了 我自己修 不用了吗")


def test_words_flows_read() -> None:
    assert nothing_wrong("没事了 误会") and not nothing_wrong("没事 我妈晕了 救命")
    assert distress("快来人啊") and not distress("谢谢")
    assert worse("味道越来越大了") and asks_progress("我的报修进度怎么样了")
    assert corrects("不对，房号说错了，是1205") and not corrects("3栋1202")


@pytest.mark.parametrize("text", ["十楼电梯厅", "10楼电梯口", "B2停车场", "3/F lobby", "负一层车库"])
def test_a_floor_and_a_place_say_nothing_more(text: str) -> None:
    assert residue(text) == ""


@pytest.mark.parametrize(("text", "left"), [("12楼有人晕倒了", "有人晕倒"), ("着火了", "着火")])
def test_what_happened_is_more_than_a_place(text: str, left: str) -> None:
    assert residue(text) == left


def test_words_are_read_as_the_message_is_and_intents_are_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "situations.yaml"
    path.write_text("wok:\n  intent: fire\n  words: [鑊着火]\n  within: [fire]\n", encoding="utf-8")
    found = Situations.load(path, TextNormalizer().prepare).find("個鑊着火呀", "fire")
    assert found.situation == "wok"  # written in Traditional, matched in Simplified
    path.write_text("wok:\n  intent: fire\n  words: [x]\n  within: [fires]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown intent"):
        Situations.load(path, TextNormalizer().prepare)
