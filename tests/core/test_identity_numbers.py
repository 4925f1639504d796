"""A resident's identity card number is never kept (blind DU05: sent by mistake instead of a
phone): it is taken out of the message before anything stores it, in every database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.core.incoming import ChatKind, Incoming
from bot.core.privacy import ID_MASKED, mask_identity_numbers
from bot.storage.models import Ticket, TicketEvent
from tests.support.harness import make_harness


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("320106198807152418", True),
        ("身份证 11010519491231002X 电话", True),
        ("订单号 3456789012345678901", False),  # 19 digits: an order number
        ("运单 123456789012345678", False),  # no birth date where a card has one
        ("电话 13812345678", False),
    ],
)
def test_identity_numbers_are_found(text: str, masked: bool) -> None:
    cleaned, found = mask_identity_numbers(text)
    assert found is masked
    assert (ID_MASKED in cleaned) is masked


def test_staff_groups_are_left_alone() -> None:
    private = Incoming("u1", "1001", "1001", text="320106198807152418")
    group = Incoming("u2", "-100", "7", chat_kind=ChatKind.GROUP, text="320106198807152418")
    assert private.text == ID_MASKED and private.masked
    assert group.text == "320106198807152418" and not group.masked


async def test_an_identity_number_beside_a_ticket_is_neither_kept_nor_relayed(
    database_url: str, classifier: Any
) -> None:
    h = await make_harness(database_url, classifier=classifier)
    try:
        await h.say("1001", "厨房水龙头一直滴水 3栋1202 13812345678")
        shown = await h.say("1001", "身份证号 320106198807152418")
        assert any("身份证号" in m.plain and "没有保存" in m.plain for m in shown)
        staff = " ".join(m.plain for m in h.chat(h.staff_chat))
        assert "320106198807152418" not in staff
        async with h.app.db.session() as session:
            words = [t.description for t in (await session.scalars(select(Ticket))).all()]
            events = (await session.scalars(select(TicketEvent))).all()
            words += [f"{e.text} {e.data}" for e in events]
        assert words and not any("198807152418" in w for w in words)
    finally:
        await h.close()
