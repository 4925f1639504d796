"""Messages between the resident and the staff group, both ways, on the ticket's timeline.

- Resident -> group: as a reply to the ticket's alert, ref `ticket:<id>:msg`; photos by
  their Telegram file id; what cannot be passed on (voice, video...) is announced instead.
- Group -> resident: a staff member's Telegram reply to any `ticket:<id>:...` message. The
  resident sees the role ("物业客服"), never the staff member's name or account; the
  timeline keeps who it was.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import EditText, Keyboard, SendPhoto, SendText
from bot.core.incoming import AttachmentKind, Incoming
from bot.storage.models import Ticket
from bot.tickets.alerts import alert_ref
from bot.tickets.part import TicketPart
from bot.tickets.states import Actor


class Relay(TicketPart):
    # -- resident -> staff ----------------------------------------------------------------
    async def from_resident(self, ticket: Ticket, incoming: Incoming) -> None:
        actor = Actor("resident", incoming.user_id, incoming.user_name or ticket.user_name)
        text = (incoming.text or "").strip()
        attachment = incoming.attachment
        chats = self.tickets.alerts.chats(ticket)
        chat, ref, reply_to = (chats[0], f"ticket:{ticket.id}:msg", alert_ref(ticket.id))
        data: dict[str, object] = {}
        if attachment is not None:
            data["attachment"] = attachment.kind.value
        if (
            attachment is not None
            and attachment.kind is AttachmentKind.PHOTO
            and attachment.file_id
        ):
            data["file_id"] = attachment.file_id
            caption = self._t("staff.relay.resident_photo", id=ticket.id, text=text)
            action: SendText | SendPhoto = SendPhoto(
                chat, photo=attachment.file_id, caption=caption, reply_to=reply_to, ref=ref
            )
        elif attachment is not None and attachment.kind is AttachmentKind.LOCATION:
            action = SendText(
                chat,
                self._t(
                    "staff.relay.resident_location",
                    id=ticket.id,
                    latitude=attachment.latitude,
                    longitude=attachment.longitude,
                ),
                reply_to=reply_to,
                ref=ref,
            )
        elif attachment is not None and attachment.kind is AttachmentKind.CONTACT:
            action = SendText(
                chat,
                self._t(
                    "staff.relay.resident_contact", id=ticket.id, phone=attachment.phone or "-"
                ),
                reply_to=reply_to,
                ref=ref,
            )
        elif attachment is not None:
            action = SendText(
                chat,
                self._t(
                    "staff.relay.resident_other",
                    id=ticket.id,
                    kind=self._t(f"staff.attachment.{attachment.kind.value}"),
                    phone=ticket.phone or self._t("staff.alert.no_phone"),
                    text=text,
                ),
                reply_to=reply_to,
                ref=ref,
            )
        elif text:
            action = SendText(
                chat,
                self._t("staff.relay.resident_text", id=ticket.id, text=text),
                reply_to=reply_to,
                ref=ref,
            )
        else:
            return
        await self.tickets.record(ticket.id, "message_in", actor, text=text or None, data=data)
        for other in chats:  # the same message in each group showing the ticket
            await self.outbox.send(replace(action, chat_id=other))

    # -- staff -> resident ----------------------------------------------------------------
    async def from_staff(self, ticket: Ticket, incoming: Incoming) -> str | None:
        """Pass a staff reply on; returns a note for the group when it cannot be passed."""
        actor = Actor("staff", incoming.user_id, incoming.user_name)
        t = self.tickets.fmt.resident_texts(ticket).section("tickets")
        text = (incoming.text or "").strip()
        attachment = incoming.attachment
        ref = f"ticket:{ticket.id}:staff"
        if (
            attachment is not None
            and attachment.kind is AttachmentKind.PHOTO
            and attachment.file_id
        ):
            key = "staff_photo_with_text" if text else "staff_photo"
            caption = t(key, id=ticket.id, text=text)
            await self.tickets.record(
                ticket.id,
                "message_out",
                actor,
                text=text or None,
                data={"attachment": "photo", "file_id": attachment.file_id},
            )
            await self.outbox.send(
                SendPhoto(ticket.chat_id, photo=attachment.file_id, caption=caption, ref=ref)
            )
            return None
        if attachment is not None or not text:
            return self._t("staff.relay.unsupported")
        await self.tickets.record(ticket.id, "message_out", actor, text=text)
        await self.outbox.send(
            SendText(
                ticket.chat_id,
                t("staff_says", id=ticket.id, text=text),
                ref=ref,
            )
        )
        return None

    # -- the bot -> resident --------------------------------------------------------------
    async def notify_resident(
        self,
        ticket: Ticket,
        key: str,
        /,
        *,
        buttons: Keyboard | None = None,
        ref: str | None = None,
        **values: object,
    ) -> None:
        """A ticket message to the resident, in the resident's language."""
        text = self.tickets.fmt.resident_texts(ticket)(key, id=ticket.id, **values)
        await self.outbox.send(SendText(ticket.chat_id, text, buttons, ref=ref))
        if buttons is None:  # residents whose duplicate was merged into this ticket
            for chat in (ticket.extra or {}).get("followers") or []:
                await self.outbox.send(SendText(str(chat), text))

    async def settle_question(
        self, ticket: Ticket, key: str, ref: str, answer: str, /, **values: object
    ) -> None:
        """Show the resident's choice under a question (sent with `ref`), buttons removed."""
        t = self.tickets.fmt.resident_texts(ticket)
        text = t(key, id=ticket.id, **values) + "\n" + t("tickets.your_answer", answer=answer)
        await self.outbox.send(EditText(ticket.chat_id, ref, text, None))
