"""`FrontDesk`: the resident's front desk, assembled from its parts.

    base         DeskBase     rules, classifying, what is carried, menus' buttons, FAQ
    mine         MyTickets    "我的工单": the resident's tickets            (base)
    open_ticket  OpenTicket   a ticket is open: messages go to its staff   (base, mine)
    profile      ProfileDesk  /start, /me, /forget, remembering details   (base)
    intake       Intake       what typed words start or answer            (base, open_ticket, profile)
    menus        Menu         the menu's buttons                           (base, intake, profile, mine)
    attachments  Attachments  photos, files, locations, contacts          (base, intake, open_ticket)

Each part names only the parts above it; the flow engine sees the desk through
`bot.flows.engine.FrontDeskPort` (what a flow asks: `not_confirmed`, `reconsider`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.handlers.resident.attachments import Attachments
from bot.handlers.resident.base import DeskBase
from bot.handlers.resident.intake import Intake
from bot.handlers.resident.menu import Menu
from bot.handlers.resident.mine import MyTickets
from bot.handlers.resident.open_ticket import OpenTicket
from bot.handlers.resident.profile import ProfileDesk

if TYPE_CHECKING:
    from bot.core.incoming import Attachment
    from bot.flows.engine import FlowEngine
    from bot.flows.turn import Turn
    from bot.intents.classification import Classification


class FrontDesk:
    def __init__(self, engine: FlowEngine) -> None:
        self.base = DeskBase(engine)
        self.mine = MyTickets(self.base)
        self.open_ticket = OpenTicket(self.base, self.mine)
        self.profile = ProfileDesk(self.base)
        self.intake = Intake(self.base, self.open_ticket, self.profile)
        self.menus = Menu(self.base, self.intake, self.profile, self.mine)
        self.attachments = Attachments(self.base, self.intake, self.open_ticket)

    # -- what the resident handler calls ----------------------------------------------------
    async def text(self, turn: Turn, text: str) -> None:
        await self.intake.text(turn, text)

    async def edited(self, turn: Turn, text: str) -> None:
        await self.intake.edited(turn, text)

    async def attachment(self, turn: Turn, attachment: Attachment, caption: str) -> None:
        await self.attachments.attachment(turn, attachment, caption)

    async def choose(self, turn: Turn, choice: str) -> str | None:
        return await self.menus.choose(turn, choice)

    async def start(self, turn: Turn) -> None:
        await self.profile.start(turn)

    async def show_estate(self, turn: Turn) -> None:
        await self.profile.show_estate(turn)

    async def show_me(self, turn: Turn) -> None:
        await self.profile.show_me(turn)

    async def forget(self, turn: Turn) -> None:
        await self.profile.forget(turn)

    async def my_tickets(self, turn: Turn) -> None:
        await self.mine.show(turn)

    async def my_data(self, turn: Turn) -> None:
        await self.profile.my_data(turn)

    async def menu(self, turn: Turn) -> None:
        await self.base.menu(turn)

    def classify(self, text: str) -> Classification:
        return self.base.classify(text)

    # -- what a flow asks (FrontDeskPort) ----------------------------------------------------
    async def not_confirmed(self, turn: Turn) -> None:
        await self.intake.not_confirmed(turn)

    async def reconsider(self, turn: Turn) -> bool:
        return bool(await self.intake.reconsider(turn))
