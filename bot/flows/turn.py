"""`Turn`: one moment of a resident's conversation, handed to flows and their hooks.

It carries a typed `FlowContext` (the services a conversation may use), the conversation
it belongs to (`Conversation`: the flow engine, seen through the three things a flow
definition asks of it), the conversation state, the resident's locale and (when a message
caused it) the `Incoming`; it renders texts with the emergency numbers always available,
and sends through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.core.actions import Keyboard, SendText

if TYPE_CHECKING:
    from bot.core.incoming import Incoming
    from bot.estates import Estate
    from bot.flows.context import FlowContext
    from bot.flows.store import State
    from bot.profiles import Profile
    from bot.texts import LocaleTexts

_UNSET: Any = object()


class Conversation(Protocol):
    """What a flow definition may ask of the engine running it."""

    async def end(self, turn: Turn, keep: dict[str, Any] | None = None) -> None: ...

    async def not_confirmed(self, turn: Turn) -> None: ...

    async def reconsider(self, turn: Turn) -> bool: ...


@dataclass(eq=False)
class Turn:
    ctx: FlowContext
    conversation: Conversation
    state: State
    locale: str
    user_name: str = ""
    incoming: Incoming | None = None
    resident_estate: int | None = None  # the resident's estate when the message came (profile)
    _profile: Any = field(default=_UNSET, repr=False)
    _line_skipped: bool = field(default=False, repr=False)

    @property
    def chat_id(self) -> str:
        return self.state.chat_id

    @property
    def user_id(self) -> str:
        return self.state.user_id

    @property
    def slots(self) -> dict[str, Any]:
        return self.state.slots

    async def end(self, keep: dict[str, Any] | None = None) -> None:
        """Leave the flow; `keep` stays in the conversation for the next one."""
        await self.conversation.end(self, keep)

    @property
    def text(self) -> LocaleTexts:
        """The texts in the resident's locale, the emergency numbers always available:
        `turn.text(key, ...)`, `turn.text.plain(key)` for a button, `turn.text.has(key)`."""
        return self.ctx.texts.bind(self.locale, defaults=self.emergency_numbers())

    def emergency_numbers(self) -> dict[str, str]:
        """The numbers to call by service ("police", "fire", "ambulance", "crisis"), for
        the estate's region."""
        estate = self.estate
        settings = self.ctx.settings
        return (
            estate.emergency_numbers(settings.crisis_hotline)
            if estate is not None
            else settings.emergency_numbers()
        )

    @property
    def estate(self) -> Estate | None:
        """The conversation's estate, when known (several estates: `ESTATES_FILE`)."""
        estates = self.ctx.estates
        if estates is None:
            return None
        return estates.get(self.slots.get("estate")) or estates.get(self.resident_estate)

    def numbers(self) -> str:
        """The emergency numbers line for this region (the estate's)."""
        estate = self.estate
        region = estate.region if estate is not None else self.ctx.settings.region
        return self.text("resident.numbers_hk" if region == "HK" else "resident.numbers")

    async def send(self, key: str, buttons: Keyboard | None = None, **values: object) -> None:
        # an emergency's life-saving line ("safety.<what>.now") takes the outbox's urgent lane
        urgent = key.startswith("safety.") and key.endswith(".now")
        if urgent and self.incoming is not None and self.incoming.line_sent == key:
            if not self._line_skipped:  # the intake queued this very line on arrival
                self._line_skipped = True
                return
        await self.send_html(self.text(key, **values), buttons, urgent=urgent)

    async def send_html(
        self, html: str, buttons: Keyboard | None = None, *, urgent: bool = False
    ) -> None:
        await self.ctx.outbox.send(SendText(self.chat_id, html, buttons, urgent=urgent))

    async def profile(self) -> Profile | None:
        if self._profile is _UNSET:
            self._profile = await self.ctx.profiles.get(self.user_id)
        profile: Profile | None = self._profile
        return profile

    def forget_cached_profile(self) -> None:
        self._profile = _UNSET
