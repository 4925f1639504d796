"""Validators: a typed answer -> slot values, or the text key of a kind re-prompt.

Buildings and rooms are parsed by `bot.intents.entities` and checked against the estate
registry when one is configured; phones accept a mainland mobile, a landline with its area
code, and (with REGION=HK) a Hong Kong 8-digit number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from bot.estate import EstateRegistry
from bot.flows.spec import Answer, Slots, Validator
from bot.intents.entities import parse_building, parse_location, parse_phone, parse_room

MAX_SHORT_ANSWER = 120  # a building, room or phone answer longer than this is not one
MAX_DESCRIPTION = 4000

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)

YES_WORDS = frozenset(
    "是 是的 是啊 对 对的 对啊 嗯 嗯嗯 好 好的 确认 确定 没错 有 有的 是呀 对呀 要 需要 同意 可以 行 "
    "系 系呀 系啊 啱 啱啊 冇错 好呀 得 "
    "yes y yeah yep ok okay sure correct right confirm agree".split()
)
NO_WORDS = frozenset(
    "不是 不 否 没有 没 不对 不要 不用 不需要 不同意 错 错了 搞错了 误会 "
    "唔系 唔是 唔对 唔啱 唔要 唔使 冇 no n nope wrong".split()
)
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class Checks:
    """What validators consult: the region (phone formats) and the estate registry."""

    region: Literal["CN", "HK"]
    estate: EstateRegistry
    estates: Any = None  # `bot.estates.Estates`: an estate named in a typed answer


def squash(text: str) -> str:
    """Case-folded, width-folded text without spaces or punctuation: for word lists."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or "").casefold())


def _starts_with_any(word: str, words: frozenset[str]) -> bool:
    """Exact, or begins with a two-letter-or-longer word of the list ("是的有煤气味")."""
    return word in words or any(len(w) >= 2 and word.startswith(w) for w in words)


def _word(text: str) -> str:
    """Squashed, with repeats collapsed: "对对对" -> "对", "嗯嗯" -> "嗯"."""
    return _REPEATS.sub(r"\1", squash(text))


def is_no(text: str) -> bool:
    return _starts_with_any(_word(text), NO_WORDS)


def is_yes(text: str) -> bool:
    return not is_no(text) and _starts_with_any(_word(text), YES_WORDS)


def says_yes(text: str) -> bool:
    """Only a yes ("是的", "对对对", "ok"), nothing else."""
    return _word(text) in YES_WORDS


def says_no(text: str) -> bool:
    """Only a no ("不是", "没有", "no")."""
    return _word(text) in NO_WORDS


def has_words(text: str) -> bool:
    """Some letters or CJK characters (not only emoji, digits or punctuation)."""
    return any(unicodedata.category(ch).startswith("L") for ch in text or "")


def yes_no(slot: str) -> Validator:
    """A validator storing "yes" or "no" in `slot`."""

    def check(text: str, slots: Slots, checks: Checks) -> Answer:
        if is_no(text):
            return Answer(values={slot: "no"})
        if is_yes(text):
            return Answer(values={slot: "yes"})
        return Answer.refuse("resident.invalid.yes_no")

    return check


def confirm_answer(slot: str) -> Validator:
    """A guessed emergency's confirmation: "safe" (nothing is wrong), "no" (not that:
    what is it then?), "yes"."""
    from bot.flows.answers import all_well, denies_all_clear

    def check(text: str, slots: Slots, checks: Checks) -> Answer:
        if denies_all_clear(text):  # "不是误报 真的着火了", "it's not a false alarm": yes
            return Answer(values={slot: "yes"})
        if all_well(text, str(slots.get("intent") or "")):  # not "人没事" in a stuck lift
            return Answer(values={slot: "safe"})
        if is_no(text):
            return Answer(values={slot: "no"})
        if is_yes(text) or has_words(text):  # details instead of a yes: it is happening
            return Answer(values={slot: "yes"})
        return Answer.refuse("resident.invalid.yes_no")

    return check


def still_needed_answer(slot: str) -> Validator:
    """"问题已经解决了吗？" asked of a report whose trouble seemed to go away: "no" (solved, not
    needed: "嗯", "对", "不用了", "好了"), "yes" (still needed: "没有", "还是堵", other words)."""
    from bot.flows.answers import fixed, is_cancel, not_fixed

    def check(text: str, slots: Slots, checks: Checks) -> Answer:
        if not_fixed(text):
            return Answer(values={slot: "yes"})
        if is_cancel(text) or is_yes(text) or fixed(text):
            return Answer(values={slot: "no"})
        if is_no(text) or has_words(text):  # "还没好", or more about the trouble: still wanted
            return Answer(values={slot: "yes"})
        return Answer.refuse("resident.invalid.yes_no")

    return check


def well_answer(slot: str) -> Validator:
    """"现在没事了吗？" asked after the resident said all is well mid-report: "safe" ("嗯",
    "对", "没事了"), "yes" (still send someone: "不是", "还是来看看吧", other words)."""
    from bot.flows.answers import nothing_wrong

    def check(text: str, slots: Slots, checks: Checks) -> Answer:
        if is_no(text) and not nothing_wrong(text):
            return Answer(values={slot: "yes"})
        if is_yes(text) or nothing_wrong(text):
            return Answer(values={slot: "safe"})
        if has_words(text):  # more about the danger: it is not over
            return Answer(values={slot: "yes"})
        return Answer.refuse("resident.invalid.yes_no")

    return check


def plea_answer(slot: str) -> Validator:
    """What a plea for help is about, typed instead of a button: "safe" (nothing is
    wrong), or "other" with the words in `what` (what is happening)."""
    from bot.flows.answers import nothing_wrong

    def check(text: str, slots: Slots, checks: Checks) -> Answer:
        cleaned = (text or "").strip()
        if nothing_wrong(cleaned):
            return Answer(values={slot: "safe"})
        if has_words(cleaned):
            return Answer(values={slot: "other", "what": cleaned[:MAX_DESCRIPTION]})
        return Answer.refuse("resident.invalid.plea")

    return check


def free_text(slot: str) -> Validator:
    """Any words (not only emoji or digits), kept in `slot`."""

    def check(text: str, slots: Slots, checks: Checks) -> Answer:
        cleaned = (text or "").strip()
        if not has_words(cleaned):
            return Answer.refuse("resident.invalid.description")
        return Answer(values={slot: cleaned[:MAX_DESCRIPTION]})

    return check


_FLOOR_RE = re.compile(
    r"(?:第)?(?:([0-9]{1,3})(?![0-9])(?!\s*(?:栋|幢|座|号|单元|岁|%|点|分|个|人|度|米|次|天|年|月|日|多))"
    r"\s*(?:楼|层|f\b|/f)?|([一二三四五六七八九十两]{1,4})\s*(?:楼|层))",
    re.I,
)
_FLAT_RE = re.compile(r"(?<![\d\-])(\d{3,4})(?![\d\-])(?!\s*(?:楼|层|栋|幢|座|号楼|岁|%|块|元|米))")
_FLOOR_WORD = re.compile(r"\d\s*(?:楼|层|f\b|/f)", re.I)
_SPOKEN_FLOOR_RE = re.compile(r"^\s*第?([一二三四五六七八九十两]{1,4})\s*$")


HOTLINES = re.compile(
    r"(?<!\d)(?:110|119|120|122|999|112|911|12110|12356|96333|95598)(?!\d)"
    r"|(?:打|拨|call|dial)\s*1\d{4}(?!\d)"
)
"""Emergency and public service numbers (lift rescue 96333, the power company 95598, a
five-digit line called: "打12345投诉"): in "119打了" they are no floor, room or address."""


NO_ADDRESS = re.compile(
    r"(?:工单|单号|订单|收据|发票|快递|运单|ticket|order|receipt)\s*(?:号码|号|no\.?)?\s*"
    r"(?:是|为|is)?\s*[:：#＃]?\s*"
    r"[a-z]*\d[\d\-]*"  # "工单#37", "收据号20240115-078"
    r"|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][a-z]\s?[a-z0-9]{4,6}"  # 粤B12345
    r"|(?<![a-z])b\d\s*[-－]\s*\d{1,4}|车位\s*[a-z]?\d+|[a-z]?\d+\s*号?车位"  # B2-118, 168号车位
    r"|\d{1,2}[:：]\d{2}|\d+(?:\.\d+)?\s*(?:岁|歲|%|％|点|點|分钟|分鐘|分|个|個|人|度|平米|平方|平|㎡|米|次|天|年|月|日|"
    r"号线|元|多|小时|小時|sqm|sq\s?m|m2|min|mins|minutes|years?|yo\b|yrs?|sui\b|"
    r"am\b|pm\b|hours?|hrs?|months?|times?\b)",
    re.I,
)
"""Numbers that are counts, ages, times, sizes, car plates, parking spaces, ticket or
receipt numbers: no building, flat or phone."""


def addressable(text: str) -> str:
    """`text` without the numbers that are no address (NO_ADDRESS), for reading one."""
    return NO_ADDRESS.sub(" ", text or "")
_FLOOR_SAID = re.compile(r"\d+\s*(?:楼|层|lou\b|ceng\b)(?![\d号])", re.I)
_PHONE_TRY = re.compile(r"\d(?:[\s\-()]{0,2}\d){4,}")


def tries_answer(text: str, step: str) -> bool:
    """Whether a message that answers nothing was a try at the question (a number where
    a building, flat or phone goes) rather than words about what is happening: "6岁 穿黄衣服",
    "我们在14楼" at the building question, "8楼和9楼中间" or "B区23号" at the phone question,
    "119打了" anywhere are words (kept for staff), "3栋" or "138001" tries."""
    rest = addressable(HOTLINES.sub(" ", text or ""))
    if step == "phone":
        return bool(_PHONE_TRY.search(rest))
    if step in ("building", "place_building"):
        rest = _FLOOR_SAID.sub(" ", rest)  # a floor is no building
    return any(ch.isdigit() for ch in rest)


def floor(text: str, slots: Slots, checks: Checks) -> Answer:
    """Which floor ("12楼", "十二层", "12F", "12", "十二"); not an emergency number ("119打了"),
    a count or an age ("6岁", "一股糊味", "一大堆"), nor a building ("10栋")."""
    from bot.intents.numerals import to_arabic

    text = HOTLINES.sub(" ", text or "")
    flat = _FLAT_RE.search(text)
    if flat and not _FLOOR_WORD.search(text):  # "我住1805 门口都是烟": the 18th floor
        return Answer.accept(floor=str(int(flat.group(1)[:-2])))
    match = _FLOOR_RE.search(text) or _SPOKEN_FLOOR_RE.search(text)
    said = next((g for g in match.groups() if g), None) if match else None
    value = to_arabic(said) if said else None
    if value is None or not 0 < int(value) < 200:
        return Answer.refuse("resident.invalid.floor")
    return Answer.accept(floor=value)


_NOT_A_FLAT = re.compile(r"(?:电话|手机|号码|打我|打给|微信)\D{0,6}\d+|\d+\s*(?:岁|了|多岁)")
"""Numbers that are not a flat in an answer to "哪一户？": a phone begun, an age."""


def building(text: str, slots: Slots, checks: Checks) -> Answer:
    if len(text) > MAX_SHORT_ANSWER:
        return Answer.refuse("resident.invalid.too_long")
    text = addressable(text)  # "B2-118" is a parking space, "工单#37" a ticket
    if not _ONLY_A_NUMBER.match(text):  # "我打咗999 话号码唔啱" (blind EK11): no flat 999
        text = _NOT_A_FLAT.sub(" ", HOTLINES.sub(" ", text))
    found, room = parse_location(text)
    found = found or parse_building(text)
    if found is None:
        if room is not None:
            return Answer.refuse("resident.invalid.building_first", room=room)
        return Answer.refuse("resident.invalid.building")
    if not checks.estate.has_building(found):
        return Answer.refuse(
            "resident.invalid.building_unknown",
            building=found,
            known=checks.estate.building_list(),
        )
    values: dict[str, str] = {"building": found}
    room = room or slots.get("_room") or flat_on_floor(text)  # said before the building
    # ("1202" ... "3栋"), or a flat of the floor said ("Block 9 floor 17, 1703")
    if room is not None and checks.estate.has_room(found, room):
        values["room"] = room
    return Answer.accept(**values)


def place_building(text: str, slots: Slots, checks: Checks) -> Answer:
    """The building of a place inside one ("电梯里" -> "3栋"); a room said too is dropped."""
    answer = building(text, slots, checks)
    if not answer.ok:
        return answer
    return Answer.accept(place_building=True, building=answer.values["building"])


_FLOOR_SAID = re.compile(
    r"(?:floor|level|fl\.?)\s*(\d{1,2})(?!\d)|(?<!\d)(\d{1,2})\s*(?:楼|层|/f|f\b|th floor|st floor|nd floor|rd floor)",
    re.I,
)


def flat_on_floor(text: str) -> str | None:
    """A flat whose number begins with the floor said beside it ("Block 9 floor 17, 1703",
    "9栋 17楼 1703"; blind DN07); None when the words say no floor or no such flat."""
    floors = {a or b for a, b in _FLOOR_SAID.findall(text or "")}
    if len(floors) != 1:
        return None
    (floor,) = floors
    flats = [n for n in _ROOM_NUMBER_RE.findall(text) if n.startswith(floor) and len(n) == len(floor) + 2]
    return flats[0] if len(flats) == 1 else None


_ONLY_A_NUMBER = re.compile(r"^\s*\d{3,4}\s*[室号]?\s*$")
_ROOM_NUMBER_RE = re.compile(r"(?<![0-9])([0-9]{3,4})(?![0-9])")


def room(text: str, slots: Slots, checks: Checks) -> Answer:
    if len(text) > MAX_SHORT_ANSWER:
        return Answer.refuse("resident.invalid.too_long")
    if not _ONLY_A_NUMBER.match(text):  # "我打119了 快来人": the fire service, no flat
        text = HOTLINES.sub(" ", addressable(text))
        # "电话打我老婆的139" (blind EH05): digits of a phone, "她78了": an age; no flat
        text = _NOT_A_FLAT.sub(" ", text)
    found_building, found = parse_location(text)
    said_building = found_building
    if found_building is None or found is None:  # "1202" alone: a room, not a building
        found_building, found = None, parse_room(text)
    if found is None:  # "我家是1202": the one flat number in the words
        numbers = _ROOM_NUMBER_RE.findall(text)
        found = numbers[0] if len(numbers) == 1 else None
    known = str(slots.get("building") or "")
    if found_building and found_building.endswith("单元") and known and "-" not in known:
        found_building = f"{known}-{found_building[:-2]}"  # 12栋, then "二单元七零二": 12-2
    the_building = found_building or slots.get("building")
    if found is None:
        unit = (  # 16栋, then "1单元" (blind EW06): the unit kept, its flat asked for
            f"{known}-{said_building[:-2]}"
            if said_building and said_building.endswith("单元") and known and "-" not in known
            else None
        )
        if unit is not None and checks.estate.has_building(unit):
            return Answer.refuse("resident.invalid.room", example=_example_room(checks, unit), unit_of=unit)
        return Answer.refuse("resident.invalid.room", example=_example_room(checks, the_building))
    if found_building and not checks.estate.has_building(found_building):
        return Answer.refuse(
            "resident.invalid.building_unknown",
            building=found_building,
            known=checks.estate.building_list(),
        )
    if not checks.estate.has_room(the_building, found):
        return Answer.refuse(
            "resident.invalid.room_unknown",
            building=the_building or "",
            room=found,
            example=_example_room(checks, the_building),
        )
    values = {"room": found}
    if found_building:
        values["building"] = found_building
    return Answer.accept(**values)


def _example_room(checks: Checks, the_building: str | None) -> str:
    return checks.estate.example_room(the_building) or "1202"


def phone(text: str, slots: Slots, checks: Checks) -> Answer:
    """A phone number; a mobile sent in two messages ("电话 139 0571", then "2846") is
    joined: the first part is kept (slot PHONE_PART, by the engine) and the rest asked for."""
    if len(text) > MAX_SHORT_ANSWER:
        return Answer.refuse("resident.invalid.too_long")
    begun = str(slots.get(PHONE_PART) or "")
    if begun:
        joined = phone_rest(begun, text)
        if joined is not None and len(joined) == MOBILE_DIGITS:
            return Answer.accept(phone=joined)
        if joined is not None:  # "139", "0571", then "2846": still more to come
            return asked_for_rest(joined)
    found = parse_phone(text, checks.region) or other_phone(text)
    if found is None:
        part = phone_begun(text)
        if part is not None:
            return asked_for_rest(part)
        key = "resident.invalid.phone_hk" if checks.region == "HK" else "resident.invalid.phone"
        return Answer.refuse(key)
    return Answer.accept(phone=found)


MOBILE_DIGITS = 11
PHONE_PART = "phone_part"
"""Slot (and ticket extra): a mobile's first digits, sent without the rest."""
_PHONE_WORD_RE = re.compile(
    r"(?:联系电话|电话号码|手机号码|手机号|电话|手机|号码|后面|后几位|后四位|前面|前几位|"
    r"my number is|my number|number|phone|tel|mobile)\s*(?:是|为|is|:|：)?",
    re.I,
)
_DIGITS_ONLY_RE = re.compile(r"^[\d\s\-]+$")


def _digits_said(text: str) -> tuple[str, bool] | None:
    """(the digits, whether a phone word was said) of a message that is only digits, with
    spaces or dashes and words for a phone ("电话 139 0571", "2846", "后四位2846")."""
    rest = _PHONE_WORD_RE.sub(" ", unicodedata.normalize("NFKC", text or ""))
    worded = rest != unicodedata.normalize("NFKC", text or "")
    rest = rest.strip(" ，,。.:：")
    if not rest or not _DIGITS_ONLY_RE.match(rest):
        return None
    return re.sub(r"\D", "", rest), worded


def phone_begun(text: str) -> str | None:
    """The digits of a mainland mobile begun and not finished ("电话 139 0571" -> "1390571"):
    five to eight digits from 13-19, or three or more after a phone word (a bare "1502" is a
    flat, not a phone begun; nine or ten digits are a mobile mistyped, asked again)."""
    said = _digits_said(text)
    if said is None:
        return None
    digits, worded = said
    if not re.match(r"^1[3-9]", digits) or len(digits) > MOBILE_DIGITS - 3:
        return None
    return digits if len(digits) >= 5 or (worded and len(digits) >= 3) else None


def phone_rest(begun: str, text: str) -> str | None:
    """`begun` followed by the digits of `text` when that is a mobile, finished or still
    begun ("1390571" + "2846" -> "13905712846"); None when `text` is not more digits of it."""
    said = _digits_said(text)
    if said is None or not said[0]:
        return None
    joined = begun + said[0]
    return joined if len(joined) <= MOBILE_DIGITS else None


def asked_for_rest(part: str) -> Answer:
    """The refusal that keeps a mobile's first digits and asks for the rest."""
    shown = " ".join(part[i : i + 4] for i in range(3, len(part), 4))
    return Answer.refuse(
        "resident.invalid.phone_part",
        **{PHONE_PART: part},
        digits=f"{part[:3]} {shown}".strip(),
        missing=MOBILE_DIGITS - len(part),
    )


_NUMBER_RUN = re.compile(r"(?<![\d+])(\+?)\s?(\d(?:[\s\-()]{0,2}\d){6,14})(?!\d)")


def other_phone(text: str) -> str | None:
    """A number given at the phone question that is no mainland mobile or landline with
    its area code, but one staff can call: a local landline without the area code or a
    Hong Kong / Macau number (7-8 digits, "6234 8891"), a number with its country code
    ("+886 912 345 678", "+65 9123 4567"), a Taiwanese mobile ("0912 345 678"), a landline
    written with spaces ("0571-8888 6666"). A mobile with a digit too many or too few
    ("1381234567") is none: asked again."""
    for match in _NUMBER_RUN.finditer(text or ""):
        plus, digits = match.group(1), re.sub(r"\D", "", match.group(2))
        if plus:
            if 8 <= len(digits) <= 15:
                return f"+{digits}"
            continue
        if digits[0] == "1":
            continue  # a mainland mobile mistyped
        if len(digits) in (7, 8) and digits[0] != "0":
            return digits
        if digits[0] == "0" and 10 <= len(digits) <= 12:
            return digits
    return None


def place(text: str, slots: Slots, checks: Checks) -> Answer:
    """A place outside the flats, in the resident's words ("北门停车场")."""
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_SHORT_ANSWER:
        return Answer.refuse("resident.invalid.too_long")
    if not has_words(cleaned) or len(cleaned) < 2:
        return Answer.refuse("resident.invalid.place")
    return Answer.accept(place=cleaned)


def description(text: str, slots: Slots, checks: Checks) -> Answer:
    cleaned = (text or "").strip()
    if not has_words(cleaned):
        return Answer.refuse("resident.invalid.description")
    if len(cleaned) > MAX_DESCRIPTION:
        cleaned = cleaned[:MAX_DESCRIPTION] + "…"
    return Answer.accept(description=cleaned)


def estate(text: str, slots: Slots, checks: Checks) -> Answer:
    """Which estate: its name (or a part of it only one estate has), or its number."""
    found = checks.estates.by_name(text) if checks.estates is not None else None
    if found is None:
        names = "、".join(e.name for e in checks.estates.all) if checks.estates else ""
        return Answer.refuse("resident.invalid.estate", names=names)
    return Answer.accept(estate=found.id)
