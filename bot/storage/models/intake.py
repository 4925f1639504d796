"""Updates received but not handled yet (the durable intake), and the bot's own settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base


class InboxUpdate(Base):
    """An update stored before Telegram is told it arrived; deleted in the transaction that
    marks it processed. Rows left at a restart are handled then (`bot/intake.py`)."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(primary_key=True)  # arrival order
    key: Mapped[str] = mapped_column(String(128), unique=True)  # the Incoming's update id
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # Incoming.to_dict()
    received_at: Mapped[datetime]
    owner: Mapped[str | None] = mapped_column(String(32))  # the process handling it (cluster)


class RateLimit(Base):
    """A rate shared by every process (broadcasts): the next free slot, as PostgreSQL's
    clock reads it (seconds since the epoch), reserved one send at a time."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float)


class BotSetting(Base):
    """A setting the bot learns while running (the staff group's new id after Telegram
    turned it into a supergroup); it wins over the environment's value it replaces."""

    __tablename__ = "bot_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]
