"""Not words: photos, files, voice, locations and shared contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.incoming import Attachment, AttachmentKind
from bot.flows.places import mask_phone
from bot.handlers.resident.base import (
    DeskBase,
    DeskPart,
)
from bot.handlers.resident.open_ticket import ticket_state
from bot.intents.entities import parse_phone

if TYPE_CHECKING:
    from bot.flows.turn import Turn
    from bot.handlers.resident.intake import Intake
    from bot.handlers.resident.open_ticket import OpenTicket


class Attachments(DeskPart):
    def __init__(self, base: DeskBase, intake: Intake, open_ticket: OpenTicket) -> None:
        super().__init__(base)
        self.intake = intake
        self.open_ticket = open_ticket

    # -- not words ----------------------------------------------------------------------------------
    async def attachment(self, turn: Turn, attachment: Attachment, caption: str) -> None:
        """A photo, voice message, sticker, location, contact or file: a clear answer, and
        whatever it carries (a photo, a phone) kept for the ticket that follows."""
        kind = attachment.kind
        if kind in (AttachmentKind.PHOTO, AttachmentKind.DOCUMENT):
            await self._keep_file(turn, attachment)
            if caption:
                await self.intake.text(turn, caption)
            elif turn.state.active:
                await self.engine.reask(turn, lead=turn.text("resident.attachment.photo_in_flow"))
            else:
                await self.open_ticket.outside_flow(turn, "resident.attachment.photo")
            return
        if kind is AttachmentKind.CONTACT:
            phone = parse_phone(attachment.phone or "", self.engine.checks.region)
            if phone is None:
                await self._reply(turn, "resident.attachment.contact_unreadable")
                return
            current = self.engine.current(turn)
            if current is not None and current[1].name == "phone":
                await self.engine.accept(turn, *current, {"phone": phone})
                return
            if not turn.slots.get("phone"):
                turn.slots["phone"] = phone
            await self._reply(turn, "resident.attachment.contact", masked=mask_phone(phone))
            return
        if kind is AttachmentKind.LOCATION:
            turn.slots["location"] = {
                "latitude": attachment.latitude,
                "longitude": attachment.longitude,
            }
            current = self.engine.current(turn)
            if current is not None and current[1].name == "place":
                place = turn.text("resident.attachment.pin")
                await self.engine.accept(turn, *current, {"place": place})
                return
            await self._reply(turn, "resident.attachment.location")
            return
        key = {
            AttachmentKind.VOICE: "resident.attachment.voice",
            AttachmentKind.AUDIO: "resident.attachment.voice",
            AttachmentKind.VIDEO: "resident.attachment.video",
            AttachmentKind.STICKER: "resident.attachment.sticker",
        }.get(kind, "resident.attachment.other")
        await self._reply(turn, key, keep=False, counts=True)

    async def _reply(
        self, turn: Turn, key: str, *, keep: bool = True, counts: bool = False, **values: object
    ) -> None:
        """Answer a non-text message: inside a flow, with the question asked again (and a
        lead without a question of its own: `<key>_in_flow` when there is one); `counts`
        when the message could not answer (a voice message twice in an emergency moves on)."""
        if turn.state.active:
            lead_key = key
            for variant in ("_again" if counts and self.engine.tries(turn) else "", "_in_flow"):
                if variant and turn.text.has(key + variant):
                    lead_key = key + variant
                    break
            await self.engine.reask(turn, lead=turn.text(lead_key, **values), counts=counts)
            return
        if keep:
            await self.open_ticket.outside_flow(turn, key, **values)
            return
        ticket = await self.open_ticket.ticket_for(turn)
        if ticket is not None and turn.incoming is not None:
            # a voice message, a video or a file beside an open ticket (blind DJ08, DK06: the
            # menu came back in the middle of a gas leak): staff are told, who can call; the
            # resident gets the ticket's state (asked to type, for a voice message); a
            # sticker gets the state only
            state = ticket_state(turn, ticket)
            if key == "resident.attachment.sticker":
                await turn.send("tickets.open.progress", id=ticket.id, state=state)
                return
            await self.ctx.tickets.relay_from_resident(ticket, turn.incoming)
            if key == "resident.attachment.voice":
                await turn.send("tickets.open.voice", id=ticket.id, state=state)
            else:  # a video or a file: staff see it is there; nothing said of voice
                await turn.send("tickets.open.relayed", id=ticket.id, state=state)
            return
        await turn.send(key, buttons=self.base.menu_buttons(turn), **values)

    async def _keep_file(self, turn: Turn, attachment: Attachment) -> None:
        if not attachment.file_id:
            return
        is_image = attachment.kind is AttachmentKind.PHOTO or (
            (attachment.mime_type or "").startswith("image/")
        )
        slot = "photos" if is_image else "documents"
        files = list(turn.slots.get(slot, []))
        if attachment.file_id not in files:
            turn.slots[slot] = [*files, attachment.file_id]
        await self.engine.store.save(turn.state)
