"""Through the real resident flows and classifier: a resident reports, staff take over."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import REPO_ROOT
from bot.core.actions import SendPhoto
from bot.core.incoming import Attachment, AttachmentKind
from tests.support.harness import Harness, make_harness
from tests.tickets.conftest import SETTINGS, STAFF_A

RESIDENT = "1001"

# jieba's load_userdict leaves its file to the garbage collector
pytestmark = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture(scope="session")
def real_classifier() -> Any:
    from bot.intents import Classifier

    return Classifier.from_locales(REPO_ROOT / "locales")


@pytest.fixture
async def h(sqlite_url: str, real_classifier: Any) -> AsyncIterator[Harness]:
    harness = await make_harness(sqlite_url, classifier=real_classifier, **SETTINGS)
    try:
        yield harness
    finally:
        await harness.close()


async def test_a_reported_gas_leak_reaches_staff_and_both_sides_talk(h: Harness) -> None:
    await h.say(RESIDENT, "3栋1202厨房有煤气味")
    await h.say(RESIDENT, "13812345678")
    alerts = [m for m in h.chat(h.staff_chat) if "tk:claim:1" in m.button_data]
    assert alerts, "the flow opened no ticket"
    alert = alerts[0]
    assert (
        alert.plain.startswith("🔴") and "燃气泄漏" in alert.plain and "13812345678" in alert.plain
    )

    answers = await h.say(RESIDENT, "味道越来越大了")  # worse, on the open ticket
    relayed = next(m for m in h.chat(h.staff_chat) if "味道越来越大了" in m.plain)
    assert relayed.reply_to == alert.message_id
    mine = [m.plain for m in answers if m.chat_id == RESIDENT]
    assert mine and "不要开关" in mine[0]  # the safety line again
    assert any("再次通知" in t for t in mine)
    assert any("加重" in m.plain for m in h.chat(h.staff_chat))  # staff alerted again

    await h.say(RESIDENT, "门口", attachment=Attachment(AttachmentKind.PHOTO, file_id="DOOR"))
    photos = [a for a, _ in h.sender.log if isinstance(a, SendPhoto)]
    assert photos and photos[-1].photo == "DOOR" and photos[-1].chat_id == h.staff_chat
    last, _ = h.sender.log[-1]
    assert last.chat_id == RESIDENT and "工单 #1" in last.text  # and the resident is answered

    await h.press(h.staff_chat, "tk:claim:1", user=STAFF_A, name="张师傅")
    assert any("工作人员已接单" in m.plain for m in h.chat(RESIDENT))
    await h.say(
        h.staff_chat,
        "请马上下楼，我们2分钟到",
        user=STAFF_A,
        name="张师傅",
        reply_to=relayed.message_id,
    )
    reply = h.last(RESIDENT)
    assert (
        reply.plain.startswith("物业客服")
        and "2分钟到" in reply.plain
        and "张师傅" not in reply.plain
    )
