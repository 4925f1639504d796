"""Which buildings a notice covers: "全部", "1-5栋, 8栋", "3、5栋", "A座", "3栋2单元".

Buildings use the canonical ids of `bot.intents.entities` (what resident profiles store):
"3栋"/"三号楼" -> "3", "A座" -> "A", building 3 unit 2 -> "3-2". A notice for "3" covers
residents of "3" and of its units ("3-2"); a notice for "3-2" covers that unit only.
An empty list means every building.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.intents.numerals import chinese_to_int
from bot.notices.timephrases import fold

MAX_RANGE = 300  # "1-5000栋" is a typo, not an estate

_CN = "零〇一二两三四五六七八九十百"
_ID = rf"(?:\d{{1,3}}|[A-Za-z]\d{{0,2}}|[{_CN}]{{1,4}})"
_SUFFIX = r"(?:号楼|号栋|栋|幢|座|#楼?|楼|号(?![\d{_CN}]*[日月]))"
_ALL_RE = re.compile(
    r"\s*(?:全部楼栋|全部|所有楼栋|所有|全小区|整个小区|全体|全楼|all)(?![\w])", re.I
)
_ITEM_RE = re.compile(
    rf"(?P<lo>{_ID})\s*(?:(?P<s1>{_SUFFIX})\s*)?"
    rf"(?:(?:-|~|至|到)\s*(?P<hi>{_ID})\s*(?P<s2>{_SUFFIX})?"
    rf"|(?P<u>{_ID})\s*单元)?"
)
_SEP_RE = re.compile(r"\s*(?:[,，、;；/+]|和|及|与)\s*")
_SPACE_RE = re.compile(r"\s+")


class BuildingError(ValueError):
    """A building list that cannot be right (a reversed or huge range)."""


def _canon(raw: str) -> str | None:
    raw = raw.strip()
    if raw.isdigit():
        return str(int(raw))
    if raw.isascii() and raw[:1].isalpha():
        return raw.upper()
    value = chinese_to_int(raw)
    return None if value is None else str(value)


def _expand(lo: str, hi: str) -> list[str]:
    if lo.isdigit() and hi.isdigit():
        a, b = int(lo), int(hi)
        if b < a or b - a >= MAX_RANGE:
            raise BuildingError(f"{lo}-{hi}")
        return [str(n) for n in range(a, b + 1)]
    if len(lo) == 1 and len(hi) == 1 and lo.isalpha() and hi.isalpha():
        if hi < lo:
            raise BuildingError(f"{lo}-{hi}")
        return [chr(c) for c in range(ord(lo), ord(hi) + 1)]
    raise BuildingError(f"{lo}-{hi}")


def scan_buildings(
    text: str, pos: int = 0, *, require_suffix: bool = True
) -> tuple[list[str], int] | None:
    """The buildings written at `pos`: ([] for all, or ids), end position; None if none.

    `require_suffix` (the one-line command): a list counts only if it says 栋/号楼/座...
    somewhere ("3,5栋"), so that "3 明天" is not read as building 3. Raises BuildingError for
    a range that cannot be right.
    """
    text = fold(text)
    if m := _ALL_RE.match(text, pos):
        return [], m.end()
    found: list[str] = []
    suffixed = False
    end = pos
    space = _SPACE_RE.match(text, pos)
    cursor = space.end() if space else pos
    first = True
    space_at = -1  # where the cursor is after a bare space (not a comma)
    while True:
        m = _ITEM_RE.match(text, cursor)
        if m is None or not m.group("lo"):
            break
        has_suffix = bool(m.group("s1") or m.group("s2"))
        if not first and cursor == space_at and not _strong_suffix(m):
            break  # after a bare space only "5栋" continues the list, not "3号" (a date?)
        lo = _canon(m.group("lo"))
        if lo is None:
            break
        if m.group("hi"):
            hi = _canon(m.group("hi"))
            if hi is None:
                break
            found.extend(_expand(lo, hi))
        elif m.group("u"):
            unit = _canon(m.group("u"))
            if unit is None:
                break
            found.append(f"{lo}-{unit}")
            has_suffix = True
        else:
            found.append(lo)
        suffixed = suffixed or has_suffix
        end = len(text[: m.end()].rstrip())
        first = False
        sep = _SEP_RE.match(text, end)
        if sep is not None:
            cursor = sep.end()
            space_at = -1
            continue
        space = _SPACE_RE.match(text, end)
        if space is None:
            break
        cursor = space_at = space.end()
    if not found or (require_suffix and not suffixed):
        return None
    return _unique(found), end


def _strong_suffix(m: re.Match[str]) -> bool:
    suffix = m.group("s2") or m.group("s1") or ""
    return (bool(suffix) and suffix != "号") or bool(m.group("u"))


def parse_buildings(text: str) -> list[str] | None:
    """The whole of `text` as a building list ([] = all), or None if it is not one."""
    text = text.strip()
    found = scan_buildings(text, require_suffix=False)
    if found is None or found[1] != len(text):
        return None
    return found[0]


def _sort_key(building: str) -> tuple[int, int, str]:
    head = building.split("-", 1)[0]
    if head.isdigit():
        return (0, int(head), building)
    return (1, 0, building)


def _unique(buildings: Iterable[str]) -> list[str]:
    return sorted(set(buildings), key=_sort_key)


def covers(notice_buildings: list[str], building: str | None) -> bool:
    """Does a notice for `notice_buildings` ([] = all) cover a resident of `building`?"""
    if not notice_buildings:
        return True
    if not building:
        return False
    return any(building == b or building.startswith(f"{b}-") for b in notice_buildings)


def group_ranges(buildings: list[str]) -> list[tuple[str, str | None]]:
    """["1","2","3","5","A"] -> [("1","3"), ("5",None), ("A",None)]: runs of numbers."""
    out: list[tuple[str, str | None]] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        if len(run) >= 3:
            out.append((str(run[0]), str(run[-1])))
        else:
            out.extend((str(n), None) for n in run)
        run.clear()

    for building in _unique(buildings):
        if building.isdigit() and (not run or int(building) == run[-1] + 1):
            run.append(int(building))
            continue
        flush()
        if building.isdigit():
            run.append(int(building))
        else:
            out.append((building, None))
    flush()
    return out
