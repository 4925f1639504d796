"""Getting what the core sends out of the door: the database outbox and its worker."""

from bot.delivery.outbox import Outbox

__all__ = ["Outbox"]
