"""`FlowContext`: what a resident's conversation may use, typed (no `App`).

Built once by the bootstrap and carried by every `Turn`; flow definitions and the front
desk read their collaborators here. Each field is the narrowest port its callers use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.clock import Clock
    from bot.core.ports import Messenger, OutageDesk, ProfileStore, ResidentData
    from bot.estates import Estates
    from bot.flows.advice_model import AdviceReader
    from bot.intents import Classifier
    from bot.texts import Texts
    from bot.tickets.service import TicketService


@dataclass(frozen=True, eq=False)
class FlowContext:
    settings: Settings
    clock: Clock
    texts: Texts
    outbox: Messenger
    profiles: ProfileStore
    tickets: TicketService
    notices: OutageDesk
    classifier: Classifier
    privacy: ResidentData | None = None  # /mydata
    estates: Estates | None = None  # the estates (None: one, from the settings)
    advice: AdviceReader | None = None  # the learned reader of "what do I do" (None: lists only)
