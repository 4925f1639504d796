"""The words of answers, beyond buildings, rooms and phones (those are `bot.intents.entities`).

A frightened resident does not answer like a form: "不知道", "跳过" typed instead of
pressed, "我在小区门口" for "which building?", "算了 取消", "我家是3栋1202啊". These word
lists and small functions tell the flow engine what such an answer says:

- `is_skip` "I don't know / skip" (any optional question); `declines` "no need / none"
  (a question with a skip button, such as the phone);
- `place_strength` whether the words name a place outside the flats (门口, 车库, lobby: 2)
  or only point somewhere (旁边, 下面: 1); `indoor` a place inside a building (电梯, 大堂);
- `residue` what is left once the answer's own words are taken out (address, place, filler):
  empty means the message only answered; otherwise it said something more;
- `matches_label` typed text that is a button's label, or a part of it ("不在家里").

Matching is on `squash`ed text (case- and width-folded, no spaces or punctuation); English
words are matched whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bot.flows.validators import squash
from bot.intents.normalize import TextNormalizer
from bot.intents.numerals import to_arabic

# "I don't know" / "skip": skips any optional question (Mandarin, Cantonese, English)
SKIP_WORDS = frozenset(
    """
    跳过 跳过吧 先跳过 略过 不知道 我不知道 不知道啊 不晓得 不清楚 我不清楚 不太清楚 说不清 说不清楚
    忘了 忘记了 我忘了 不记得 不记得了 记不清 记不清了 记不得 不确定 不太确定 不方便 不方便说
    不想说 不告诉你 保密 没法说 不好说 搞不清 看不到 看不清 不认识 不懂
    唔知 唔知道 唔清楚 唔记得 唔记得咗 唔肯定 唔方便 跳过咗
    skip pass dontknow idontknow idk dunno noidea notsure imnotsure unsure unknown forgot
    iforgot cantremember dontremember nottelling rathernotsay prefernottosay
    """.split()
)
# "no need / none / won't leave one": the answer to a question with a skip button
NONE_WORDS = frozenset(
    """
    不用 不用了 不需要 不要 不要了 没有 没 无 没有电话 不留 不留了 不想留 不给 不想给 不方便 不方便留 不方便给 不必 免了
    唔使 唔使喇 唔使了 唔要 冇 冇电话 唔留
    no nope none nothanks noneed notnow nophone nonumber later
    """.split()
)
# yes to what a button offers ("还是在3栋1202吗?" "是的"); the offer's own words
OFFER_WORDS = frozenset(
    """
    用上次的 用上次 上次的 用这个 就用这个 就这个 用原来的 原来的 老号码 老地址 还是 还是这个 没变 一样
    照旧 用返 同上次 用上次的电话 上次的电话 用之前的 之前的 以前的 用原来的电话 老电话 用这个号码 就这个号码
    same usethat usethis useit sameasbefore thesame
    """.split()
)
# "not that any more" to what a button offers (a remembered address)
MOVED_WORDS = frozenset("换了 搬了 搬家了 不在这 不在那 不在那里 变了 改了 changed moved".split())
# the whole estate, not one building ("整个小区都停水了")
EVERYWHERE = frozenset(
    """
    整个小区 全小区 整个园区 所有楼 所有的楼 每栋 每一栋 全部楼 全部 都停了 到处 好多栋 几栋都
    成个屋苑 全个屋苑 wholeestate entireestate everywhere allblocks allbuildings
    """.split()
)

# places outside the flats: naming one answers "where?" at once
PLACES = frozenset(
    """
    门口 大门 北门 南门 东门 西门 侧门 正门 后门 小门 门岗 门卫 门卫室 保安亭 保安室 岗亭 值班室
    大堂 门厅 大厅 电梯 电梯里 电梯间 电梯厅 电梯口 轿厢 楼道 楼梯 楼梯间 楼梯口 后楼梯 走廊 过道 连廊
    天台 楼顶 屋顶 顶楼 平台 架空层 地下室 地库 车库 地下车库 停车场 停车位 车位 车棚 单车棚 充电桩
    花园 公园 园区 绿化带 草坪 草地 树林 广场 中庭 会所 泳池 游泳池 健身房 球场 篮球场 网球场 羽毛球场
    儿童乐园 游乐场 游乐区 滑梯 凉亭 亭子 水池 喷泉 小河 河边 湖边 垃圾房 垃圾站 垃圾桶 快递柜
    物业 物业中心 物业办公室 管理处 服务中心 商铺 超市 便利店 幼儿园 菜市场 消防通道 楼下 单元门
    路上 马路 路边 路口 小路 人行道 小区里 小区内 小区外 出口 入口 围墙 快递站 球场边
    𨋢 𨋢度 𨋢入面 街 街口 公园度 平台花园 后巷
    商业街 底商 店门口 屋顶花园 空中花园 天台花园 负一楼 负二楼 负三楼 负一层 负二层 负三层 地下一层 地下二层
    lobby entrance gate gates lift elevator stairs staircase stairwell corridor hallway garden
    playground clubhouse pool gym podium rooftop roof basement carpark garage parking driveway
    outside street road park
    """.split()
)
# places inside a building: "which building?" still matters (电梯 of which block?)
INDOOR = frozenset(
    """
    大堂 门厅 大厅 电梯 电梯里 电梯间 电梯厅 电梯口 轿厢 楼道 楼梯 楼梯间 楼梯口 后楼梯 走廊 过道
    天台 楼顶 屋顶 顶楼 架空层 地下室 单元门 楼下 𨋢 𨋢度 𨋢入面
    lobby lift elevator stairs staircase stairwell corridor hallway rooftop roof basement
    """.split()
)
# words that only point somewhere: a place once said twice (after one gentle re-ask)
POINTERS = frozenset(
    """
    旁边 边上 旁 附近 对面 前面 后面 下面 上面 里面 外面 底下 门前 这边 那边 东边 西边 南边 北边
    左边 右边 左手边 右手边 拐角 角落 尽头 中间 侧面 隔壁 入面 出面 侧边 对开 附近 楼下
    near next beside behind opposite outside corner front
    """.split()
)
# the flat itself: not a public place
HOME = frozenset(
    "家 家里 屋里 屋企 房间 卧室 厨房 卫生间 厕所 客厅 阳台 书房 home flat apartment".split()
)

# words around an answer that say nothing more ("我家是3栋1202啊", "my number is ...")
FILLER = frozenset(
    """
    我 我们 我家 我的 我是 我住 住 住在 在 喺 就在 人在 是 就是 系 的 地 了 啊 呀 吧 呢 哦 噢 嗯 喔 啦 喇
    咗 嘅 哋 呢度 嗰度 那 那个 这 这个 这里 那里 这儿 那儿 就 哦哦 嗯嗯 好 好的 对 对的 请 麻烦 谢谢
    家 家里 屋企 小区 位置 地方 地址 电话 电话是 手机 手机号 号码 号 联系 联系方式 联系电话 打 打我
    栋 楼 号楼 室 房 单元 层 座 好像 好像是 应该 应该是 可能 可能是 大概 大概是 估计 估计是 差不多
    i im i'm am is at in on the a my our we number phone mobile tel call me it its flat block
    room unit floor tower building please thanks
    """.split()
)
CANCEL = frozenset(
    """
    取消 算了 不用了 退出 结束 不要了 不报了 不修了 不弄了 不用来了 不需要了 唔要了 唔使嚟了
    cancel stop quit exit nevermind forgetit
    """.split()
)
# "修好了": a request that resolved itself (ends a repair or a complaint, never an emergency)
RESOLVED = frozenset(
    """
    修好了 已经修好了 自己修好了 弄好了 自己弄好了 已经好了 解决了 已经解决了 没事了 没问题了
    恢复了 有水了 来电了 来水了 水来了 有电了 电来了 整好咗 搞掂咗 冇事了 弄通了 疏通了 通好了 自己搞定了
    fixed solved resolved sorted
    """.split()
)
CANCEL_FILLER = frozenset(
    """
    吧 了 啊 呀 哦 噢 嗯 呢 啦 喇 我 我们 那 那就 就 先 还是 帮我 请 麻烦 这个 这次 一下 好 好的 谢谢
    行 没事 报修 投诉 求助 申请 订单 工单 全部 都 掉 唔该 自己 已经 现在 刚才 不好意思
    please just i want to it this the my our ok okay now report request ticket thanks thank you
    never mind forget sorry all its it's already
    """.split()
)
# "nothing is wrong": the only answers that end a guessed emergency without a ticket
NOTHING_WRONG = frozenset(
    """
    没事 没事了 没有事 没危险 没有危险 没什么事 误会 误会了 搞错了 弄错了 按错了 发错了 打错了 点错了
    不是紧急 不紧急 没有紧急情况 一切正常 都正常 没问题 冇事 冇事呀 冇嘢 唔緊要 唔紧要 沒事
    开玩笑的 开个玩笑 开玩笑啦 我开玩笑 闹着玩的 别派人 不用派人 不要派人 唔使派人 講笑
    莫得事 没得事 没啥事 没什么事了 乱发的 乱发 误发 乱按的 好好的 没有着火 没着火
    误报 虚惊一场 假警报 誤報
    """.split()
) | frozenset(
    ("nothing wrong", "nothing's wrong", "all good", "all fine", "im fine", "i'm fine",
     "false alarm", "by mistake", "wrong button", "no emergency", "not an emergency",
     "just kidding", "only joking", "just joking", "don't send anyone", "dont send anyone")
)
# pleas: someone asks for help, is afraid or in a hurry; they say there is danger, not which
PLEAS = frozenset(
    """
    救命 救救 快来 快点来 快派人 帮帮我 帮帮忙 好害怕 害怕 危险 紧急 很急 急死了 急急 来人
    报警 打110 打119 打120 打999
    快來 快點來 幫幫我 幫幫忙 危險 緊急 來人 快啲嚟 報警
    help urgent emergency hurry scared danger dangerous sos
    """.split()
)
# words of someone in distress: a report that keeps being an emergency whatever else it says
DISTRESS = PLEAS | frozenset(
    """
    出人命 受伤 流血 喘不上气 不能动 动不了 晕了 昏迷 没反应 叫不醒 着火 冒烟 爆炸 出不去 困住 被困 打人 有刀
    报警 救护车
    bleeding unconscious trapped
    """.split()
)
_DANGER = DISTRESS - PLEAS  # distress beyond the pleas (which may be denied: "不急")
# a danger named, in English (beside an open emergency a new one needs one: "I am ok but
# little scared" in a stuck lift is no lost child)
_DANGER_NAMED = _DANGER | frozenset(
    ("fire", "smoke", "flames", "burning", "gas", "flood", "flooding", "collapsed",
     "fainted", "not breathing", "knife", "gun", "attacked", "break-in", "broke in", "missing",
     "seizure", "convulsing", "fitting", "stroke", "chest pain", "choking", "unresponsive")
) | frozenset(
    # a body in danger (blind DO04: "先别管水管了！！孩子发高烧 刚才突然抽起来了 眼睛往上翻"
    # beside an open flood ticket stayed "➕ 也提到" without the line)
    """
    抽搐 抽起来 抽过去 抽风 惊厥 翻白眼 眼睛往上翻 口吐白沫 发高烧 高烧 晕倒 昏倒 中风 胸口疼 胸口痛 胸痛
    噎住 呛住 过敏 休克 骨折 火花 冒火 打火 漏电 触电
    """.split()
) | frozenset(
    ("sparks", "sparking", "electric shock", "electrocuted")
)
# an open emergency getting worse, or help taking too long: staff are alerted again
WORSE = frozenset(
    """
    更浓 更大 更多 更严重 更厉害 越来越 加重 严重了 又来了 又有 又冒 又闻到 又开始 还在冒 还在漏 还在流 蔓延 烧过来
    扩大 喘不过气 不行了 撑不住 怎么还没 还没来 还没人来 还没有人来 快点来 没人来 等了好久
    还严重 更快 又漏了 越漏越 越滴越 越流越 越积越 越冒越 越来越多 滴得很快 流得很快 越下越
    叫不醒 叫不太醒 叫不应 叫他不应 没反应了 不省人事 昏过去 晕过去了 不动了 没气了 喘不上气
    """.split()
) | frozenset(
    ("worse", "spreading", "getting bigger", "nobody", "no one came", "no one has come",
     "no one is coming", "hurry", "stronger", "thicker", "more and more", "rising")
)
# the resident asks for the ticket to be closed
CLOSE = frozenset(
    "可以关了 可以关单 关单吧 关了吧 关掉吧 把单关了 工单关了 可以閂咗 撤了吧 撤单 撤销吧 撤掉吧 帮我撤了 单子撤了"
    " 取消吧 取消报修 取消工单 取消预约 不用来了 不用过来了 不用上门了 不用派人来了 唔使嚟了"
    .split()
) | frozenset(("close the ticket", "close it", "you can close", "cancel the ticket"))
# the danger easing: passed on, not taken for "worse"
BETTER = frozenset(
    """
    好点了 好多了 好些了 好一点了 缓过来 能坐起来 醒了 醒过来 灭了 扑灭 不冒烟了 不漏了 不流了 止住了
    出来了 救出来 放出来 找到了 找着了 回来了 好返 搵到
    """.split()
) | frozenset(
    ("better now", "feeling better", "got out", "is out", "he's out", "she's out", "found him",
     "found her", "found them", "put out", "stopped")
)
# breathing trouble at the scene (a lift, smoke)
SHORT_OF_BREATH = frozenset(
    """
    憋得慌 憋得难受 憋死 喘不上气 喘不过气 透不过气 透不上气 上不来气 呼吸困难 喘不动 好闷 闷得慌
    透唔到气 喘唔到气
    """.split()
) | frozenset(("can't breathe", "cannot breathe", "hard to breathe", "short of breath"))
# someone short of breath, fainting or bleeding: whatever the emergency, the 120 line
BREATHLESS = SHORT_OF_BREATH | frozenset(
    """
    晕过去 晕倒 昏过去 昏倒 叫不醒 没反应 没有反应 不省人事 流血 好多血 吐血 抽搐
    晕咗 冇反应 昏迷 嘴唇发紫 嘴唇紫了 嘴唇有点紫 嘴唇有点发紫 嘴唇都紫了 脸发紫 脸都紫了 都发紫了 冻得发紫
    """.split()
) | frozenset(("passed out", "fainted", "unconscious", "bleeding", "lips are blue", "turning blue"))
# the resident asks how their ticket is going
PROGRESS = frozenset(
    """
    进度 还在吗 在吗 在不在 怎么样了 什么时候来 什么时候到 到哪了 到哪里了 有人吗 有人管吗 我的工单 我的报修 多久
    处理了吗 处理得怎么样 来了没 来了吗 安排了吗 有消息吗 怎么没人 几点来 到了没 到没到 人呢 跟进
    """.split()
) | frozenset(("status", "update", "anyone there", "any news", "how long", "when will"))
# "not that, it is ...": a correction of an answer already given
CORRECTION = frozenset(
    """
    不对 不是这个 错了 说错 写错 打错 搞错 弄错 应该是 更正 改成 改为 其实是 纠正 唔啱 打錯
    wrong actually correction meant
    """.split()
)
# a question of the resident's own, asked in the middle of answering ours
QUESTION = frozenset("怎么 怎样 如何 吗 么 什么 多少 几点 哪里 哪儿 能不能 可不可以 可以吗 请问 要不要 使唔使 可唔可以 行不行 好不好 对不对 是不是 咋办 咋整 咋弄 ? ？ how what when where can should".split())
MAX_CANCEL_CHARS = 12  # "取消" inside a longer message is a description ("预约取消了怎么办")
MAX_CANCEL_REASON_CHARS = 30  # "算了 <why> 不用了": a cancel with its reason
_CANCEL_ENDS = ("算了", "不用了", "不需要了", "取消吧", "算了吧", "不用来了")
"""Words that open and close a cancel with its reason."""
_THAT_CANCELLED = re.compile(
    r"^(?:哦|噢|喔|啊|哎|唉|嗯|那|呃)*(?:刚才|刚刚|之前)?(?:那个|这个|的|报的|说的)*(?:报修|投诉|单子|工单|事)?"
    r"(?:先|就)?(?:不用了|不需要了|不用修了|不用来了|算了)"
)
"""A message that opens by calling the report off ("刚才那个不用了 又能刷开了")."""
_NEW_MATTER = ("但是", "可是", "不过", "还有", "另外", "对了")

_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _split(words: Iterable[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """(CJK words, longest first; English words) of a word list."""
    cjk = sorted((w for w in words if not w.isascii()), key=len, reverse=True)
    return tuple(cjk), frozenset(w for w in words if w.isascii())


_PLACES = _split(PLACES)
_INDOOR = _split(INDOOR)
_POINTERS = _split(POINTERS)
_HOME = _split(HOME)
_ANSWER_WORDS = _split(PLACES | POINTERS | FILLER | SKIP_WORDS | NONE_WORDS | OFFER_WORDS)
_CANCEL_WORDS = _split(CANCEL | CANCEL_FILLER)
_RESOLVED_WORDS = _split(CANCEL | RESOLVED | CANCEL_FILLER)


@lru_cache(maxsize=2048)
def _fold(text: str) -> str:
    """Width, case and script folded: the word lists here are Simplified ("來了沒" is 来了没)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return _simplified(folded) if not folded.isascii() else folded


def _simplified(text: str) -> str:
    return _normalizer().to_simplified(text)


@lru_cache(maxsize=1)
def _normalizer() -> TextNormalizer:
    return TextNormalizer()  # OpenCC t2s, loaded on the first Traditional message


def _english(text: str) -> list[str]:
    return _ASCII_WORD.findall(_fold(text))


def _has(text: str, words: tuple[tuple[str, ...], frozenset[str]]) -> bool:
    cjk, english = words
    folded = squash(text)
    return any(w in folded for w in cjk) or any(w in english for w in _english(text))


def _strip(text: str, words: tuple[tuple[str, ...], frozenset[str]]) -> str:
    """`text` squashed, without the words of the list (English words whole)."""
    cjk, english = words
    kept = " ".join(w for w in _english(text) if w not in english)
    rest = _ASCII_WORD.sub(" ", _fold(text))
    folded = squash(rest)
    for word in cjk:
        folded = folded.replace(word, "")
    return squash(kept) + folded


# a greeting or a call for attention before the matter ("你好 报修 别墅28号", "在吗？我家停电了")
# or alone ("有冇人啊", "请问一个问题"): read what follows it; alone, a greeting
_GREETING = re.compile(
    r"^(?:\s*(?:(?:物业|管家|客服|师傅|保安)\s*)?(?:你们好|你好|您好|大家好|哈喽|哈啰|嗨|喂|在吗|在不在|"
    r"(?:请问)?(?:现在|这会儿|这么晚)?(?:还)?(?:有人吗|有没有人|有人在吗|有人在不在)|有冇人|早上好|上午好|中午好|下午好|晚上好|早安|打扰了|打扰一下|不好意思|"
    r"请问一下|请问一个问题|问个问题|问一下|我想问一下|我想问个问题|想问一下|咨询一下|测试一下|测试|试一下|"
    r"hi|hello|hey|good (?:morning|afternoon|evening)|excuse me)(?:啊|呀|哈|呢|喔|哦|吖|啦|吗)?"
    r"\s*(?:物业|管家|客服|师傅)?[\s,，。.!！?？~～、:：]*)+",
    re.IGNORECASE,
)


def after_greeting(text: str) -> str:
    """The words after a greeting the message starts with; `text` itself when it starts
    with none, "" when it is only greetings ("你好 在吗", "有冇人啊", "请问一个问题")."""
    found = _GREETING.match(_fold(text))
    return text[found.end():].strip() if found else text


def is_skip(text: str) -> bool:
    """Whether the answer is "不知道", "跳过", "don't know": nothing to give."""
    return squash(text) in SKIP_WORDS


# what may surround a refusal without changing it ("电话就不留了", "手机号先不给吧")
_DECLINE_AROUND = re.compile(r"电话号码|电话|号码|手机号|手机|联系方式|我的|就|先|还是|暂时|吧|啦|了|啊|呢|哈|喇|咗")


def declines(text: str) -> bool:
    """Whether it is "不用了", "没有", "不留", "no" (also "电话就不留了"): declines a question
    with a skip button."""
    folded = squash(text)
    return folded in NONE_WORDS or _DECLINE_AROUND.sub("", folded) in NONE_WORDS - {""}


def offers_yes(text: str) -> bool:
    return squash(text) in OFFER_WORDS


def moved(text: str) -> bool:
    return squash(text) in MOVED_WORDS


def everywhere(text: str) -> bool:
    """Whether it names the whole estate ("整个小区"): no one building to name."""
    folded = squash(text)
    return any(w in folded for w in EVERYWHERE)


def place_strength(text: str) -> int:
    """2: names a place outside the flats; 1: only points somewhere; 0: neither. The office
    or a door alone ("…，门口全是烟") only points; "你们物业能来个人吗" names none."""
    if _has(text, _PLACES):
        words = place_words(text)
        if words == "物业" or words.startswith(_YOURS):
            return 0  # the management company, not a place
        return 1 if words in NOT_A_PLACE_ALONE else 2
    if _has(text, _POINTERS) and not _has(text, _HOME):
        return 1
    return 0


PLACE_ALONE_CHARS = 3
"""What the first words of a message may say beside a place and still be that place on its
own ("商业街 水果店旁边 …"; not "这两天楼道有股味 …")."""
PLACE_ASIDE_CHARS = 6
"""What a place answer may say beside the place ("北门停车场有人晕倒了": 有人晕倒) and still be
one; more ("刚才扛了桶水上楼 电梯在检修") and the place was only mentioned."""
_LOCATIVE_BEFORE = re.compile(r"(?:在|喺|係|到|去|从|\b(?:at|in|on|near|outside|by))\s*$")


def told_as_place(text: str) -> bool:
    """Whether words naming a place answer "where?" with it: said where ("就在东门岗亭边上",
    "我在地下车库B2 这里一直流"), or with little beside ("北门停车场有人晕倒了"); not a
    place mentioned in passing ("电梯在检修", "这两天楼道有股味 我还以为是谁家垃圾没扔")."""
    words = place_words(text)
    folded = " ".join((text or "").split())
    first, _, rest = folded.partition(" ")
    if rest and place_strength(first) == 2 and len(residue(first)) <= PLACE_ALONE_CHARS:
        return True  # "商业街 水果店旁边 那个铁栏杆带电": the place first, on its own (blind DT11)
    at = folded.find(words)
    if at > 0 and _LOCATIVE_BEFORE.search(folded[:at].casefold()):
        return True
    return len(residue(text)) <= PLACE_ASIDE_CHARS


def indoor(text: str) -> bool:
    """A place inside a building (lift, lobby, stairs): its building still matters."""
    return _has(text, _INDOOR)


_PLACE_LEADS = re.compile(
    r"^(?:就是|(?:我们|我|人|他|她|孩子|小孩|病人|老人)?(?:现在|就|是|都)?(?:在|喺|係|系|住))\s*"
    r"|^(?:i'?m|i am|we'?re|we are|she'?s|he'?s|they'?re)?\s*(?:at|in|on|near)\s+",
    re.IGNORECASE,
)
_PLACE_TAILS = re.compile(r"[\s啊呀呢吧啦喇了的。！!？?，,、…~～]+$")


_PLACE_GOES_ON = re.compile(r"[0-9a-zA-Z区号层楼栋座侧门入口]")
_CLAUSE_BREAKS = " ，,。！!？?；;"
_YOURS = ("你们", "你哋", "your ")


def place_words(text: str) -> str:
    """The resident's words for a place: "我在小区门口不见的" -> "小区门口" (the lead, the
    particles and what happened there cut off; "停车场B2区" stays whole)."""
    cleaned = " ".join((text or "").split()).strip(" ，,。.!！")
    stripped = _PLACE_TAILS.sub("", _PLACE_LEADS.sub("", cleaned, count=1))
    found = [
        (i + len(w), i)
        for words in (_PLACES[0], _POINTERS[0])
        for w in words
        if (i := stripped.rfind(w)) >= 0
    ]
    end, first = max(found, default=(len(stripped), 0))
    if end < len(stripped) and not _PLACE_GOES_ON.match(stripped[end]):
        stripped = stripped[:end]
    clause = max(stripped.rfind(c, 0, first) for c in _CLAUSE_BREAKS)
    if clause >= 0:  # "我跟孙子在家，门口全是烟": the place is in its own clause
        stripped = _PLACE_LEADS.sub("", stripped[clause + 1 :].strip(), count=1)
    stripped = _PLACE_TAILS.sub("", stripped)
    return stripped if len(stripped) >= 2 else cleaned


LOCATIVE_CHARS = "里面内外上下边旁前后口头间处"  # what is left of "电梯里面" once 电梯里 is out


# place words that in a message say no place where it happens ("是物业吗", whose 门口?)
NOT_A_PLACE = frozenset("物业 物业中心 物业办公室 管理处 服务中心 门卫".split())
NOT_A_PLACE_ALONE = frozenset("门口 外面 小区里 小区内 小区外 路上 马路 路边 楼下".split())
_RUN_BEFORE = re.compile(r"[0-9a-z\u4e00-\u9fff]{0,6}$")
_OTHER_MATTER = re.compile(
    r"另外|还有就是|还有你们|顺便|对了|还有[个一]?[件个]?(?:事|问题)(?![吗嗎么没])|另一件事|另一个问题|再报[一个]+"
    r"|by the way|\balso\b|one more thing|another thing|another issue|something else"
)
"""Where a message turns to another matter: a place after it is not where this happens."""
_BREAKS = ("在", "喺", "到", "去", "从", "有", "的", "了", "是", "说", "讲", "给", "跟", "和")
_MODIFIER = re.compile(
    r"(?:小区|地下|负|[东西南北中前后左右内外新老大小][门侧边面区]?"
    r"|[0-9a-z一二三四五六七八九十两]+\s*(?:号楼|号|栋|幢|座|楼|层|期|区|单元)?)*"
)
"""What may stand before a place word as part of it: "北门", "3号楼", "地下", "东区" (not
"被关你们小区", "7号楼坐")."""
_EN_PLACE = re.compile(r"\b(?:in|at|near|on|outside)\s+((?:the\s+)?(?:[a-z0-9]+\s+){0,3}?(?:%s))\b")


def place_in(text: str) -> str | None:
    """The public place a message names ("北门停车场有人晕倒了" -> "北门停车场"), if any.

    Not the resident's own flat ("我家门口"), nor a bare "门口" (whose door?)."""
    folded = _OTHER_MATTER.split(_fold(text), maxsplit=1)[0]  # "…另外保安老在岗亭睡觉"
    english = _EN_PLACE.pattern % "|".join(sorted(_PLACES[1], key=len, reverse=True))
    found = re.search(english, folded)
    if found:
        return found.group(1)
    spans = [(i, i + len(w)) for w in _PLACES[0] if (i := folded.find(w)) >= 0]
    if not spans:
        return None
    start, end = min(spans)
    while True:  # the place words that follow ("北门" + "停车场")
        longer = [e for s, e in spans if start <= s <= end and e > end]
        if not longer:
            break
        end = max(longer)
    run = _RUN_BEFORE.search(folded[:start])
    before = run.group(0) if run else ""
    for word in _BREAKS:  # "有人在停车场" -> after the last 在
        if word in before:
            before = before[before.rindex(word) + len(word) :]
    if not _MODIFIER.fullmatch(before):  # "被关你们小区" before 电梯: not part of where
        before = ""
    place = before + folded[start:end]
    if folded[start:end] in NOT_A_PLACE or place in NOT_A_PLACE_ALONE or _has(before, _HOME):
        return None
    return place


# a floor said with a place ("十楼电梯厅", "B2停车场", "3/F lobby"): part of the address
_FLOOR = re.compile(
    r"(?:负|地下|b|-)?(?:[0-9]{1,3}|[一二三四五六七八九十两]{1,3})\s*(?:楼|层|樓|層|/f|f\b)"
    r"|(?<![a-z0-9])b[1-5](?![0-9])|\b[0-9]{1,2}(?:st|nd|rd|th)\s+floor\b",
    re.IGNORECASE,
)


def residue(text: str) -> str:
    """What the answer says beyond an address, a place, a floor, a skip or filler words."""
    return _strip(_FLOOR.sub(" ", text or ""), _ANSWER_WORDS).strip(LOCATIVE_CHARS)


def is_cancel(text: str) -> bool:
    """Cancel words alone or with filler ("算了 取消", "cancel it please"), or /cancel, or
    a short reason between two ("算了 保洁阿姨来了在拖 不用了"); not inside a longer message
    ("预约取消了怎么办", "不要取消")."""
    if (text or "").strip().lower().startswith("/cancel"):
        return True
    folded = squash(text or "")
    if len(folded) <= MAX_CANCEL_REASON_CHARS and folded.startswith(_CANCEL_ENDS) and (
        folded.endswith(_CANCEL_ENDS)
    ) and not (text or "").rstrip().endswith(("?", "？", "吗")):
        return True
    return _only(text, CANCEL, _CANCEL_WORDS)


_GUESS_DENIED = re.compile(
    r"^\s*(?:[哦噢喔啊呃嗯额哈][\s,，.。!！~～]*)*"
    r"(?:不是的?|没有|搞错了|误会了?|弄错了|看错了|听错了|no|nope|sorry)(?:[\s,，.。!！~～]+|$)"
)


def denies_guess(text: str) -> bool:
    """The message opens with a word of its own saying the guess was wrong ("哦 不是 她在唱
    青藏高原 😂" after a scream was taken for an attack on silence, blind EQ12), and tells no
    danger ("不是 有人拿刀" is worse, "不是我家 是隔壁" a correction)."""
    said = (text or "").casefold()
    denied = _GUESS_DENIED.match(said)
    if denied is None or said[denied.end():].startswith(("是", "it's", "it is")):
        return False  # "不是，是隔壁在打架": another place or thing, not nothing
    return not (danger_now(text) or distress(text) or armed(text) or worse(text))


def called_off(text: str) -> bool:
    """A report being made is called off, with its reason ("刚才那个不用了 又能刷开了", blind
    DO08); not with a new matter ("…不用了 但是大堂天花板掉了"), a question, or help asked for
    ("不用了 你们快来人": the phone declined)."""
    folded = squash(text or "")
    return bool(
        _THAT_CANCELLED.match(folded)
        and len(folded) <= MAX_CANCEL_REASON_CHARS
        and not (text or "").rstrip().endswith(("?", "？", "吗"))
        and not any(w in folded for w in _NEW_MATTER)
        and not danger_now(text)
    )


def is_resolved(text: str) -> bool:
    """A cancel, or a problem gone by itself ("不用了，我自己修好了", "没事了")."""
    return _only(text, CANCEL | RESOLVED, _RESOLVED_WORDS)


def _only(
    text: str, words: frozenset[str], allowed: tuple[tuple[str, ...], frozenset[str]]
) -> bool:
    """A short message saying one of `words`, and nothing but `allowed` words besides."""
    raw = (text or "").strip()
    folded = squash(raw)
    if not folded or len(folded) > MAX_CANCEL_CHARS * (2 if folded.isascii() else 1):
        return False
    if raw.endswith(("?", "？")) or "吗" in raw:  # asked, not said ("修好了吗")
        return False
    said = any(w in folded for w in words if not w.isascii()) or any(
        w in words for w in (*_english(raw), folded)
    )
    return said and not _strip(raw, allowed)


def label_parts(label: str) -> set[str]:
    """A label and its parts between punctuation, squashed: "不在家里（公共区域）" -> 3 parts."""
    parts = {squash(label)}
    for piece in re.split(r"[^\w\s]+", _fold(label)):
        piece = squash(piece)
        if len(piece) >= 2 and not piece.isdigit():
            parts.add(piece)
    return {p for p in parts if p}


def matches_label(text: str, label: str) -> bool:
    folded = squash(text)
    return bool(folded) and folded in label_parts(label)


def _mentions(text: str, words: frozenset[str]) -> bool:
    """Whether `text` holds one of `words`: Chinese anywhere, English whole ("no" is not in
    "now", "to" not in "today")."""
    return _matcher(words).search(_fold(text)) is not None


@lru_cache(maxsize=64)
def _matcher(words: frozenset[str]) -> re.Pattern[str]:
    parts = [
        rf"(?<![a-z']){re.escape(w)}(?![a-z])" if w.isascii() and w[:1].isalpha() else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    ]
    return re.compile("|".join(parts))


NO_CALLS = frozenset(
    """
    别打电话 不要打电话 别给我打电话 不要给我打电话 别回电话 不要回电话 别给我回电话 不要给我回电话
    千万别打 别打给我 不要打给我 不能接电话 接不了电话 没法接电话 不方便接电话 不能打电话 只能打字
    请打字 打字联系 手机静音 我是聋人 听不见电话 不能说话 不敢说话 不方便说话 唔好打电话 唔好打俾我
    不敢打电话 不敢接电话 怕他听到 怕他听见 怕被听到 怕被听见 不敢出声 不能出声 唔敢出声
    但别打 但是别打 给我发短信 发短信给我 发短信就行 发短信吧 短信联系
    """.split()
) | frozenset(
    ("don't call", "dont call", "do not call", "no calls", "can't talk", "cannot talk",
     "can't speak", "text only", "texting only", "i am deaf", "i'm deaf")
)
"""The resident cannot or must not be called (hiding, deaf): staff write, never call."""


FOUND = frozenset(
    """
    找到了 找到他了 找到她了 找着了 找到人了 找回来了 回来了 已经回家了 自己回来了 搵到了 搵到佢了 找到孩子了
    搵到喇 搵到啦 返咗喇 返咗啦 返咗嚟 返咗屋企 返嚟喇 返嚟了 返到屋企
    """.split()
) | frozenset(("found him", "found her", "we found", "is back", "came back", "found them"))
"""A missing person found: their ticket may be closed."""


def found_person(text: str) -> bool:
    """"找到了！！在南门外面公交站坐着", "保安在湖边找到他了": the one missing is found."""
    return _mentions(text, FOUND) and not _undenied(text, frozenset(("还没", "没找到", "找不到")))


OUT_OF_LIFT = frozenset(
    """
    出来了 出來了 救出来了 救出來了 门开了 門開了 门打开了 門打開了 开门了 開門了 放出来了 搞出来了 弄出来了
    已经出来 出咗嚟 出咗来 开咗门
    """.split()
) | frozenset(("got out", "we're out", "we are out", "i'm out", "i am out", "door opened",
               "doors opened", "door is open", "doors are open", "got us out", "got me out"))
"""Said by someone who was stuck in a lift: they are out (their ticket may be closed)."""
_STILL_IN = frozenset(
    ("还没", "還沒", "没有", "沒有", "出不来", "出不來", "打不开", "打不開", "开不了", "未",
     "一条缝", "一點縫", "一点缝", "外面是墙", "卡住")
)  # fmt: skip
""""门开了一条缝 外面是墙" (blind ED04): the door moved, nobody is out."""


def out_of_lift(text: str) -> bool:
    """"门开了 出来了 谢谢", "we got out": someone stuck in a lift is out; not "还没出来"."""
    folded = _fold(text)
    if len(folded) > (60 if folded.isascii() else 24) or _mentions(text, _STILL_IN) or asks(text):
        return False
    return _mentions(text, OUT_OF_LIFT)


def no_calls(text: str) -> bool:
    """"别打电话 他会听见", "我是聋人 不能接电话", "text only": staff must write, not call."""
    return _mentions(text, NO_CALLS)


_SERVICE = r"(?:110|119|120|999|911|112|急救|救护车|消防|火警|警察|报警)"
_CALLED = re.compile(
    rf"(?<!没)(?<!沒)(?:打了|打过|打通了|打咗|拨了|叫了|报了|已经打|已打)\s*{_SERVICE}"
    rf"|{_SERVICE}\s*(?:我们|我)?(?:已经|也)?(?:打了|打过了|打通了|打咗|叫了|来了|到了|在路上|说马上|说.{{0,4}}分钟)"
    r"|报警了|报了警|已经报警|已报警"
    r"|\b(?:i|we)(?: have|'ve)? (?:called|rang|phoned) (?:119|120|110|999|911|112|the fire|an ambulance|the police)"
)


CALLED = "called"
"""Slot (and ticket extra): the resident said the emergency service was already called."""


_US_CALL = re.compile(
    r"(?:帮我|替我|帮忙|帮帮忙|你们|能不能|可不可以|可以|麻烦)\s*(?:帮我|替我|帮忙|直接|马上|赶紧|快)?\s*"
    r"(?:打|拨|叫|报|call)(?:个|一下|下|一个)?\s*(?P<svc>110|119|120|999|急救|救护车|消防|火警|警察|警)"
    r"|(?:帮我|替我|你们|你们能|你们会|你们能不能|能不能|可不可以|麻烦)\s*(?:帮我|替我|帮忙)?\s*(?P<police>报警|报个警)"
    r"|(?:你们|物业)\s*(?:打了|报了|叫了|报警了)\s*(?:没有|没|吗|沒有)"
    r"|(?:你们|你|能不能|可不可以|可以)\s*(?:能|可以)?\s*(?:帮|帮忙|帮我们|帮我)\s*打(?:吗|一下|个电话|电话)"
    r"|\b(?:can|could|will|would) (?:you|someone) (?:please )?call (?:the |an |a )?(?P<en>ambulance|police|fire|119|120|110|999)"
    r"|\bplease call (?:the |an |a )?(?P<en2>ambulance|police|fire|119|120|110|999)"
    r"|\bcall (?:an |the )?(?P<en3>ambulance|police|fire brigade) for (?:me|us)"
    r"|\bdid (?:you|anyone) call\b"
)
_SELF_CALLED = re.compile(r"我(?:也|已经|都|刚)?(?:打了|打过了|报了|报警了)|\bi(?: have|'ve)? (?:also |already )?called\b")
_SERVICES = {
    "110": "police", "警察": "police", "警": "police", "报警": "police", "报个警": "police",
    "police": "police", "119": "fire", "消防": "fire", "火警": "fire", "fire": "fire",
    "fire brigade": "fire", "120": "ambulance", "急救": "ambulance", "救护车": "ambulance",
    "ambulance": "ambulance", "999": "",
}


def asks_us_to_call(text: str) -> str | None:
    """The resident asks the help line to phone the emergency services ("帮我打119 我不敢打电话",
    "你们能帮我报警吗", "你们打了没有", "Please call ambulance"; blind DQ01, DQ02, DQ12, DR07):
    "police", "fire" or "ambulance" when one is named, "" when none is; None when not asked.
    This line cannot place calls: it says so, and asks staff to."""
    folded = _fold(text)
    said = _US_CALL.search(folded)
    if said is None or _SELF_CALLED.search(folded):  # "119你们打了没有 我也打了": called
        return None
    named = next((g for g in said.groups() if g), "")
    return _SERVICES.get(named, "")


_SENT_WRONG = re.compile(
    r"发错了|发错人|发错群|发错地方|发错对象|发错啦|发錯|sent (?:it |this |that )?(?:to the wrong|by mistake)"
    r"|wrong (?:chat|person|group|number)|ignore (?:that|this|my last)"
)
MISTAKE_MAX_CHARS = 20
"""A "sent by mistake" longer than this says something else too."""


def sent_by_mistake(text: str) -> bool:
    """"啊 发错了 不好意思😅", "发错了 sorry" (blind DU01, DU12): the message before was meant
    for someone else; not "发错了 电话是…" (more follows)."""
    folded = _fold(text)
    return (
        _SENT_WRONG.search(folded) is not None
        and len(squash(text)) <= MISTAKE_MAX_CHARS * (2 if folded.isascii() else 1)
        and not any(ch.isdigit() for ch in text)
    )


WANTS_PERSON = frozenset(
    "转人工 人工客服 找人工 要人工 人工服务 找真人 要真人 真人客服 别再问 不要再问 别问了 不要问了 说人话".split()
) | frozenset(("talk to a person", "real person", "a human", "stop asking", "speak to someone"))
"""A resident tired of the questions (blind DW05: "转人工！！… 别再问我了")."""


def wants_person(text: str) -> bool:
    """The resident asks for a person, or for the questions to stop."""
    return _mentions(text, WANTS_PERSON)


_WHERE_ASKED = re.compile(
    r"小区叫什么|小区叫啥|小区名字|小区全名|小区的名字|叫什么小区|这是哪个小区|这里是哪|地址是什么|地址是啥"
    r"|地址怎么说|什么地址|问地址|问在哪|问我地址|问我们在哪|说不清地址|说不清楚地址|说不清楚在哪|全名怎么说"
    r"|问具体位置|问位置|问具体地址|具体位置在哪"
    r"|what(?:'s| is) (?:the |this )?(?:address|estate called|place called|name of (?:the|this) estate)"
    r"|which estate is this|(?:ask|want|need)(?:s|ing)? (?:for )?(?:the|our) address"
)


def asks_where_we_are(text: str) -> bool:
    """The resident needs the estate's name or address, mostly for 120 or 119 on the line
    ("120打了 他们问地址 这个小区叫什么名字啊", blind DT01, DQ05, DZ05)."""
    return _WHERE_ASKED.search(_fold(text)) is not None


_MY_TICKETS = re.compile(
    r"我报了几个|报了几个单|我的单子|我报的单子|我报的那几个|查一?下我的?单子|查一?下我的?工单|我的工单|我有几个单"
    r"|单子.{0,4}(?:什么时候|怎么样了|进度|到哪了|有人管吗)"
    r"|my (?:tickets|requests|reports)|how many (?:tickets|requests) (?:do i|have i)"
)


def asks_my_tickets(text: str) -> bool:
    """"我报了几个单子", "帮我查下我报了几个单子" (blind EB04, EB10): the list of "我的工单"."""
    return _MY_TICKETS.search(_fold(text)) is not None


_MY_CRISIS = re.compile(
    r"我.{0,8}(?:不想活|想死|活不下去|活着没意思|活着好累|自杀|轻生|结束|了结|跳下去|吃了|割)"
    r"|\bi (?:want to die|don't want to live|dont want to live|am going to|can't go on|want to end)"
)


def crisis_of_writer(text: str) -> bool:
    """The crisis is the writer's own ("我真的不想活了"), not someone they see ("我朋友翻到栏杆
    外面去了", blind ED09): only then is a later message answered with the listening line."""
    return _MY_CRISIS.search(_fold(text)) is not None


def called(text: str) -> bool:
    """The resident says the emergency service was already called ("打了120 救护车从哪个门进",
    "119打通了 说马上到"): its line saying "拨打 …" is not sent again."""
    return _CALLED.search(_fold(text)) is not None


def nothing_wrong(text: str) -> bool:
    """The resident says nothing is wrong ("没事", "误会了", "false alarm", "是误报"); not asks
    whether it is ("我刚才跺了一下脚 没事吧"), nor denies it ("this is not a false alarm",
    "不是误会 真的有人在撬门")."""
    folded = _fold(text)
    said = any(
        not _ASKED.match(folded, m.end()) and not _DENIED_BEFORE.search(folded, 0, m.start())
        for m in _matcher(NOTHING_WRONG).finditer(folded)
    )
    return said and not distress(text)


def denies_all_clear(text: str) -> bool:
    """The words deny that nothing is wrong ("不是误报 真的着火了", "this is not a false alarm"):
    a yes to "请问是火情吗？", not a no."""
    folded = _fold(text)
    return any(
        _DENIED_BEFORE.search(folded, 0, m.start()) for m in _matcher(NOTHING_WRONG).finditer(folded)
    )


_DENIED_BEFORE = re.compile(r"(?:不是|并不是|并非|绝不是|不算|\bnot(?: a| an| just)?|\bisn't(?: a)?|\bisnt(?: a)?)\s*$")
"""Just before "误会" / "a false alarm": the words deny it ("不是误会", "not a false alarm")."""


def all_well(text: str, intent: str | None) -> bool:
    """Nothing is wrong, said about this report: "人没事" / "I am ok" ends a fall or a
    missing child, but of a stuck lift, a fire or a flood it says only that nobody is hurt."""
    if not nothing_wrong(text):
        return False
    return intent in _ABOUT_PEOPLE or not only_unhurt(text)


_ABOUT_PEOPLE = frozenset(("medical", "lost_child"))
"""Emergencies about a person, where "他没事了" is the news that ends them."""


def only_unhurt(text: str) -> bool:
    """Nobody is hurt, and nothing more is said to be well ("人没事 就是急" in a stuck
    lift, "大家都没事 烟还在冒", "I am ok"): about the people, not the danger."""
    folded = _fold(text)
    if not _UNHURT.search(folded):
        return False
    return not nothing_wrong(_UNHURT.sub(" ", folded))


_UNHURT = re.compile(
    r"(?:(?<![派叫找来來用])人|我|他|她|孩子|小孩|老人|大家|我们|我們|人员|人員)(?:都|也|还|還)?"
    r"(?:没事|没有事|沒事|冇事|没受伤|沒受傷|没伤着|好好的)|\bi(?: am|'m|m) (?:ok|okay|fine)\b"
)

_ASKED = re.compile(r"\s*(?:吧|吗|嗎|嘛|么|麼|呀吧|伐|\?|？)")
"""Just after "没事": the words ask whether nothing is wrong."""


def distress(text: str) -> bool:
    """Words of someone in danger or fear ("救命", "快来", "help"), or short of breath,
    fainting, bleeding ("我老婆晕倒了"); a denied plea ("不急", "not urgent") is none."""
    return _mentions(text, _DANGER) or pleads(text) or breathless(text)


SHAKEN = frozenset(
    """
    吓死 吓坏 吓一跳 吓得 吓到 好可怕 太可怕 好恐怖 天哪 天呐 我的天 出事了 不得了 完了完了 嚇死 嚇壞 好驚
    """.split()
) | frozenset(("scared me", "oh my god", "omg", "so scary", "terrified"))
"""Someone shaken who has not said by what ("刚才吓死我了"): asked what happened, kindly."""


def other_matter(text: str) -> bool:
    """The words turn to another matter ("另外我们那层楼道感应灯是坏的", "by the way")."""
    return _OTHER_MATTER.search(_fold(text)) is not None


def shaken(text: str) -> bool:
    """Words of someone shaken or frightened, saying no more ("刚才吓死我了")."""
    return _mentions(text, SHAKEN)


_DOOR_UNANSWERED = re.compile(r"敲(?:了)?(?:半天|好久|很久|几次|几下)?(?:的)?门[^，,。!！?？]{0,6}?没(?:有)?(?:人)?(?:反应|回应|应|开)")
"""Nobody answered a knock ("楼上1603好像没人 敲门没反应"): no one unresponsive."""


def names_danger(text: str) -> bool:
    """Words that name a danger ("着火", "流血", "fire", "fainted"), not only fear or a plea
    ("好害怕", "快来", "scared", "help"): a plea beside an open emergency is about that one;
    "敲门没反应" is a door nobody answered (blind DO01, beside a leak from upstairs)."""
    said = _unanswered_cut(text)
    return _mentions(said, _DANGER_NAMED) or breathless(said)


def _unanswered_cut(text: str) -> str:
    """`text` (folded) without a knock nobody answered."""
    return _DOOR_UNANSWERED.sub(" ", _fold(text))


def only_a_place(text: str) -> bool:
    """The words name a place and nothing else ("就在东门岗亭边上", "北门停车场那边")."""
    if not place_strength(text):
        return False
    return not residue(text.replace(place_words(text), " "))


_WHEN_SOMEONE_COMES = re.compile(
    r"(?:什么时候|啥时候|几点|哪天|什么时间|多久|何时|when)\s*(?:能|会|才|再|可以|will|can)?\s*"
    r"(?:派人|来人|有人来|来个人|快来|来)"
)
""""我那个马桶的单子什么时候来人" (blind EB03) asks when, it is no plea."""


def pleads(text: str) -> bool:
    """A plea for help ("救命", "快来人啊", "help"), which names no danger by itself; not
    one that is denied ("不急", "not urgent", "没有危险"), nor a question when someone
    comes ("什么时候来人")."""
    return _undenied(_WHEN_SOMEONE_COMES.sub(" ", _fold(text)), PLEAS)


_DENIED = re.compile(
    r"(?:不|没|沒|没有|不是|并不|並不|非|唔|冇|\bnot|\bno|n't|\bnothing)\s*"
    r"(?:太|很|那么|那麼|算|an?\s|too|very|so|really)?\s*$"
)
"""Words just before a plea that deny it ("不急", "not urgent", "没有危险")."""


def without_pleas(text: str) -> str:
    """The message with its pleas cut out (folded): what is left names the danger, if
    anything does ("我不会弄这个 你们快来人啊" names none)."""
    folded = _fold(text)
    cut = [False] * len(folded)
    for word in PLEAS:  # every occurrence, overlaps too ("快来人": 快来 and 来人)
        start = folded.find(word)
        while start >= 0:
            cut[start : start + len(word)] = [True] * len(word)
            start = folded.find(word, start + 1)
    return "".join(" " if gone else ch for ch, gone in zip(folded, cut, strict=True))


ARMED = frozenset(
    """
    拿着刀 拿刀 持刀 拎着刀 带着刀 带刀 提着刀 拿着一把刀 拿了一把刀 拿着菜刀 拿菜刀 菜刀 砍刀 水果刀 匕首
    拿着棍子 拿着铁棍 拿着棒子 拿着枪 有枪 有刀 动刀 亮刀
    """.split()
) | frozenset(("knife", "gun", "machete", "armed", "weapon"))
"""Someone with a weapon (blind DW07: "那个头破的男的回来了 手里拿着一把刀" beside a fight's
injury ticket was only passed on): whatever the ticket, it is worse, and the 110 line."""


def armed(text: str) -> bool:
    """A weapon in someone's hands, not denied ("没拿刀")."""
    return _undenied(text, ARMED)


def worse(text: str) -> bool:
    """An open emergency getting worse, or help taking too long."""
    return _mentions(text, WORSE) or breathless(text) or armed(text)


WAITING = frozenset(
    "怎么还没 还没来 还没人来 还没有人来 快点来 没人来 等了好久 nobody hurry".split()
) | frozenset(("no one came", "no one has come", "no one is coming"))
"""Of the WORSE words, those that say help is slow, not that the danger grew."""


def getting_worse(text: str) -> bool:
    """The danger itself grows ("更浓了", "烧过来了", "喘不上气", a knife), not only the wait."""
    return _mentions(text, WORSE - WAITING) or breathless(text) or armed(text)


def asks_to_close(text: str) -> bool:
    """The resident asks to close the ticket ("那个单子可以关了", "close the ticket")."""
    return _mentions(text, CLOSE)


def better(text: str) -> bool:
    """The danger easing ("现在好点了 能坐起来了", "火灭了", "找到了"): news for staff, not
    a report that it is getting worse."""
    return _mentions(text, BETTER)


def short_of_breath(text: str) -> bool:
    """Breathing trouble only ("里面好闷 喘不上气"): at the scene of the emergency told, not a
    new one somewhere else (unlike "有人晕倒了")."""
    return _mentions(text, SHORT_OF_BREATH)


def breathless(text: str) -> bool:
    """Someone short of breath, fainting or bleeding ("里面好闷 喘不上气"); not a knock that
    nobody answered ("敲门没反应")."""
    return _mentions(_unanswered_cut(text), BREATHLESS)


def hurt_now(text: str) -> bool:
    """A plea, or someone short of breath, fainting or bleeding, not denied ("没流血 就说腿疼"
    is none; "叫不醒", "没反应" are)."""
    return pleads(text) or _undenied(_unanswered_cut(text), BREATHLESS)


def danger_now(text: str) -> bool:
    """Words of danger or fear that are not denied ("不是困住 就是空调不凉" has none)."""
    return pleads(text) or _undenied(text, _DANGER | BREATHLESS)


# typed answers to "问题解决了吗？" and to the rating (blind writer CP)
NOT_FIXED = frozenset(
    """
    还没好 没修好 没有修好 没好 没解决 没有解决 还没解决 修了一半 还是漏 还是滴 还在漏 还在滴 还漏 还滴
    又漏 又滴 又堵 又坏 又跳闸 又不亮 还是不行 还是坏 还是不亮 还是堵 还是刷不开 根本没修 唔得 未好
    解决个屁 修个屁 好个屁 没修到位
    """.split()
) | frozenset(("not fixed", "still broken", "still leaking", "still dripping", "not working"))
FIXED = frozenset(
    """
    好了 解决了 修好了 可以了 没问题了 搞定了 正常了 不漏了 不滴了 好啦 算是吧 算是 都好了 已经好了 搞掂 得咗
    """.split()
) | frozenset(("fixed", "solved", "all good", "works now", "it's fine"))
_STARS = re.compile(r"([1-5一二两三四五])\s*(?:颗|个)?\s*(?:星|分)")
_STAR_WORDS = (("不满意", 1), ("差评", 1), ("五星好评", 5), ("好评", 5), ("满意", 5), ("中评", 3),
               ("还行", 3), ("一般般", 3))  # fmt: skip


def not_fixed(text: str) -> bool:
    """"修了一半", "还是滴", "上周修的马桶又堵了", "解决个屁": the problem is not solved."""
    return _mentions(text, NOT_FIXED)


def fixed(text: str) -> bool:
    """"好了谢谢", "算是吧", "问题解决了": solved (read after `not_fixed`); not the question
    quoted back ("问题解决了吗？")."""
    return _says_done(text, FIXED)


REPAIRED = frozenset(
    "解决了 修好了 搞定了 正常了 不漏了 不滴了 已经好了 都好了 搞掂 修好咗 通好了 弄通了 疏通好了 来水了 来电了 有电了"
    " fixed solved".split()
) | frozenset(("works now",))
"""Words that the trouble is gone, for an open ticket ("修好了 谢谢你们"): narrower than
FIXED, whose "好了" / "算是" answer "问题解决了吗？" but may say anything elsewhere."""


def repaired(text: str) -> bool:
    """"修好了 谢谢你们", "已经好了": the trouble of an open ticket is gone (not asked); not
    with a "but" ("来水了，但是水是黄的", blind EW10: something is still wrong)."""
    return _says_done(text, REPAIRED) and not _BUT.search(_fold(text))


_BUT = re.compile(r"但是|但|不过|可是|只是|倒是|\bbut\b|\bhowever\b")
FIXED_ITSELF = REPAIRED | frozenset(
    "通了 疏通了 不堵了 能用了 又能用了 好用了 自己好了 不漏水了 不冒水了".split()
) | frozenset(("it's working", "it works now", "working again"))
"""Words that the trouble went away while it was being reported ("好了 倒了点管道疏通剂 通了",
blind DK10): the report asks whether it is still wanted (`fixed_itself`)."""


def fixed_itself(text: str) -> bool:
    """The trouble of a repair or complaint being reported is gone, said in passing ("好了 倒了点
    管道疏通剂 通了"); not "通了又堵", a question, or a danger."""
    return (
        _says_done(text, FIXED_ITSELF)
        and not not_fixed(text)
        and not danger_now(text)
        and not names_danger(text)  # "通了 但是插座冒火花了"
        and not _BUT.search(_fold(text))  # "马桶倒是不漏了 但是地上这些谁收拾" (blind DW03)
        and not (text or "").rstrip().endswith(("?", "？", "吗"))
    )


def _says_done(text: str, words: frozenset[str]) -> bool:
    """One of `words` said, not asked ("解决了没？")."""
    folded = _fold(text)
    return any(not _ASKED_DONE.match(folded, m.end()) for m in _matcher(words).finditer(folded))


_ASKED_DONE = re.compile(r"\s*(?:吗|嗎|么|麼|没|沒|\?|？)")
"""Just after "解决了": the words ask whether it is ("解决了没？")."""


def stars(text: str) -> int | None:
    """A rating in words: "三颗星吧" 3, "五星好评！" 5, "差评" 1, "4分"; None without one."""
    said = _STARS.search(text or "")
    if said:
        return int(to_arabic(said.group(1)) or 0) or None
    return next((value for word, value in _STAR_WORDS if word in (text or "")), None)


def _undenied(text: str, words: frozenset[str]) -> bool:
    folded = _fold(text)
    return any(
        not _DENIED.search(folded[max(0, m.start() - 8) : m.start()])
        for m in _matcher(words).finditer(folded)
    )


def asks_progress(text: str) -> bool:
    return _mentions(text, PROGRESS)


def corrects(text: str) -> bool:
    """Words that correct what was said: "不对", "打错了", or "不是5栋 是15栋" (blind EZ03)."""
    return _mentions(text, CORRECTION) or _NOT_THIS_BUT.search(text or "") is not None


_NOT_THIS_BUT = re.compile(
    r"不是\s*[0-9一二三四五六七八九十零两]+\s*(?:号楼|栋|幢|座|楼|单元|室|号)?[\s，,。、]*(?:是|而是|应该是)"
)
"""A number said, then the right one ("不是5栋 是15栋", "不是1202，是1203")."""


def asks(text: str) -> bool:
    """Looks like a question of the resident's own ("对了物业费怎么交")."""
    return _mentions(text, QUESTION)
