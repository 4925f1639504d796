"""Varied, realistic resident messages for benchmarks (generated, reproducible).

No `main()`: `python -m benchmarks` skips this module.
"""

from __future__ import annotations

import random

BODIES = {
    "gas": [
        "厨房有煤气味",
        "楼道里一股燃气味",
        "好像燃气泄漏了",
        "燃气报警器一直在响",
        "闻到臭鸡蛋的味道",
        "煤气管嘶嘶响 好像漏气",
    ],
    "fire": [
        "着火了",
        "楼下冒浓烟",
        "电动车在楼道起火了",
        "配电箱冒烟还有火花",
        "烟雾报警器响了 到处是烟",
        "隔壁阳台烧起来了",
    ],
    "lift": [
        "电梯困人了",
        "我被困在电梯里出不来",
        "电梯停在两层中间 里面有老人",
        "电梯突然不动了 我们还在里面",
        "困𨋢呀快啲嚟",
    ],
    "flood": [
        "水管爆了 家里全是水",
        "楼上漏水 天花板一直往下流",
        "地下车库进水了",
        "卫生间水漫出来流到客厅",
        "爆水喉呀成地都系水",
    ],
    "medical": [
        "有人晕倒了",
        "老人摔倒了起不来",
        "快叫救护车 我爸心口痛",
        "孩子发高烧抽搐",
        "有人流了很多血",
    ],
    "security": [
        "有小偷在撬门",
        "楼下有人打架",
        "有个陌生人一直跟着我",
        "停车场有人砸车窗",
        "家里被盗了",
    ],
    "child": [
        "我孩子不见了",
        "小孩在小区走丢了",
        "找不到我女儿了她才五岁",
        "有个小朋友在哭找不到妈妈",
    ],
    "disaster": [
        "台风把窗户吹破了",
        "大树被风吹倒压到车",
        "暴雨 雨水倒灌进家里",
        "刚才地震了 楼在晃",
    ],
    "power": ["停电了", "家里突然没电了", "跳闸了推不上去", "整栋楼都没电 什么时候来电", "冇电呀"],
    "water": [
        "停水了",
        "家里没水了 什么时候来水",
        "水压很低 水很小",
        "水龙头打开一滴水都没有",
        "又停水了",
    ],
    "repair": [
        "水龙头一直滴水",
        "马桶堵了冲不下去",
        "楼道灯不亮了",
        "门锁坏了打不开",
        "电梯坏了 里面没人",
        "对讲机没声音",
        "门禁刷卡没反应",
        "洗手盆下面有点渗水",
    ],
    "complaint": [
        "楼上装修太吵了",
        "隔壁的狗每天晚上叫",
        "垃圾堆了好几天没人收",
        "保安态度太差了",
        "有人占了我的车位",
        "楼道里有人抽烟 烟味很大",
        "报修三天了还没人来",
    ],
    "inquiry": [
        "物业费怎么交",
        "门禁卡丢了怎么补办",
        "管理处几点上班",
        "燃气费在哪里交",
        "装修要办什么手续",
        "快递放在哪里",
        "上次停水有补偿吗",
        "电梯年检是什么时候",
        "游泳池什么时候开放",
    ],
    "human": ["转人工", "我要找人工客服", "帮我叫一下管家", "我想跟真人说话"],
    "smalltalk": ["你好", "谢谢你们", "好的 收到", "辛苦了", "早上好", "再见"],
    "unknown": ["今天股市怎么样", "帮我写首诗", "asdfgh", "哈哈哈哈", "中午吃啥"],
}
ENGLISH = [
    "I smell gas in my kitchen",
    "There is a fire on the 5th floor",
    "I am stuck in the lift",
    "Water is pouring through the ceiling",
    "Someone collapsed in the lobby",
    "A man is trying to break into my flat",
    "My son is missing",
    "No power in my flat",
    "No water since this morning",
    "The toilet is blocked",
    "The neighbours are too noisy",
    "How do I pay the management fee?",
    "I want to talk to a real person",
    "Thank you so much",
]
PLACES = [
    "",
    "",
    "3栋1202",
    "5座12B",
    "2单元1803",
    "8号楼",
    "A座",
    "第三栋",
    "7栋2单元601",
    "12楼B室",
]
PHONES = ["", "", "", "", "13812345678", "+86 139 1234 5678", "91234567", "020-12345678"]
PREFIXES = ["", "", "", "你好，", "那个 ", "嗯那个就是", "物业你好 ", "麻烦问下 ", "喂 "]
SUFFIXES = ["", "", "", " 快来人", " 谢谢", "！！", "😭", " 怎么办", " 急", "啊啊啊啊", "？"]


def generate(count: int = 10_000, seed: int = 20_240_601) -> list[str]:
    """`count` messages: Chinese with places, phones, fillers, some Traditional, some English."""
    rng = random.Random(seed)
    to_traditional = None
    try:
        import opencc

        to_traditional = opencc.OpenCC("s2hk")
    except Exception:  # the benchmark still runs, only without Traditional variants
        to_traditional = None
    bodies = [b for group in BODIES.values() for b in group]
    out: list[str] = []
    for _ in range(count):
        if rng.random() < 0.1:
            text = rng.choice(ENGLISH)
            if rng.random() < 0.3:
                text += f", block {rng.randint(1, 9)} flat {rng.randint(1, 30)}{rng.choice('ABCD')}"
            out.append(text)
            continue
        parts = [rng.choice(PREFIXES), rng.choice(PLACES), rng.choice(bodies)]
        if rng.random() < 0.25:
            parts.append(" " + rng.choice(bodies))
        parts += [rng.choice(SUFFIXES), (" " + rng.choice(PHONES)).rstrip()]
        text = "".join(parts).strip()
        if to_traditional is not None and rng.random() < 0.15:
            text = to_traditional.convert(text)
        out.append(text)
    return out
