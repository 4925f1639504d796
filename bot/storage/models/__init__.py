"""Every table, importable from one place (Alembic reads `Base.metadata`)."""

from bot.storage.models.base import Base, UTCDateTime
from bot.storage.models.conversations import Conversation, ProcessedUpdate
from bot.storage.models.delivery import MessageRef, OutboxMessage, OutboxStatus
from bot.storage.models.intake import BotSetting, InboxUpdate, RateLimit
from bot.storage.models.notices import (
    DeliveryStatus,
    Notice,
    NoticeDelivery,
    NoticeDraft,
    NoticeStatus,
    OutageCluster,
    OutageReport,
)
from bot.storage.models.residents import Resident
from bot.storage.models.scheduler import SchedulerJob
from bot.storage.models.tickets import Ticket, TicketEvent, TicketStatus

__all__ = [
    "Base",
    "BotSetting",
    "Conversation",
    "DeliveryStatus",
    "InboxUpdate",
    "MessageRef",
    "Notice",
    "NoticeDelivery",
    "NoticeDraft",
    "NoticeStatus",
    "OutageCluster",
    "OutageReport",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessedUpdate",
    "RateLimit",
    "Resident",
    "SchedulerJob",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
    "UTCDateTime",
]
