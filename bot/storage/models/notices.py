"""Outage notices, their per-resident deliveries, and outage reports from residents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base


class NoticeStatus:
    PLANNED = "planned"  # starts later
    ACTIVE = "active"  # the outage is on
    RESTORED = "restored"  # service is back (/restored)
    CANCELLED = "cancelled"  # withdrawn (/cancel_notice)

    CURRENT = ("planned", "active")


class DeliveryStatus:
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"  # the resident blocked the bot (403), or was known unreachable
    SKIPPED = "skipped"  # no longer worth sending (the notice was withdrawn or is over)

    SETTLED = ("sent", "failed", "blocked", "skipped")


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the estate's buildings
    kind: Mapped[str] = mapped_column(String(16))  # water, power, other
    buildings: Mapped[list[str]] = mapped_column(JSON, default=list)  # [] means every building
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    manager_chat_id: Mapped[str | None] = mapped_column(String(64))
    asked_count: Mapped[int] = mapped_column(Integer, default=0)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    restored_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class NoticeDelivery(Base):
    """One row per resident and purpose (notice, reminder, restored, cancelled)."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (UniqueConstraint("notice_id", "resident_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    chat_id: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(16), default="notice")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]


class OutageCluster(Base):
    """Several residents of one building reporting the same outage, with no notice: one group,
    one ticket for staff, and an offer to managers to publish a notice from it."""

    __tablename__ = "outage_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # water, power
    building: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open, closed
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # merged ticket ids
    opened_at: Mapped[datetime]
    last_report_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class NoticeDraft(Base):
    """A notice a manager is writing (the /notice flow): survives restarts."""

    __tablename__ = "notice_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutageReport(Base):
    """A resident saying the water or power is off; clustered per building."""

    __tablename__ = "outage_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    estate_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # water, power
    building: Mapped[str | None] = mapped_column(String(32), index=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    cluster_key: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
