"""Building, room and phone numbers in resident messages.

Canonical forms:

- building: the building's own id, digits or letters: "3栋"/"3號樓"/"三栋"/"3#"/"#3" -> "3",
  "A座"/"B栋" -> "A"/"B", "Block 5" -> "5". With a unit (单元): "3栋2单元"/"3-2-1202" -> "3-2";
  a unit alone: "2单元". A bare 3-4 digit number ("1202", "一二零二") is a room, not a building.
- room: "1202室"/"1202"/"一二零二"/"12楼02"/"十二楼02" -> "1202", "12B"/"12楼B室" -> "12B"
  (letters upper case).
- phone: digits only: mainland mobile "13812345678" (+86 dropped), Hong Kong "91234567"
  (+852 dropped), landline with area code "020-12345678".

`extract_entities` finds them in a message and returns the text with them removed (that text
is what the classifier matches). The `parse_*` functions validate a resident's answer in a
conversation; they accept the same forms plus a bare answer ("3", "1202").
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Literal

from bot.intents.numerals import CHARS as _CN_CHARS
from bot.intents.numerals import SPOKEN, chinese_to_int, spoken_digits, to_arabic

Region = Literal["CN", "HK"]


@dataclass(frozen=True, slots=True)
class Entities:
    building: str | None = None
    room: str | None = None
    phone: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def __bool__(self) -> bool:
        return any((self.building, self.room, self.phone))


# Folding used by the parsers, so they work on raw answers without OpenCC: full-width ->
# ASCII and the few Traditional characters of addresses and phone words.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20})
_FOLD.update(
    {ord(t): ord(s) for t, s in zip("號樓棟單門層兩電話幢", "号楼栋单门层两电话幢", strict=True)}
)

_CN = f"[{_CN_CHARS}]{{1,4}}"
_ID = rf"(?:\d{{1,3}}[a-z]?|[a-z]\d{{0,2}}|{_CN})"
_SEP = r"(?:[\s\-/]|的)*"  # 3栋1202, 3栋 1202, 3-1202, 6栋的1703

# --- phones ----------------------------------------------------------------------------
_MOBILE_RE = re.compile(r"(?<![\d+])(?:\+?\s?86[\s\-]*)?(1[3-9]\d(?:[\s\-]?\d){8})(?!\d)")
_LANDLINE_RE = re.compile(r"(?<![\d+])\(?(0\d{2,3})\)?[\s\-]?(\d{7,8})(?!\d)")
_HK_PREFIXED_RE = re.compile(r"(?<!\d)\+?\s?852[\s\-]*([2-9]\d{3}[\s\-]?\d{4})(?!\d)")
_HK_BARE_RE = re.compile(r"(?<![\d+])([2-9]\d{3}[\s\-]?\d{4})(?!\d)")

# --- buildings and rooms ---------------------------------------------------------------
_BUILDING_CORE = (
    rf"(?:第\s*)?(?P<b>{_ID})\s*(?:号楼|号栋|栋|幢|座|#楼?|号(?=\s*\d{{1,2}}\s*(?:单元|门|梯))"
    r"|(?<=\d)东(?![门边面侧区路头西南北部家方]))"  # "6东": the IME's 栋
    # the unit: 2单元; northern 3门, Guangdong 2梯 (a digit before it: not 东门, 电梯)
    rf"(?:{_SEP}(?:(?P<u>{_ID})\s*单元|(?P<u2>\d{{1,2}})\s*(?:门(?![口卫岗禁铃锁外前后面边])|梯(?!子))))?"
)
# a house: 别墅28号, 28号别墅, villa 28 (no flat in it: the building is the whole address)
_HOUSE = (
    r"(?:(?:别墅|独栋|联排)\s*(?:区\s*)?(?:第\s*)?(?P<v>\d{1,3}[a-z]?)\s*(?:号|栋|幢)?"
    r"|(?P<v2>\d{1,3}[a-z]?)\s*号?\s*(?:别墅|独栋)(?!区)"
    r"|(?<![a-z])villa\s*#?\s*(?P<v3>\d{1,3}[a-z]?)(?![\da-z]))"
)
HOUSE_SUFFIX = "号别墅"
_BUILDING_EN = (
    r"(?:block|blk|bldg|building|tower|tower)\.?\s*#?\s*(?P<b>\d{1,3}[a-z]?|[a-z]\d{0,2})(?![a-z])"
    # "Building 9, unit 2, 1706", "Building 9 unit 2, 17th floor": a unit of one or two
    # digits after the block is its 单元 (a flat has three or four)
    r"(?:[\s,]+unit\s*(?P<u>\d{1,2})(?![\d:a-z]))?"
)
_UNIT_ONLY = rf"(?P<u>{_ID})\s*单元"
_CN_ROOM = "[零〇一二三四五六七八九]{3,4}"
_ROOM_TAIL = rf"(?:{_SEP}(?:(?P<r>\d{{3,4}}[a-z]?|\d{{1,2}}[a-z](?![a-z])|{_CN_ROOM})\s*(?:室|号房|房|号(?!楼))?))?"

# "#3" (not "room #3" / "rm #3": no word just before the #)
_BUILDING_HASH = (
    r"(?<![\da-z#])(?<![a-z]\s)(?<![a-z]\.)(?<![a-z]\.\s)#\s*(?P<b>\d{1,3}[a-z]?|[a-z]\d{0,2})"
    r"(?![\da-z])(?!\s*-\s*\d)(?:\s*(?:号楼|号栋|栋|幢|座|楼))?"  # not Singapore's #07-02
)

_LOCATION_RES = [
    re.compile(rf"(?<![\da-z]){_BUILDING_CORE}{_ROOM_TAIL}"),
    re.compile(rf"{_BUILDING_HASH}{_ROOM_TAIL}"),
    re.compile(
        rf"(?<![a-z]){_BUILDING_EN}(?:[\s,\-/]*(?:(?:flat|room|rm|apt)\.?\s*#?\s*)?"
        r"(?P<r>\d{3,4}[a-z]?|\d{1,2}[a-z](?![a-z]))(?![\da-z]))?"
    ),
    re.compile(rf"(?<![\da-z]){_UNIT_ONLY}{_ROOM_TAIL}"),
    re.compile(rf"(?<![\d]){_HOUSE}"),
]
_ROOM_RES = [
    # 1202室, 1202房, 一二零二室
    re.compile(rf"(?<![\da-z])(?P<r>\d{{3,4}}[a-z]?|{_CN_ROOM})\s*(?:室|号房|房间|房)"),
    # 12楼02, 十二楼02 (floor, then the flat on that floor), not "3楼20人"
    re.compile(
        r"(?<![\d零〇一二三四五六七八九十两])(?P<f>\d{1,2}|[一二三四五六七八九十两]{1,3})\s*(?:楼|层)\s*"
        r"(?P<n>\d{2})(?!\d|\s*(?:[点:元块分钟月日人个岁天年次楼层栋座幢%.]|号楼))"
        r"\s*(?:室|号房|房|号)?"
    ),
    # 4楼401 (the floor, then the whole flat number)
    re.compile(
        r"(?<![\d零〇一二三四五六七八九十两])(?:\d{1,2}|[一二三四五六七八九十两]{1,3})\s*(?:楼|层)\s*"
        r"(?P<r>\d{3,4})(?!\d|\s*(?:[点:元块分钟月日人个岁天年次楼层栋座幢%.]|号楼))"
    ),
    # 12楼B室, 12/F B, 12层b
    re.compile(
        r"(?<!\d)(?P<f>\d{1,2})\s*(?:楼|层|/f)[\s,]*(?:flat|unit|rm\.?|room)?\s*(?P<x>[a-h])(?![a-z])"
        r"\s*(?:室|座|号)?"
    ),
    # Flat D, 9/F (Hong Kong English, the flat first)
    re.compile(r"(?<![a-z])(?:flat|unit)\s*(?P<x>[a-h])[\s,]+(?P<f>\d{1,2})\s*/f"),
    # room 1202, flat 12B, rm 1202, unit 12b, apt 3a
    re.compile(
        r"(?<![a-z])(?:room|rm|flat|unit|apt|apartment|房号|门牌号?)\.?\s*(?:no\.?)?\s*#?\s*"
        r"(?P<r>\d{1,4}[a-z]?)(?![\da-z])"
    ),
    # I'm in 1704, we live at 2203 (English: the resident's own flat)
    re.compile(
        r"(?<![a-z])(?:i'?m|i am|we'?re|we are|i live|we live|i stay)\s+(?:in|at)\s+"
        r"(?:flat|room|apt|unit)?\s*#?\s*(?P<r>\d{3,4}[a-z]?)(?![\da-z])"
    ),
    # #07-02 (Singapore: the 7th floor, flat 02)
    re.compile(r"(?<![\da-z])#\s*(?P<f>\d{1,2})\s*-\s*(?P<n>\d{2,3})(?![\d\-])"),
    # 3-2-1202 (building-unit-room)
    re.compile(
        r"(?<![\d\-])(?P<b>\d{1,2})\s*-\s*(?P<u>\d{1,2})\s*-\s*(?P<r>\d{3,4}[a-z]?)(?![\d\-])"
    ),
    # 3-1202 (building-room)
    re.compile(r"(?<![\d\-])(?P<b>\d{1,2})\s*-\s*(?P<r>\d{3,4})(?![\d\-])"),
]
_BARE_BUILDING_RE = re.compile(rf"^\s*(?:第\s*)?({_ID})\s*(?:号)?\s*$")
_BARE_ROOM_RE = re.compile(rf"^\s*(\d{{3,4}}[a-z]?|\d{{1,2}}[a-z]|{_CN_ROOM})\s*(?:室|号)?\s*$")
_BARE_NUMBER_RE = re.compile(
    r"(?<![\d.:])(?<!电话)(?<!手机)(\d{3,4})(?![\d.:点号楼层栋座幢元块%年月日])"
)
_BARE_PAIR_RE = re.compile(r"^\s*(\d{1,3}[a-z]?)\s*[\s\-/]\s*(\d{3,4}[a-z]?)\s*$")

# Cheap tests before the full patterns (most messages have no phone, many no address).
_PHONE_HINT_RE = re.compile(r"\d(?:[\s\-()]{0,2}\d){6}")
_BUILDING_HINT_RE = re.compile("[栋幢座#]|\\d东|号楼|单元|block|blk|bldg|building|tower|别墅|独栋|villa|\\d\\s*[门梯]")
_ROOM_HINT_RE = re.compile(r"[室房楼层]|/f|room|rm|flat|unit|apt|门牌|\d\s*-\s*\d|\b(?:in|at)\s+#?\d")
_QUICK_RE = re.compile(
    rf"[\d#]|[{_CN_CHARS}a-z][栋座幢号单]|block|blk|bldg|building|tower|room|flat|\brm\b|apt"
)


def _fold(text: str) -> str:
    return spoken_digits(text.translate(_FOLD).casefold())


def _canon_id(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    arabic = to_arabic(raw)
    if arabic is not None:
        return arabic
    if raw.isascii():
        return raw.upper()
    return None


def _canon_room(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    if raw.isascii():
        return raw.upper()
    arabic = to_arabic(raw)
    return arabic if arabic is not None and len(arabic) >= 3 else None


def _building(b: str | None, u: str | None) -> str | None:
    building, unit = _canon_id(b), _canon_id(u)
    if building and unit:
        return f"{building}-{unit}"
    if unit:
        return f"{unit}单元"
    return building


def _floor_flat(floor: str, flat: str) -> str | None:
    """Floor "12" and flat "02" -> room "1202"; None unless the floor is 1-99."""
    number = to_arabic(floor)
    if number is None or not 1 <= int(number) <= 99:
        return None
    return f"{int(number)}{flat}"


def _is_room_number(raw: str) -> bool:
    """A bare 3-4 digit number, Arabic or Chinese digit by digit ("1202", "一二零二")."""
    if len(raw) < 3:
        return False
    if raw.isascii():
        return raw.isdigit()
    return all(ch in "零〇一二三四五六七八九" for ch in raw)


def _phone_spans(text: str, region: Region | None) -> list[tuple[int, int, str]]:
    if not _PHONE_HINT_RE.search(text):
        return []
    found: list[tuple[int, int, str]] = []
    for m in _MOBILE_RE.finditer(text):
        found.append((m.start(), m.end(), re.sub(r"\D", "", m.group(1))))
    for m in _HK_PREFIXED_RE.finditer(text):
        found.append((m.start(), m.end(), re.sub(r"\D", "", m.group(1))))
    for m in _LANDLINE_RE.finditer(text):
        found.append((m.start(), m.end(), f"{m.group(1)}-{m.group(2)}"))
    if region != "CN":
        for m in _HK_BARE_RE.finditer(text):
            found.append((m.start(), m.end(), re.sub(r"\D", "", m.group(1))))
    return _without_overlaps(found)


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Earliest, then longest spans win; overlapping later ones are dropped."""
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span blanked out by spaces (offsets stay valid)."""
    for start, end in spans:
        text = f"{text[:start]}{' ' * (end - start)}{text[end:]}"
    return text


def _find_location(text: str) -> tuple[str | None, str | None, str]:
    """(building, room, text with them blanked out)."""
    building: str | None = None
    room: str | None = None
    spans: list[tuple[int, int]] = []
    for pattern in _LOCATION_RES if _BUILDING_HINT_RE.search(text) else ():
        said: list[tuple[str, str | None, str]] = []  # (building, room, the words before)
        for m in pattern.finditer(text):
            groups = m.groupdict()
            house = groups.get("v") or groups.get("v2") or groups.get("v3")
            b = (
                f"{_canon_id(house)}{HOUSE_SUFFIX}"
                if house
                else _building(groups.get("b"), groups.get("u") or groups.get("u2"))
            )
            if b is None:
                continue
            before = text[max(0, m.start() - 8) : m.start()]
            if m.group().lstrip().startswith("第") and _POSITION_RE.search(before):
                continue  # "进门左手第二栋": the second building on the left, not No. 2
            said.append((b, _canon_room(groups.get("r")), before))
            spans.append(m.span())
        if said:
            building, room = _current(said)
            text = _cut(text, spans)
            break
    for pattern in _ROOM_RES if _ROOM_HINT_RE.search(text) else ():
        found = pattern.search(text)
        if found is None:
            continue
        parts = found.groupdict()
        if "n" in parts:
            candidate: str | None = _floor_flat(parts["f"], parts["n"])
        elif "f" in parts:
            candidate = f"{int(parts['f'])}{parts['x'].upper()}"
        else:
            candidate = _canon_room(parts["r"])
        if candidate is None:
            continue
        if "b" in parts and building is None:
            building = _building(parts["b"], parts.get("u"))
        room = room or candidate
        text = _cut(text, [found.span()])
        break
    return building, room, text


_POSITION_RE = re.compile(r"(?:左手边?|右手边?|左边|右边|左侧|右侧|往里|往前|进门|倒数|数过去|这排|那排|前排|后排)\s*$")
"""Words before "第二栋" that count buildings by position, not by number."""
_OLD_RE = re.compile(r"(?:以前|之前|原来|原先|先前|旧|老家|old|used to|previously)[^\d栋幢座]{0,4}$")
"""Words before an address that say it is no longer the resident's ("以前住5栋，现在是12栋")."""
_NOW_RE = re.compile(r"(?:现在|如今|新家|新的|搬到|搬去|搬进|now|new)[^\d栋幢座]{0,4}$")
"""Words before an address that say it is the resident's now."""


def _current(said: list[tuple[str, str | None, str]]) -> tuple[str, str | None]:
    """The address meant among several in one message (each with the words just before it):
    the last said to be "now", else the first not said to be old ("以前住5栋，现在是12栋2单元803"
    is 12栋2单元803), with its own flat; when none is marked, the first block with the first
    flat said, as before."""
    if len(said) == 1:
        return said[0][0], said[0][1]
    marked = [i for i, (_, _, before) in enumerate(said) if _NOW_RE.search(before)]
    fresh = [i for i, (_, _, before) in enumerate(said) if not _OLD_RE.search(before)]
    if marked or len(fresh) < len(said):
        pick = marked[-1] if marked else fresh[0] if fresh else 0
        return said[pick][0], said[pick][1]
    return said[0][0], next((r for _, r, _ in said if r), None)


def extract_entities(text: str, region: Region | None = None) -> tuple[Entities, str]:
    """Entities in `text` and the text with them cut out (each replaced by a space).

    `region=None` accepts both mainland and Hong Kong phone numbers.
    """
    folded = _fold(text)
    if not _QUICK_RE.search(folded):
        return Entities(), folded
    phones = _phone_spans(folded, region)
    phone = phones[0][2] if phones else None
    rest = _cut(folded, [(s, e) for s, e, _ in phones])
    building, room, rest = _find_location(rest)
    return Entities(building, room, phone), rest


def parse_phone(text: str, region: Region = "CN") -> str | None:
    """The first phone number in `text`, normalised (see module doc), or None.

    Mainland mobiles and landlines with an area code are accepted in both regions; a bare
    Hong Kong 8-digit number (first digit 2-9) only with region="HK" (with +852 in both).
    """
    phones = _phone_spans(_fold(text or ""), region)
    return phones[0][2] if phones else None


_SPOKEN_ROOM_RE = re.compile("[零〇洞幺一二两三四五六七八九十]{3,5}")
_ZEROS = "零〇洞"


def _spoken_room(match: re.Match[str]) -> str:
    """A flat said as words: the floor, then the flat's digits one by one after the zero
    ("四零一" 401, "十二零二" 1202, "幺幺零三" 1103); anything else unchanged."""
    run = match.group()
    cut = next((i for i, ch in enumerate(run) if ch in _ZEROS), -1)
    if cut <= 0 or "十" in run[cut:]:
        return run
    left, right = run[:cut], run[cut:]
    floor = (
        chinese_to_int(left)
        if "十" in left
        else int("".join(str(SPOKEN[ch]) for ch in left))
    )
    digits = "".join(str(SPOKEN[ch]) for ch in right)
    room = f"{floor}{digits}" if floor else ""
    return room if 3 <= len(room) <= 4 else run


_PINYIN_ADDRESS = (
    (re.compile(r"(\d{1,3})\s*(?:hao\s*lou|dong|zhuang|zuo)\b"), r"\1栋"),
    (re.compile(r"(\d{1,2})\s*dan\s*yuan\b"), r"\1单元"),
    (re.compile(r"(\d{3,4})\s*shi\b"), r"\1室"),
)


def _fold_answer(text: str) -> str:
    """An answer folded as `_fold` does, with flats said as words written as digits, and
    an address typed in toneless pinyin written in Chinese ("12 hao lou 601", "3 dong 2
    danyuan 1202"); only for answers: a message's words are left alone."""
    folded = _SPOKEN_ROOM_RE.sub(_spoken_room, _fold(text))
    if folded.isascii() and any(ch.isdigit() for ch in folded):
        for pattern, chinese in _PINYIN_ADDRESS:
            folded = pattern.sub(chinese, folded)
    return folded


_CORRECTED_RE = re.compile(
    r"不对|不是|说错|打错|写错|搞错|记错|应该是|更正|改为|改成|(?<![a-z])(?:sorry|i mean|correction|actually)(?![a-z])"
)
"""Words that take back what was said before them ("5栋1单元 不对 是5栋2单元 901")."""

_NOT_MINE_RE = re.compile(r"不是我(?:的|家|那|这)[^是]{0,6}我(?:的|家|自己的?)(?:是|在)")
"""The resident's own home said to be not the one meant ("不是我那套 我的是17栋")."""


def parse_location(text: str) -> tuple[str | None, str | None]:
    """(building, room) in an answer such as "3栋1202", "5座12B", "3-1202" or "3 1202";
    an address after words that take back the one before it wins ("5栋1单元 不对 是5栋2单元
    901" is 5栋2单元901; "3栋1202 不对 是1205" keeps the block)."""
    folded = _fold_answer(text or "")
    building, room = _location(folded)
    if building is None and room is None:
        return building, room
    return _instead(folded, building, room) or (building, room)


def taken_back(text: str, building: str | None, room: str | None) -> tuple[str | None, str | None] | None:
    """The address said after words that take back `building`/`room` (found first in
    `text`), or None when nothing is taken back."""
    return _instead(_fold_answer(text or ""), building, room)


def _instead(
    folded: str, building: str | None, room: str | None
) -> tuple[str | None, str | None] | None:
    for marker in reversed(list(_CORRECTED_RE.finditer(folded))):
        if _NOT_MINE_RE.match(folded, marker.start()):
            continue  # "她住10栋1单元301 不是我那套 我的是17栋的": the later one is not meant
        later_building, later_room = _said_instead(folded[marker.end() :])
        if later_building is None and later_room is None:
            continue
        if later_building is None:
            return building, later_room
        return later_building, later_room if later_room is not None else (
            room if later_building == building else None
        )
    return None


def _said_instead(tail: str) -> tuple[str | None, str | None]:
    """The address said after "不对": after its last "是" when one follows ("不是5栋的 是3栋
    1202"), else the first; a bare flat number ("不对 是1205") is a flat."""
    for said in reversed(list(re.finditer(r"是|(?<![a-z])is(?![a-z])", tail))):
        found = _location(tail[said.end() :])
        if found != (None, None):
            return found
        bare = _BARE_NUMBER_RE.search(tail[said.end() :])
        if bare and not _PHONE_HINT_RE.search(tail):
            return None, bare.group(1)
    return _location(tail)


def _location(folded: str) -> tuple[str | None, str | None]:
    pair = _BARE_PAIR_RE.match(folded)
    if pair:
        return _canon_id(pair.group(1)), _canon_room(pair.group(2))
    rest = _cut(folded, [(s, e) for s, e, _ in _phone_spans(folded, None)])
    building, room, left = _find_location(rest)
    if building is not None and room is None:  # "我家是1202，在11栋": the other number is the room
        bare = _BARE_NUMBER_RE.search(left)
        room = bare.group(1) if bare else None
    if building is None and room is None:
        building = parse_building(folded)
        if building is None:
            room = parse_room(folded)
    return building, room


def parse_building(text: str) -> str | None:
    """The building in an answer: "3栋", "三号楼", "A座", "Block 5", or just "3"."""
    folded = _fold_answer(text or "")
    bare = _BARE_BUILDING_RE.match(folded)
    if bare:
        return None if _is_room_number(bare.group(1)) else _canon_id(bare.group(1))
    building, _, _ = _find_location(folded)
    return building


def parse_room(text: str) -> str | None:
    """The room in an answer: "1202室", "12B", "room 1202", "3栋1202", or just "1202"."""
    folded = _fold_answer(text or "")
    bare = _BARE_ROOM_RE.match(folded)
    if bare:
        return _canon_room(bare.group(1))
    _, room, _ = _find_location(folded)
    return room
