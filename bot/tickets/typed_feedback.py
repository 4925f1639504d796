"""Typed answers to "问题解决了吗？" and to the rating: the words residents use instead of
tapping (the blind conversations of writer CP: "修了一半", "还是滴", "好了谢谢", "算是吧",
"三颗星吧", "差评", "五星好评！")."""

from __future__ import annotations

import re
from functools import lru_cache

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
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_WORDS = (("不满意", 1), ("差评", 1), ("五星好评", 5), ("好评", 5), ("满意", 5), ("中评", 3),
          ("还行", 3), ("一般般", 3))  # fmt: skip


@lru_cache(maxsize=4)
def _matcher(words: frozenset[str]) -> re.Pattern[str]:
    """Chinese words anywhere, English ones whole ("fixed" is not in "unfixed")."""
    parts = [
        rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w)
        for w in sorted(words, key=len, reverse=True)
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


def not_fixed(text: str) -> bool:
    """"修了一半", "还是滴", "上周修的马桶又堵了": the problem is not solved."""
    return _matcher(NOT_FIXED).search(text or "") is not None


def fixed(text: str) -> bool:
    """"好了谢谢", "算是吧", "问题解决了": solved (checked after `not_fixed`); not the question
    quoted back ("问题解决了吗？")."""
    return any(not _ASKED.match(text, m.end()) for m in _matcher(FIXED).finditer(text or ""))


_ASKED = re.compile(r"\s*(?:吗|嗎|么|没|沒|\?|？)")


def rating(text: str) -> int | None:
    """"三颗星吧" 3, "五星好评！" 5, "差评" 1, "4分"; None without one."""
    stars = _STARS.search(text or "")
    if stars:
        said = stars.group(1)
        return int(said) if said.isdigit() else _CN[said]
    for word, value in _WORDS:
        if word in (text or ""):
            return value
    return None
