"""The console's `Sender`: message ids, edits, plain text, and the interactive screen."""

from __future__ import annotations

import io
from typing import Any

from bot.core.actions import AnswerButton, EditText, SendDocument, SendPhoto, SendText, keyboard
from bot.transports.console import ConsoleSender, Interactive, attachment_of
from tests.support.harness import Harness


async def test_messages_get_ids_edits_keep_them_and_html_is_stripped() -> None:
    out: list[dict[str, Any]] = []
    sender = ConsoleSender(out.append)
    buttons = keyboard([("是", "flow:confirm:yes")])
    first = await sender.deliver(
        SendText("1001", "<b>是否</b> &amp; 吗", buttons),
        reply_to_message_id=None,
        target_message_id=None,
    )
    second = await sender.deliver(
        SendText("staff", "alert"), reply_to_message_id=first, target_message_id=None
    )
    edited = await sender.deliver(
        EditText("1001", 1, "<i>done</i>"), reply_to_message_id=None, target_message_id=first
    )
    answered = await sender.deliver(
        AnswerButton("cb1", "已过期", chat_id="1001"),
        reply_to_message_id=None,
        target_message_id=None,
    )
    await sender.deliver(
        SendPhoto("staff", "FILE", caption="照片"), reply_to_message_id=None, target_message_id=None
    )
    await sender.deliver(
        SendDocument("staff", "report.csv", b"a,b", caption="报表"),
        reply_to_message_id=None,
        target_message_id=None,
    )
    assert (first, second, edited, answered) == (1, 2, 1, None)
    assert out[0] == {
        "to": "1001",
        "id": 1,
        "text": "是否 & 吗",
        "buttons": [[{"text": "是", "data": "flow:confirm:yes"}]],
    }
    assert out[1]["reply_to"] == 1
    assert out[2] == {"to": "1001", "edit": 1, "text": "done", "buttons": []}
    assert out[3] == {"to": "1001", "answer": "已过期"}
    assert out[4]["photo"] == "FILE" and out[5]["document"] == "report.csv"
    assert sender.carrier_of("1001", "flow:confirm:yes") is None  # the edit removed the button


def test_attachments_in_json_input() -> None:
    photo = attachment_of({"kind": "photo", "file_id": "F1"})
    assert photo is not None and photo.file_id == "F1"
    assert attachment_of({"kind": "hologram"}) is None
    assert attachment_of("photo") is None


async def test_the_interactive_console_numbers_buttons_and_switches_identity(
    harness: Harness,
) -> None:
    screen = io.StringIO()
    stdin = io.StringIO(
        "电梯困人了\n3栋1202\n!2\n:staff\n:help\n:nonsense\n!99\n:resident\n:voice\n"
    )
    harness.app.outbox.sender = None
    code = await Interactive(harness.app, screen).run(stdin)
    shown = screen.getvalue()
    assert code == 0
    assert "警铃" in shown and "[!1]" in shown and "[!2] 跳过" in shown
    assert "工作群" in shown and "工单 #1" in shown  # the staff group's alert
    assert "工作群 · 9001 ›" in shown  # typing as staff
    assert "没有编号为 99 的按钮" in shown and "不认识这个命令" in shown
    assert "请用文字描述" in shown
    assert shown.rstrip().endswith("再见！")
