"""Staff: the staff group (alerts' buttons, replies to residents, commands), `tk:` buttons
pressed in private chats (residents answering about their ticket, supervisors acting on an
escalation), and `/whereami` anywhere.

Staff = anyone acting in the staff group (`STAFF_CHAT_ID`: being there is membership), or
an account in `STAFF_IDS` / `SUPERVISOR_IDS` / `MANAGER_IDS`; in a private chat the claimer
of a ticket may also press its buttons (the on-site and report reminders). A staff button pressed by
anyone else, a malformed button, or a button for a ticket that has moved on changes
nothing and gets a polite answer.

In the group (the main staff group and every team group alike): `/open [filters]`,
`/ticket N`, `/report N`, `/unclaim N`, `/assign N 名字`, `/resolve N [note]`, `/dup N M`,
`/quote N 金额 [说明]`, `/note N ...`, `/digest` (N may be left out when replying to a
ticket's message), `/whereami`, `/help`; a Telegram reply to a ticket's message goes to
its resident (so does a staff account's reply to an escalation in its private chat), unless
it starts with `//` or `#内部`: an internal note. Other chatter is left alone; other
buttons and commands are left for the other handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.actions import AnswerButton, SendText
from bot.core.ids import strict_id
from bot.core.incoming import Incoming
from bot.storage.models import Ticket
from bot.tickets import buttons as tk
from bot.tickets.alerts import ticket_id_of_ref
from bot.tickets.digest import DESK_PREFIX
from bot.tickets.handover import is_note_prompt, note_text
from bot.tickets.states import Actor

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.roles import Roles
    from bot.delivery.outbox import Outbox
    from bot.texts import Texts
    from bot.tickets.service import TicketService

GROUP_COMMANDS = frozenset(
    {
        "open",
        "ticket",
        "report",
        "whereami",
        "help",
        "start",
        # the staff desk (bot/tickets/handover.py, closing.py, digest.py)
        "unclaim",
        "assign",
        "resolve",
        "dup",
        "quote",
        "note",
        "digest",
    }
)
TICKET_COMMANDS = frozenset({"ticket", "report", "unclaim", "assign", "resolve", "quote", "note"})


class StaffHandler:
    def __init__(
        self,
        *,
        settings: Settings,
        roles: Roles,
        texts: Texts,
        outbox: Outbox,
        tickets: TicketService,
    ) -> None:
        self.settings = settings
        self.roles = roles
        self.texts = texts
        self._t = texts.bind(settings.locale)
        self.outbox = outbox
        self.tickets = tickets

    def acts_as_staff(self, incoming: Incoming) -> bool:
        return self.roles.is_staff_chat(incoming.chat_id) or self.roles.is_staff(incoming.user_id)

    def _in_scope(self, ticket: Ticket, incoming: Incoming) -> bool:
        """A staff group acts only on its estate's tickets (the company group on all; a
        private chat as before)."""
        if not self.roles.is_staff_chat(incoming.chat_id):
            return True
        return self.tickets.may_act(incoming.chat_id, ticket)

    async def _may_act_on(self, ticket_id: int, incoming: Incoming) -> bool:
        """Staff, or the one who claimed this ticket (reminded in private, pressing there);
        in a staff group, only on that group's estate's tickets."""
        ticket = await self.tickets.get(ticket_id)
        if ticket is not None and not self._in_scope(ticket, incoming):
            return False
        if self.acts_as_staff(incoming):
            return True
        return (
            ticket is not None
            and ticket.claimed_by is not None
            and ticket.claimed_by == incoming.user_id
        )

    async def accepts(self, incoming: Incoming) -> bool:
        if incoming.command == "whereami":
            return True
        if incoming.is_button:
            data = incoming.button_data or ""
            if data.startswith(DESK_PREFIX):
                return self.acts_as_staff(incoming)
            return tk.is_ticket_button(data)
        if not self.roles.is_staff_chat(incoming.chat_id):
            return await self._staff_reply_in_private(incoming)
        command = _command(incoming)
        return command in GROUP_COMMANDS if command else True

    async def _staff_reply_in_private(self, incoming: Incoming) -> bool:
        """A staff account replying, in its private chat, to a ticket's message (an escalation)."""
        if (
            _command(incoming)
            or incoming.reply_to_message_id is None
            or not self.roles.is_staff(incoming.user_id)
        ):
            return False
        ref = await self.outbox.ref_of(incoming.chat_id, incoming.reply_to_message_id)
        return ticket_id_of_ref(ref) is not None

    async def handle(self, incoming: Incoming) -> None:
        if incoming.is_button:
            await self._button(incoming)
        elif incoming.command == "whereami":
            await self._say(incoming, self._t("staff.whereami", chat_id=incoming.chat_id))
        elif _command(incoming):
            await self._command(incoming)
        elif incoming.reply_to_message_id is not None:
            await self._reply(incoming)

    async def _say(self, incoming: Incoming, text: str) -> None:
        await self.outbox.send(SendText(incoming.chat_id, text, reply_to=incoming.message_id))

    # -- buttons --------------------------------------------------------------------------
    def _actor(self, incoming: Incoming) -> Actor:
        return Actor("staff", incoming.user_id, incoming.user_name or incoming.user_id)

    async def _button(self, incoming: Incoming) -> None:
        if (incoming.button_data or "").startswith(DESK_PREFIX):
            await self._desk_button(incoming)
            return
        button = tk.parse_button(incoming.button_data)
        locale = self.texts.pick_locale(incoming.language_code)
        t = self.texts.bind(locale, "tickets")
        if button is None:
            answer = t("expired")
        elif button.for_staff and not await self._may_act_on(button.ticket_id, incoming):
            answer = t("other_estate" if self.roles.is_staff_chat(incoming.chat_id) else "staff_only")
        elif button.for_staff and button.action in (tk.UNCLAIM, tk.CLOSE, tk.NOTE):
            answer = await self._desk_action(button, incoming)
        elif button.for_staff:
            actor = Actor("staff", incoming.user_id, incoming.user_name or incoming.user_id)
            answer = await self.tickets.workflow.staff_action(
                button.action, button.ticket_id, actor
            )
        elif button.action == tk.QUOTE:
            answer = await self._quote_answer(button, incoming)
        else:
            answer = await self.tickets.feedback.press(button, incoming)
        if incoming.callback_id:
            await self.outbox.send(
                AnswerButton(incoming.callback_id, answer, chat_id=incoming.chat_id)
            )

    async def _desk_action(self, button: tk.TicketButton, incoming: Incoming) -> str:
        """Unclaim, the closing menu and a closing reason (bot/tickets/handover.py, closing.py)."""
        ticket = await self.tickets.get(button.ticket_id)
        if ticket is None:
            return self._t("staff.answer.not_found", id=button.ticket_id)
        actor = self._actor(incoming)
        if button.action == tk.UNCLAIM:
            return await self.tickets.handover.unclaim(ticket, actor)
        if button.action == tk.NOTE:
            return await self.tickets.handover.prompt_note(ticket, incoming.chat_id)
        if button.value is None:
            return await self.tickets.closing.menu(ticket, incoming.chat_id)
        return await self.tickets.closing.close(ticket, actor, button.value)

    async def _quote_answer(self, button: tk.TicketButton, incoming: Incoming) -> str:
        """The resident accepts or declines a paid repair (有偿维修确认)."""
        ticket = await self.tickets.get(button.ticket_id)
        if ticket is None or ticket.user_id != incoming.user_id:
            return self.texts.bind(self.texts.pick_locale(incoming.language_code))(
                "tickets.not_yours"
            )
        actor = Actor("resident", incoming.user_id, incoming.user_name or ticket.user_name)
        return await self.tickets.closing.answer_quote(ticket, actor, button.value == "yes")

    async def _desk_button(self, incoming: Incoming) -> None:
        """`desk:open[:overdue]` under a digest: the list, here."""
        if not self.acts_as_staff(incoming):
            answer = self._t("tickets.staff_only")
        else:
            args = (incoming.button_data or "").split(":")[2:]
            await self.outbox.send(
                SendText(
                    incoming.chat_id,
                    await self.tickets.timeline.open_list(
                        " ".join(args), chat_id=incoming.chat_id, user_id=incoming.user_id
                    ),
                )
            )
            answer = ""
        if incoming.callback_id:
            await self.outbox.send(
                AnswerButton(incoming.callback_id, answer, chat_id=incoming.chat_id)
            )

    # -- commands -------------------------------------------------------------------------
    async def _command(self, incoming: Incoming) -> None:
        command = incoming.command
        if command == "open":
            await self._say(
                incoming,
                await self.tickets.timeline.open_list(
                    incoming.command_args, chat_id=incoming.chat_id, user_id=incoming.user_id
                ),
            )
        elif command == "digest":
            await self._say(incoming, await self.tickets.digest.render(incoming.chat_id))
        elif command == "dup":
            await self._dup(incoming)
        elif command in TICKET_COMMANDS:
            ticket = await self._ticket_for(incoming)
            if ticket is None:
                return
            await self._ticket_command(incoming, ticket)
        else:
            await self._say(incoming, self._t("staff.help"))

    async def _ticket_command(self, incoming: Incoming, ticket: Ticket) -> None:
        command, actor, rest = incoming.command, self._actor(incoming), self._rest(incoming)
        if command == "ticket":
            await self._say(incoming, await self.tickets.timeline.render(ticket))
        elif command == "report":
            await self.tickets.reports.send_draft(ticket, incoming.chat_id, actor)
        elif command == "unclaim":
            await self._say(incoming, await self.tickets.handover.unclaim(ticket, actor))
        elif command == "assign":
            await self._say(incoming, await self.tickets.handover.assign(ticket, actor, rest))
        elif command == "resolve":
            await self._say(
                incoming, await self.tickets.closing.resolve(ticket, actor, incoming, rest)
            )
        elif command == "quote":
            await self._say(incoming, await self.tickets.closing.quote(ticket, actor, rest))
        elif command == "note":
            await self._say(incoming, await self.tickets.handover.note(ticket, actor, rest))

    async def _dup(self, incoming: Incoming) -> None:
        """`/dup N M`: #N is the same matter as #M (or, replying to #N's message: `/dup M`)."""
        numbers = [strict_id(w.lstrip("#＃")) for w in incoming.command_args.split()]
        if len(numbers) == 1 and numbers[0] is not None and incoming.reply_to_message_id:
            replied = ticket_id_of_ref(
                await self.outbox.ref_of(incoming.chat_id, incoming.reply_to_message_id)
            )
            numbers = [replied, numbers[0]]
        if len(numbers) != 2 or None in numbers:
            await self._say(incoming, self._t("desk.usage.dup"))
            return
        duplicate_id, other_id = numbers
        assert duplicate_id is not None and other_id is not None
        ticket = await self.tickets.get(duplicate_id)
        other = await self.tickets.get(other_id)
        for wanted, found in ((duplicate_id, ticket), (other_id, other)):
            if found is None or not self._in_scope(found, incoming):
                await self._say(incoming, self._t("staff.answer.not_found", id=wanted))
                return
        assert ticket is not None
        await self._say(
            incoming,
            await self.tickets.closing.duplicate(ticket, other_id, self._actor(incoming)),
        )

    @staticmethod
    def _rest(incoming: Incoming) -> str:
        """What follows the ticket number (or all the arguments when replying)."""
        args = incoming.command_args
        first, _, rest = args.partition(" ")
        if strict_id(first.lstrip("#＃")) is not None:
            return rest.strip()
        return args.strip()

    async def _ticket_for(self, incoming: Incoming) -> Ticket | None:
        """The ticket named by `/ticket N`, or the one whose message this replies to."""
        arg = incoming.command_args.split(maxsplit=1)[0] if incoming.command_args else ""
        arg = arg.lstrip("#＃").strip()
        ticket_id: int | None = strict_id(arg)
        if ticket_id is None and incoming.reply_to_message_id is not None:
            ticket_id = ticket_id_of_ref(
                await self.outbox.ref_of(incoming.chat_id, incoming.reply_to_message_id)
            )
        if ticket_id is None:
            key = f"staff.usage.{incoming.command}"
            await self._say(
                incoming, self._t(key if self.texts.has(key) else f"desk.usage.{incoming.command}")
            )
            return None
        ticket = await self.tickets.get(ticket_id)
        if ticket is not None and not self._in_scope(ticket, incoming):
            ticket = None  # another estate's: not this group's to see
        if ticket is None:
            await self._say(incoming, self._t("staff.answer.not_found", id=ticket_id))
        return ticket

    # -- replies to residents -------------------------------------------------------------
    async def _reply(self, incoming: Incoming) -> None:
        assert incoming.reply_to_message_id is not None
        ref = await self.outbox.ref_of(incoming.chat_id, incoming.reply_to_message_id)
        ticket_id = ticket_id_of_ref(ref)
        if ticket_id is None:
            return  # a reply to something else: staff talking among themselves
        ticket = await self.tickets.get(ticket_id)
        if ticket is None or not self._in_scope(ticket, incoming):
            return
        note = note_text(incoming.text)
        if note is None and is_note_prompt(ref):
            note = (incoming.text or "").strip()
        if note is not None:  # an internal note: on the timeline, never to the resident
            await self._say(
                incoming, await self.tickets.handover.note(ticket, self._actor(incoming), note)
            )
            return
        problem = await self.tickets.relay.from_staff(ticket, incoming)
        if problem:
            await self._say(incoming, problem)


def _command(incoming: Incoming) -> str | None:
    """The command, except that "// ..." is an internal note, not a command."""
    return None if note_text(incoming.text) is not None else incoming.command
