"""Signed deep links: `https://t.me/<bot>?start=<payload>` binds a resident to a flat.

Printed as QR codes (`python -m bot qr`) on bills and lobby posters: a resident who scans
one and presses Start gets the estate, building and (for a flat's code) room offered at
/start, with consent asked as in every registration. Nobody can make a code for a flat that
was not printed: the payload is signed with an HMAC of `DEEPLINK_SECRET`.

Telegram allows a start parameter of at most 64 characters from `A-Z a-z 0-9 _ -`. The
payload is base64url (no padding) of

    version (1 byte) | estate id (2 bytes, big-endian) | len(building) | building (UTF-8)
                     | len(room) | room (UTF-8)  | HMAC-SHA256(key, everything before)[:10]

so building and room together may take up to 32 bytes (a building "东区12" and a room
"2601" take 12). Estate 0 is the default estate (the deployment's own settings); the id is
there for deployments with many estates.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from bot.config import Settings

VERSION = 1
DEFAULT_ESTATE = 0
MAX_PAYLOAD = 64  # Telegram's limit for a start parameter
SIGNATURE_BYTES = 10  # 80 bits: forging one by guessing takes about 2**79 tries
_ALLOWED = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_BODY = MAX_PAYLOAD * 3 // 4 - SIGNATURE_BYTES  # 38 bytes before the signature


class BadLink(ValueError):
    """A start parameter that is malformed, forged, or for another version."""


@dataclass(frozen=True, slots=True)
class Place:
    """What a deep link names: an estate, a building, and a room (empty for a building's
    code: the resident is asked the room)."""

    estate: int
    building: str
    room: str = ""


def link_key(settings: Settings) -> bytes:
    """The signing key: `DEEPLINK_SECRET`, else derived from the bot token (then printed
    codes stop working when the token changes: set DEEPLINK_SECRET before printing), else a
    fixed development key (the console)."""
    base = settings.deeplink_secret or settings.bot_token or "helpline-console"
    return hmac.new(b"helpline-deeplink", base.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _field(value: str, what: str) -> bytes:
    data = value.encode("utf-8")
    if len(data) > 255:
        raise ValueError(f"{what} too long for a deep link: {value!r}")
    return bytes([len(data)]) + data


def sign(key: bytes, place: Place) -> str:
    """The start parameter for `place` (ValueError when it cannot fit in 64 characters)."""
    if not place.building.strip():
        raise ValueError("a deep link names a building")
    if not 0 <= place.estate <= 0xFFFF:
        raise ValueError(f"estate id out of range: {place.estate}")
    body = (
        bytes([VERSION]) + place.estate.to_bytes(2, "big")
        + _field(place.building.strip(), "building") + _field(place.room.strip(), "room")
    )
    if len(body) > _MAX_BODY:
        raise ValueError(
            f"building and room too long for a deep link: {place.building!r} {place.room!r}"
        )
    payload = _b64(body + hmac.new(key, body, hashlib.sha256).digest()[:SIGNATURE_BYTES])
    assert len(payload) <= MAX_PAYLOAD and _ALLOWED.fullmatch(payload)
    return payload


def verify(key: bytes, payload: str) -> Place:
    """The place a start parameter names; `BadLink` when malformed or not signed by us."""
    if not _ALLOWED.fullmatch(payload or ""):
        raise BadLink("not a start parameter")
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadLink("not base64") from exc
    if len(raw) < 1 + 2 + 1 + 1 + SIGNATURE_BYTES:
        raise BadLink("too short")
    body, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    expected = hmac.new(key, body, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    if not hmac.compare_digest(expected, signature):
        raise BadLink("bad signature")
    if body[0] != VERSION:
        raise BadLink(f"version {body[0]}")
    try:
        estate = int.from_bytes(body[1:3], "big")
        at = 3
        building_len = body[at]
        building = body[at + 1 : at + 1 + building_len].decode("utf-8")
        at += 1 + building_len
        room_len = body[at]
        room = body[at + 1 : at + 1 + room_len].decode("utf-8")
        at += 1 + room_len
    except (IndexError, UnicodeDecodeError) as exc:
        raise BadLink("malformed body") from exc
    if at != len(body) or not building:
        raise BadLink("malformed body")
    return Place(estate, building, room)


def link(bot_username: str, payload: str) -> str:
    """The t.me address a QR code carries."""
    return f"https://t.me/{quote(bot_username.lstrip('@'))}?start={payload}"
