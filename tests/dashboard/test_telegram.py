"""/dashboard in a private chat: a signed link (and, over HTTPS, a Mini App button) for
managers, supervisors and staff; the web_app button kind through the outbox and both
Telegram libraries."""

from __future__ import annotations

import aiohttp

from bot.core.actions import Button, SendText, action_from_dict, action_to_dict
from bot.core.incoming import ChatKind, Incoming
from bot.dashboard.server import DashboardServer
from bot.handlers.manager import ManagerHandler
from tests.dashboard.support import MANAGER, STAFF, STRANGER
from tests.support.harness import Harness


def dashboard_command(user: str) -> Incoming:
    return Incoming(
        update_id=f"d{user}", chat_id=user, user_id=user, chat_kind=ChatKind.PRIVATE,
        user_name="李经理", text="/dashboard",
    )


async def test_a_manager_gets_a_link_that_opens_the_board(h: Harness, server: DashboardServer) -> None:
    h.app.settings.dashboard_public_url = server.public_url
    shown = await h.say(MANAGER, "/dashboard")
    assert len(shown) == 1 and "管理看板" in shown[0].text and "15 分钟内有效" in shown[0].text
    assert not shown[0].buttons  # plain http: no Mini App button (Telegram wants HTTPS)
    link = shown[0].text.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert link.startswith(server.public_url + "login?t=")
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for an IP address, as browsers keep them
    async with aiohttp.ClientSession(cookie_jar=jar) as http, http.get(link) as response:
        assert response.status == 200 and "实时看板" in await response.text()


async def test_over_https_the_message_carries_a_mini_app_button(h: Harness) -> None:
    h.app.settings.dashboard_public_url = "https://bot.example.com/dashboard"
    shown = await h.say(STAFF, "/dashboard")
    assert "https://bot.example.com/dashboard/login?t=" in shown[0].text
    buttons = shown[0].buttons  # as the outbox stored and sent it
    assert buttons is not None
    button = buttons[0][0]
    assert button.web_app == "https://bot.example.com/dashboard/app" and button.data == ""


async def test_only_staff_accounts_may_ask(h: Harness) -> None:
    handler = next(x for x in h.app.router.handlers if isinstance(x, ManagerHandler))
    assert await handler.accepts(dashboard_command(MANAGER))
    assert await handler.accepts(dashboard_command(STAFF))
    assert not await handler.accepts(dashboard_command(STRANGER))  # a resident's /dashboard


async def test_when_the_dashboard_is_off_the_command_says_so(h: Harness) -> None:
    h.app.settings.dashboard_enabled = False
    shown = await h.say(MANAGER, "/dashboard")
    assert "没有开启" in shown[0].text and "login" not in shown[0].text


def test_a_web_app_button_survives_the_outbox() -> None:
    action = SendText("1", "x", ((Button("看板", "", web_app="https://x.example/app"), Button("a", "b")),))
    data = action_to_dict(action)
    assert data["buttons"] == [
        [{"text": "看板", "data": "", "web_app": "https://x.example/app"}, {"text": "a", "data": "b"}]
    ]
    assert action_from_dict(data) == action


def test_both_libraries_make_it_a_web_app_button() -> None:
    from bot.transports import aiogram as aiogram_transport
    from bot.transports import ptb

    keyboard = ((Button("看板", "", web_app="https://x.example/app"), Button("a", "b")),)
    for markup in (ptb.markup(keyboard), aiogram_transport.markup(keyboard)):
        assert markup is not None
        first, second = markup.inline_keyboard[0]
        assert first.web_app is not None and first.web_app.url == "https://x.example/app"
        assert first.callback_data is None and second.callback_data == "b"
