"""Transports: what connects the core to the outside (Telegram through python-telegram-bot
or aiogram, or the console). Only this package imports a Telegram library.

`build_transport(app)` returns the Telegram transport chosen by `BOT_FRAMEWORK`; the library
is imported only then, so the console never loads one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App
    from bot.transports.base import TelegramTransport


def build_transport(app: App, *, poll_timeout: int = 30) -> TelegramTransport:
    framework = app.settings.bot_framework
    if framework == "aiogram":
        from bot.transports.aiogram import AiogramTransport

        return AiogramTransport(app, poll_timeout=poll_timeout)
    if framework == "ptb":
        from bot.transports.ptb import PtbTransport

        return PtbTransport(app, poll_timeout=poll_timeout)
    raise ValueError(f"unknown BOT_FRAMEWORK {framework!r} (ptb or aiogram)")
