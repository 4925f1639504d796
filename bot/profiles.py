"""Resident profiles: who writes to the bot, and the building, room and phone they let us keep.

Building, room and phone are stored only with the resident's consent (`remember`), offered
back as buttons in the next report, shown by /me and deleted by /forget. A resident who opens
a ticket gets a row (name, chat, language) so the ticket can point to it, without details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot.storage.models import Resident

if TYPE_CHECKING:
    from bot.core.clock import Clock
    from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class Profile:
    id: int
    user_id: str
    chat_id: str
    name: str
    locale: str
    building: str | None
    room: str | None
    phone: str | None
    consent: bool
    estate_id: int | None = None  # the estate the resident belongs to (None: not chosen yet)
    forgotten_at: datetime | None = None  # when the resident said /forget (consent withdrawn)

    @property
    def has_details(self) -> bool:
        return bool(self.consent and (self.building or self.room or self.phone))

    @classmethod
    def of(cls, row: Resident) -> Profile:
        return cls(
            id=row.id,
            user_id=row.user_id,
            chat_id=row.chat_id,
            name=row.name,
            locale=row.locale,
            building=row.building if row.consent else None,
            room=row.room if row.consent else None,
            phone=row.phone if row.consent else None,
            consent=row.consent,
            estate_id=row.estate_id,
            forgotten_at=row.consent_at if not row.consent else None,
        )


class ProfileService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def get(self, user_id: str) -> Profile | None:
        async with self.db.session() as session:
            row = await session.scalar(select(Resident).where(Resident.user_id == user_id))
            return Profile.of(row) if row is not None else None

    async def ensure(
        self, user_id: str, chat_id: str, name: str = "", locale: str = "zh"
    ) -> Profile:
        """The resident's row, created if missing (name, chat and language only)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await session.scalar(select(Resident).where(Resident.user_id == user_id))
            if row is None:
                row = Resident(
                    user_id=user_id,
                    chat_id=chat_id,
                    name=name,
                    locale=locale,
                    consent=False,
                    unreachable=False,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
            else:
                wanted = {"chat_id": chat_id, "locale": locale, "unreachable": False}
                if name:
                    wanted["name"] = name
                if any(getattr(row, k) != v for k, v in wanted.items()):
                    for key, value in wanted.items():
                        setattr(row, key, value)
                    row.unreachable_at = None
                    row.updated_at = now
            await session.flush()
            return Profile.of(row)

    async def remember(
        self,
        user_id: str,
        chat_id: str,
        *,
        name: str = "",
        locale: str = "zh",
        building: str | None = None,
        room: str | None = None,
        phone: str | None = None,
        replace: bool = True,
    ) -> Profile:
        """Keep these details with the resident's consent (given by the caller's question).

        `replace=False` only fills what is missing (a report about another flat must not
        overwrite the resident's own address).
        """
        await self.ensure(user_id, chat_id, name, locale)
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await session.scalar(select(Resident).where(Resident.user_id == user_id))
            assert row is not None
            fresh = replace or not row.consent
            for field_name, value in (("building", building), ("room", room), ("phone", phone)):
                if value and (fresh or not getattr(row, field_name)):
                    setattr(row, field_name, value)
            if not row.consent:
                row.consent, row.consent_at = True, now
            row.updated_at = now
            await session.flush()
            return Profile.of(row)

    async def forget(self, user_id: str, chat_id: str | None = None) -> bool:
        """Delete the kept details and the consent; True when there was something to delete."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await session.scalar(select(Resident).where(Resident.user_id == user_id))
            if row is None:  # nothing kept; the withdrawal itself is kept (no notices from tickets)
                session.add(
                    Resident(
                        user_id=user_id,
                        chat_id=chat_id or user_id,
                        consent=False,
                        consent_at=now,
                        unreachable=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
                return False
            had = bool(row.consent or row.building or row.room or row.phone)
            row.building = row.room = row.phone = None
            # consent withdrawn, and when: a ticket's building no longer brings them notices
            row.consent, row.consent_at = False, now
            row.updated_at = now
            return had

    async def set_estate(self, user_id: str, chat_id: str, estate_id: int) -> Profile:
        """The resident belongs to this estate (chosen, or a QR code's); moving to another
        estate drops the building and room of the old one (the phone stays)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await session.scalar(select(Resident).where(Resident.user_id == user_id))
            if row is None:
                row = Resident(
                    user_id=user_id, chat_id=chat_id, name="", locale="zh", consent=False,
                    unreachable=False, estate_id=estate_id, created_at=now, updated_at=now,
                )
                session.add(row)
            elif row.estate_id != estate_id:
                if row.estate_id is not None:
                    row.building = row.room = None
                row.estate_id = estate_id
                row.updated_at = now
            await session.flush()
            return Profile.of(row)

    async def mark_unreachable(self, chat_id: str) -> None:
        """The resident blocked the bot (403): stop sending, keep the record."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            await session.execute(
                update(Resident)
                .where(Resident.chat_id == chat_id)
                .values(unreachable=True, unreachable_at=now)
            )
