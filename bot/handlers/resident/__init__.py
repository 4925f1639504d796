"""The resident's private chat: the handler (`handler.py`) and the front desk it hands words,
buttons and attachments to (`desk.py` and its parts: intake, menu, profile, attachments,
open_ticket, on the shared `base`). Flows themselves (the questions) live in `bot/flows/`."""

from bot.handlers.resident.desk import FrontDesk
from bot.handlers.resident.handler import ResidentHandler

__all__ = ["FrontDesk", "ResidentHandler"]
