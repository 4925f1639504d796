"""Signed links, sessions and Telegram Mini App initData: valid ones pass, forged, expired,
replayed-for-another-purpose and unknown users are refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.dashboard.auth import (
    LINK,
    SESSION,
    Refused,
    init_data_hash,
    sign,
    validate_init_data,
    verify,
)
from tests.dashboard.support import BOT_TOKEN, MANAGER, STAFF, STRANGER, SUPERVISOR, init_data
from tests.support.harness import Harness

KEY = b"k" * 32
NOW = 1_800_000_000.0
WHEN = datetime.fromtimestamp(NOW, UTC)


def test_a_signed_token_verifies_until_it_expires() -> None:
    token = sign(KEY, "501", LINK, NOW + 60)
    assert verify(KEY, token, LINK, NOW)["u"] == "501"
    assert verify(KEY, token, LINK, NOW + 60)["u"] == "501"
    with pytest.raises(Refused, match="expired"):
        verify(KEY, token, LINK, NOW + 61)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),  # signature changed
        lambda t: sign(b"x" * 32, "501", LINK, NOW + 60),  # another key
        lambda t: t.split(".")[0],  # no signature
        lambda t: "",
        lambda t: "not.a-token",
    ],
)
def test_a_forged_token_is_refused(tamper: object) -> None:
    token = sign(KEY, "501", LINK, NOW + 60)
    with pytest.raises(Refused):
        verify(KEY, tamper(token), LINK, NOW)  # type: ignore[operator]


def test_a_payload_changed_under_its_signature_is_refused() -> None:
    import base64

    token = sign(KEY, "503", LINK, NOW + 60)
    payload, signature = token.split(".")
    other = base64.urlsafe_b64encode(
        json.dumps({"u": "501", "p": LINK, "e": int(NOW + 60)}).encode()
    ).rstrip(b"=").decode()
    with pytest.raises(Refused, match="signature"):
        verify(KEY, f"{other}.{signature}", LINK, NOW)
    assert payload != other


def test_a_link_is_no_session_and_a_session_no_link() -> None:
    link = sign(KEY, "501", LINK, NOW + 60)
    with pytest.raises(Refused, match="purpose"):
        verify(KEY, link, SESSION, NOW)
    session = sign(KEY, "501", SESSION, NOW + 60)
    with pytest.raises(Refused, match="purpose"):
        verify(KEY, session, LINK, NOW)


def test_init_data_as_telegram_documents_it() -> None:
    """The hash is HMAC-SHA256 of the sorted key=value lines, keyed by
    HMAC-SHA256(key="WebAppData", msg=bot token), computed here independently."""
    data = init_data("501", WHEN)
    pairs = [(k, v) for k, v in parse_qsl(data) if k != "hash"]
    check = "\n".join(f"{k}={v}" for k, v in sorted(pairs))
    secret = hmac.new(b"WebAppData", BOT_TOKEN.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert dict(parse_qsl(data))["hash"] == expected == init_data_hash(pairs, BOT_TOKEN)
    user = validate_init_data(data, BOT_TOKEN, NOW + 10, max_age=900)
    assert user["id"] == 501 and user["first_name"] == "李"


def test_tampered_init_data_is_refused() -> None:
    data = dict(parse_qsl(init_data("503", WHEN)))
    data["user"] = data["user"].replace("503", "501")  # staff pretending to be the manager
    with pytest.raises(Refused, match="signature"):
        validate_init_data(urlencode(data), BOT_TOKEN, NOW, max_age=900)


def test_init_data_signed_with_another_bot_token_is_refused() -> None:
    data = init_data("501", WHEN, token="999:other-bot")
    with pytest.raises(Refused, match="signature"):
        validate_init_data(data, BOT_TOKEN, NOW, max_age=900)


def test_stale_or_future_init_data_is_refused() -> None:
    data = init_data("501", WHEN)
    with pytest.raises(Refused, match="expired"):
        validate_init_data(data, BOT_TOKEN, NOW + 901, max_age=900)
    with pytest.raises(Refused, match="expired"):
        validate_init_data(data, BOT_TOKEN, NOW - 3600, max_age=900)


@pytest.mark.parametrize(
    "data",
    ["", "hash=abc", "auth_date=1&hash=a&hash=b", "user=%7B%7D&auth_date=x&hash=00"],
)
def test_malformed_init_data_is_refused(data: str) -> None:
    with pytest.raises(Refused):
        validate_init_data(data, BOT_TOKEN, NOW, max_age=900)


def test_no_bot_token_means_no_mini_app() -> None:
    with pytest.raises(Refused):
        validate_init_data(init_data("501", WHEN), None, NOW, max_age=900)


async def test_roles_come_from_the_settings(h: Harness) -> None:
    from bot.dashboard.auth import Signer

    signer = Signer(h.app)
    assert signer.from_link(signer.link_token(MANAGER)).role == "manager"
    assert signer.from_link(signer.link_token(SUPERVISOR)).role == "supervisor"
    assert signer.from_link(signer.link_token(STAFF)).role == "staff"
    with pytest.raises(Refused, match="not staff"):
        signer.from_link(signer.link_token(STRANGER))
    token = signer.session_token(MANAGER)
    h.app.settings.manager_ids = []  # taken off the list: the session ends at once
    with pytest.raises(Refused):
        signer.from_session(token)


async def test_links_expire_after_dashboard_link_seconds(h: Harness) -> None:
    from bot.dashboard.auth import Signer

    signer = Signer(h.app)
    token = signer.link_token(MANAGER)
    h.clock.advance(h.app.settings.dashboard_link_seconds + 1)
    with pytest.raises(Refused, match="expired"):
        signer.from_link(token)
    viewer, user = signer.from_init_data(init_data(MANAGER, h.clock.now() - timedelta(seconds=5)))
    assert viewer.role == "manager" and user["last_name"] == "经理"


async def test_without_a_secret_or_token_a_random_key_is_kept_for_the_process(h: Harness) -> None:
    from bot.dashboard.auth import Signer

    h.app.settings.dashboard_secret = None
    h.app.settings.bot_token = None
    first = Signer(h.app)
    second = Signer(h.app)  # the /dashboard handler and the server agree
    assert first.key == second.key
    assert second.from_link(first.link_token(MANAGER)).role == "manager"
