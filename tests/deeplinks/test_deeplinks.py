"""Signed deep links (t.me/<bot>?start=<payload>): what they carry, that they cannot be
forged, and what a resident who scans one sees at /start."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import deeplinks
from bot.config import Settings
from bot.deeplinks import BadLink, Place

KEY = deeplinks.link_key(Settings(_env_file=None, deeplink_secret="s3cret"))  # type: ignore[call-arg]
ALLOWED = re.compile(r"[A-Za-z0-9_-]{1,64}")


def test_a_flat_round_trips_within_telegrams_limits() -> None:
    for place in (Place(0, "3", "1202"), Place(0, "东区12", "2601"), Place(65535, "A", ""),
                  Place(7, "3-2", "30D")):
        payload = deeplinks.sign(KEY, place)
        assert ALLOWED.fullmatch(payload), payload
        assert deeplinks.verify(KEY, payload) == place


@given(
    estate=st.integers(0, 0xFFFF),
    building=st.text(min_size=1, max_size=8).filter(lambda b: b.strip() == b and b.strip()),
    room=st.text(max_size=6).filter(lambda r: r.strip() == r),
)
def test_every_place_that_fits_round_trips(estate: int, building: str, room: str) -> None:
    place = Place(estate, building, room)
    try:
        payload = deeplinks.sign(KEY, place)
    except ValueError:
        assert len(building.encode()) + len(room.encode()) > 32
        return
    assert len(payload) <= 64 and ALLOWED.fullmatch(payload)
    assert deeplinks.verify(KEY, payload) == place


def test_too_long_a_place_is_refused_when_signing() -> None:
    with pytest.raises(ValueError):
        deeplinks.sign(KEY, Place(0, "幸福花园东区十二号楼", "二十六层零一室"))


def _flip(payload: str, at: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[at] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_a_forged_or_damaged_link_is_refused() -> None:
    good = deeplinks.sign(KEY, Place(0, "3", "1202"))
    other_key = deeplinks.link_key(Settings(_env_file=None, deeplink_secret="other"))  # type: ignore[call-arg]
    forged = deeplinks.sign(other_key, Place(0, "3", "1202"))
    for bad in (forged, _flip(good, 5), _flip(good, -1), good[:-2], good + "A", "", "hello",
                "3栋1202", "a" * 65, "../../etc", good[:3] + "+" + good[4:]):
        with pytest.raises(BadLink):
            deeplinks.verify(KEY, bad)


def test_the_link_is_a_t_me_start_link() -> None:
    payload = deeplinks.sign(KEY, Place(0, "3", "1202"))
    assert deeplinks.link("@helpline_bot", payload) == f"https://t.me/helpline_bot?start={payload}"


# -- at /start -----------------------------------------------------------------------------
def _payload(h: Any, building: str, room: str = "", estate: int = 0) -> str:
    return deeplinks.sign(deeplinks.link_key(h.app.settings), Place(estate, building, room))


def _texts(shown: list[Any]) -> str:
    return "\n".join(m.text for m in shown)


async def test_a_flats_code_offers_that_flat_and_asks_consent_then_the_phone(harness: Any) -> None:
    shown = await harness.say("1001", f"/start {_payload(harness, '3', '1202')}")
    text = _texts(shown)
    assert "3栋1202" in text and "现在登记吗" in text
    assert "哪一栋" not in text and "房号" not in text.split("现在登记吗")[-1]
    await harness.press("1001", harness.last("1001").button_data[0])
    ask = harness.last("1001").text
    assert "电话" in ask
    done = _texts(await harness.say("1001", "13812345678"))
    assert "已保存" in done and "3栋1202" in done
    profile = await harness.app.profiles.get("1001")
    assert (profile.building, profile.room, profile.phone) == ("3", "1202", "13812345678")


async def test_a_buildings_code_asks_only_the_room(harness: Any) -> None:
    await harness.say("1002", f"/start {_payload(harness, '5')}")
    await harness.press("1002", harness.last("1002").button_data[0])  # yes, register
    assert "5栋哪一户" in harness.last("1002").text
    await harness.say("1002", "1803")
    await harness.say("1002", "13900001111")
    profile = await harness.app.profiles.get("1002")
    assert (profile.building, profile.room) == ("5", "1803")


async def test_a_resident_who_moved_keeps_the_phone_and_is_not_asked_again(harness: Any) -> None:
    await harness.app.profiles.remember("1003", "1003", building="2", room="301", phone="13700001111")
    text = _texts(await harness.say("1003", f"/start {_payload(harness, '6', '102')}"))
    assert "6栋102" in text and "已保存" in text
    profile = await harness.app.profiles.get("1003")
    assert (profile.building, profile.room, profile.phone) == ("6", "102", "13700001111")
    again = _texts(await harness.say("1003", f"/start {_payload(harness, '6', '102')}"))
    assert "您已登记" in again


async def test_a_forged_code_gets_a_kind_word_and_the_normal_start(harness: Any) -> None:
    other = deeplinks.link_key(Settings(_env_file=None, deeplink_secret="x"))  # type: ignore[call-arg]
    forged = deeplinks.sign(other, Place(0, "7", "707"))
    for n, payload in enumerate((forged, "garbage!!", "AAAA")):
        chat = f"20{n}"
        text = _texts(await harness.say(chat, f"/start {payload}"))
        assert "没能识别" in text and "现在登记吗" in text and "7栋707" not in text
        assert "Error" not in text and "Traceback" not in text
    assert await harness.app.profiles.get("200") is None or not (
        await harness.app.profiles.get("200")).has_details


async def test_another_estates_code_is_not_bound_here(harness: Any) -> None:
    text = _texts(await harness.say("1004", f"/start {_payload(harness, '7', '707', estate=2)}"))
    assert "不是本小区" in text and "7栋707" not in text and "现在登记吗" in text


async def test_english_speakers_read_it_in_english(harness: Any) -> None:
    text = _texts(await harness.say("1005", f"/start {_payload(harness, '3', '1202')}",
                                    language_code="en"))
    assert "This QR code is for" in text
