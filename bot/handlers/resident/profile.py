"""The resident's details: /start, /me, /forget, "remember these?" and registering."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot import deeplinks
from bot.core.actions import SendDocument, keyboard
from bot.flows.answers import (
    declines,
    matches_label,
    offers_yes,
)
from bot.flows.places import place_text
from bot.flows.registration import profile_text
from bot.flows.validators import says_no, says_yes
from bot.handlers.resident.base import (
    REMEMBER_TYPED_SECONDS,
    DeskBase,
    DeskPart,
)

if TYPE_CHECKING:
    from bot.flows.turn import Turn


class ProfileDesk(DeskPart):
    def __init__(self, base: DeskBase) -> None:
        super().__init__(base)

    # -- the resident's details ---------------------------------------------------------------
    async def remember_typed(self, turn: Turn, text: str) -> bool:
        """A typed "记住" / "不用了" to "下次要直接用这些信息吗？": like pressing the button.

        A plain yes or no counts only soon after the question and as the next message (a
        later "好" may answer staff).
        """
        asked = turn.slots.get("remember_at")
        if not turn.slots.get("remember") or len(text) > 20:
            return False
        yes_label = matches_label(text, turn.text.plain("resident.button.remember_yes"))
        no_label = matches_label(text, turn.text.plain("resident.button.remember_no"))
        recent = False
        if isinstance(asked, str):
            since = self.ctx.clock.now() - datetime.fromisoformat(asked)
            recent = since <= timedelta(seconds=REMEMBER_TYPED_SECONDS)
        yes = yes_label or (recent and (says_yes(text) or offers_yes(text)))
        no = no_label or (recent and (says_no(text) or declines(text)))
        if yes == no:
            return False
        await self.remember(turn, yes, pressed=False)
        return True

    async def remember(self, turn: Turn, yes: bool, *, pressed: bool = True) -> str | None:
        details = turn.slots.get("remember")
        if not details:
            return "resident.toast.expired"
        keep = {k: v for k, v in turn.slots.items() if k not in ("remember", "remember_at")}
        if turn.state.active:
            turn.state.slots = keep
            await self.engine.store.save(turn.state)
        else:
            await self.engine.end(turn, keep)
        if not yes:
            if pressed:
                await self.engine.settle(turn, turn.text.plain("resident.button.remember_no"))
            await turn.send("resident.remember.declined")
            return None
        await self.ctx.profiles.remember(
            turn.user_id, turn.chat_id, name=turn.user_name, locale=turn.locale, **details
        )
        await turn.send(
            "resident.remember.done",
            details=profile_text(
                turn, details.get("building"), details.get("room"), details.get("phone")
            ),
        )
        return None

    async def register(self, turn: Turn, *, consented: bool = False) -> None:
        slots: dict[str, Any] = {"intent": "register", "name": turn.user_name}
        if consented:
            slots["consent"] = "yes"
        await self.engine.begin(turn, "register", slots)

    async def start(self, turn: Turn) -> None:
        """/start: welcome, then registration (or the details already kept)."""
        flow = self.engine.flow_of(turn.state)
        if flow is not None and flow.emergency:
            await self.engine.reask(turn)
            return
        await self.base.leave(turn)
        await turn.send("resident.welcome", name=turn.user_name or turn.text("resident.you"))
        settings = self.ctx.settings
        await turn.send(
            "resident.privacy",
            days=f"{settings.retention_days:g}",
            conversation_days=f"{settings.conversation_retention_days:g}",
        )
        place = await self._linked_place(turn)
        if place is not None:
            await self.bind(turn, place)
            return
        profile = await turn.profile()
        if profile is not None and profile.has_details:
            details = profile_text(turn, profile.building, profile.room, profile.phone)
            await turn.send(
                "resident.register.already",
                keyboard([(turn.text.plain("resident.button.update"), "menu:register")]),
                details=details,
            )
            return
        await self.register(turn)

    async def _linked_place(self, turn: Turn) -> deeplinks.Place | None:
        """The place a QR code's deep link (`/start <payload>`) names, if any; a forged,
        damaged or foreign code gets a kind word, then the normal /start."""
        payload = turn.incoming.command_args.strip() if turn.incoming is not None else ""
        if not payload:
            return None
        try:
            place = deeplinks.verify(deeplinks.link_key(self.ctx.settings), payload)
        except deeplinks.BadLink:
            await turn.send("resident.link.bad")
            return None
        if not self.engine.estates.known(place.estate):
            await turn.send("resident.link.other_estate")
            return None
        return place

    async def bind(self, turn: Turn, place: deeplinks.Place) -> None:
        """A QR code's flat: offered for registration (consent asked as always); a resident
        already registered there hears so; one registered elsewhere keeps the phone."""
        profile = await turn.profile()
        moved = profile is not None and profile.estate_id != place.estate
        if moved or profile is None:  # the code's estate is theirs from now on
            await self.ctx.profiles.set_estate(turn.user_id, turn.chat_id, place.estate)
            turn.forget_cached_profile()
            kept = profile.phone if profile is not None and profile.has_details else None
            profile = await turn.profile()
            turn.resident_estate = place.estate
        else:
            kept = profile.phone if profile.has_details else None
        room = place.room or None
        if (
            profile is not None and profile.has_details
            and profile.building == place.building and (room is None or profile.room == room)
        ):
            details = profile_text(turn, profile.building, profile.room, profile.phone)
            await turn.send(
                "resident.register.already",
                keyboard([(turn.text.plain("resident.button.update"), "menu:register")]),
                details=details,
            )
            return
        if self.engine.estates.several:
            estate = self.engine.estates.of(place.estate)
            await turn.send("resident.link.estate", estate=estate.name)
        await turn.send("resident.link.place", place=place_text(turn, place.building, room))
        slots: dict[str, Any] = {
            "intent": "register", "name": turn.user_name, "building": place.building,
            "room": room, "estate": place.estate,
        }
        if kept:  # moving: consent given, phone kept
            slots["consent"] = "yes"
            slots["phone"] = kept
        await self.engine.begin(turn, "register", slots)

    # -- the resident's estate (several estates: ESTATES_FILE) -------------------------------
    async def show_estate(self, turn: Turn) -> None:
        """/estate: the resident's estate, and buttons to change it (a resident who moved)."""
        estates = self.engine.estates
        if not estates.several:
            await turn.send("resident.estate.only", estate=estates.default.name)
            return
        current = estates.get(turn.resident_estate)
        buttons = keyboard(*([(e.name, f"menu:estate:{e.id}")] for e in estates.all))
        if current is None:
            await turn.send("resident.estate.none", buttons)
        else:
            await turn.send("resident.estate.current", buttons, estate=current.name)

    async def choose_estate(self, turn: Turn, arg: str) -> str | None:
        """A button of /estate: the resident belongs to that estate from now on."""
        estates = self.engine.estates
        chosen = estates.get(int(arg)) if arg.isdigit() else None
        if chosen is None:
            return "resident.toast.expired"
        profile = await turn.profile()
        if profile is not None and profile.estate_id == chosen.id:
            await turn.send("resident.estate.same", estate=chosen.name)
            return None
        had_place = profile is not None and bool(profile.building)
        await self.ctx.profiles.set_estate(turn.user_id, turn.chat_id, chosen.id)
        turn.forget_cached_profile()
        turn.resident_estate = chosen.id
        key = "resident.estate.changed_place" if had_place else "resident.estate.changed"
        await turn.send(key, estate=chosen.name)
        return None

    async def show_me(self, turn: Turn) -> None:
        profile = await turn.profile()
        if profile is None or not profile.has_details:
            await turn.send("resident.me.empty")
            return
        await turn.send(
            "resident.me.shown",
            keyboard([(turn.text.plain("resident.button.update"), "menu:register")]),
            details=profile_text(turn, profile.building, profile.room, profile.phone),
        )

    async def my_data(self, turn: Turn) -> None:
        """/mydata: everything stored about the resident, as a JSON file."""
        if self.ctx.privacy is None:
            await turn.send("resident.me.empty")
            return
        data = await self.ctx.privacy.export(turn.user_id, turn.chat_id)
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        await self.ctx.outbox.send(
            SendDocument(
                turn.chat_id,
                filename="my-data.json",
                content=content,
                caption=turn.text("resident.mydata.caption"),
            )
        )

    async def forget(self, turn: Turn) -> None:
        had = await self.ctx.profiles.forget(turn.user_id, turn.chat_id)
        turn.forget_cached_profile()
        turn.slots.pop("no_calls", None)  # "不能接电话" is theirs too: forgotten with the rest
        if turn.state.active:
            turn.slots.pop("remember", None)
            await self.engine.store.save(turn.state)
        else:
            await self.engine.end(turn)
        await turn.send("resident.forget.done" if had else "resident.forget.nothing")
