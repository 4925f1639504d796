"""Telegram updates into `Incoming`: every kind of message the core cares about, the same
through python-telegram-bot's and aiogram's objects as from the raw JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.types import Update as AiogramUpdate
from telegram import Update as PtbUpdate

from bot.core.incoming import AttachmentKind, ChatKind, Incoming
from bot.transports.aiogram import _json
from bot.transports.updates import (
    incoming_from_update,
    update_key,
)

BOT = 7000001
DATE = 1795000000
PRIVATE = {"id": 5550001, "type": "private", "first_name": "王"}
GROUP = {"id": -1001234567890, "type": "supergroup", "title": "物业工作群"}
RESIDENT = {"id": 5550001, "is_bot": False, "first_name": "王", "last_name": "芳",
            "language_code": "zh-hans"}
STAFF = {"id": 4440001, "is_bot": False, "first_name": "李师傅", "username": "li"}
BOT_USER = {"id": BOT, "is_bot": True, "first_name": "物业客服", "username": "helpline_test_bot"}


def message(chat: dict[str, Any] = PRIVATE, user: dict[str, Any] = RESIDENT, **content: Any) -> dict[str, Any]:
    return {"message_id": 42, "date": DATE, "chat": chat, "from": user, **content}


def update(**kinds: Any) -> dict[str, Any]:
    return {"update_id": 900001, **kinds}


def convert(raw: dict[str, Any]) -> Incoming | None:
    return incoming_from_update(raw, bot_id=BOT, bot_username="helpline_test_bot")


SAMPLES: dict[str, dict[str, Any]] = {
    "edited": update(edited_message=message(text="改过的", edit_date=DATE + 30)),
    "forwarded": update(message=message(text="明天停水", forward_origin={
        "type": "hidden_user", "date": DATE - 60, "sender_user_name": "物业通知"})),
    "text": update(message=message(text="3栋1202厨房有煤气味 <b> & *_")),
    "group reply": update(message=message(
        GROUP, STAFF, text="马上到",
        reply_to_message=message(GROUP, BOT_USER, text="[紧急] 燃气泄漏") | {"message_id": 7},
    )),
    "photo with caption": update(message=message(photo=[
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 120},
        {"file_id": "large", "file_unique_id": "l", "width": 960, "height": 1280},
    ], caption="漏水的地方")),
    "voice": update(message=message(voice={"file_id": "v1", "file_unique_id": "v", "duration": 3,
                                           "mime_type": "audio/ogg"})),
    "sticker": update(message=message(sticker={"file_id": "st1", "file_unique_id": "st",
                                               "type": "regular", "width": 512, "height": 512,
                                               "is_animated": False, "is_video": False})),
    "location": update(message=message(location={"latitude": 31.23, "longitude": 121.47})),
    "document": update(message=message(document={"file_id": "d1", "file_unique_id": "d",
                                                 "file_name": "账单.pdf",
                                                 "mime_type": "application/pdf"})),
    "contact": update(message=message(contact={"phone_number": "13812345678",
                                               "first_name": "王", "user_id": 5550001})),
    "button": update(callback_query={
        "id": "cq1", "from": STAFF, "chat_instance": "ci", "data": "tk:claim:12",
        "message": message(GROUP, BOT_USER, text="[紧急] 燃气泄漏") | {"message_id": 7},
    }),
}


def test_a_private_text_message() -> None:
    incoming = convert(SAMPLES["text"])
    assert incoming == Incoming(
        update_id=f"tg:{BOT}:900001:5550001:42", chat_id="5550001", user_id="5550001",
        chat_kind=ChatKind.PRIVATE, user_name="王 芳", language_code="zh-hans",
        text="3栋1202厨房有煤气味 <b> & *_", message_id=42,
        time=datetime.fromtimestamp(DATE, UTC),
    )


def test_a_staff_reply_in_the_group() -> None:
    incoming = convert(SAMPLES["group reply"])
    assert incoming is not None
    assert (incoming.chat_id, incoming.user_id, incoming.chat_kind) == (
        "-1001234567890", "4440001", ChatKind.GROUP)
    assert incoming.reply_to_message_id == 7
    assert incoming.user_name == "李师傅"


def test_a_basic_group_is_a_group_too() -> None:
    raw = update(message=message({"id": -4567, "type": "group", "title": "g"}, text="/whereami"))
    incoming = convert(raw)
    assert incoming is not None and incoming.chat_kind is ChatKind.GROUP
    assert incoming.command == "whereami"


@pytest.mark.parametrize(
    ("sample", "kind", "details"),
    [
        ("photo with caption", AttachmentKind.PHOTO, {"file_id": "large"}),
        ("voice", AttachmentKind.VOICE, {"file_id": "v1", "mime_type": "audio/ogg"}),
        ("sticker", AttachmentKind.STICKER, {"file_id": "st1"}),
        ("location", AttachmentKind.LOCATION, {"latitude": 31.23, "longitude": 121.47}),
        ("document", AttachmentKind.DOCUMENT, {"file_id": "d1", "file_name": "账单.pdf"}),
        ("contact", AttachmentKind.CONTACT, {"phone": "13812345678"}),
    ],
)
def test_attachments(sample: str, kind: AttachmentKind, details: dict[str, Any]) -> None:
    incoming = convert(SAMPLES[sample])
    assert incoming is not None and incoming.attachment is not None
    assert incoming.attachment.kind is kind
    for name, value in details.items():
        assert getattr(incoming.attachment, name) == value


def test_a_caption_is_the_text() -> None:
    incoming = convert(SAMPLES["photo with caption"])
    assert incoming is not None and incoming.text == "漏水的地方"


def test_an_animation_is_not_taken_for_a_document() -> None:
    gif = {"file_id": "a1", "file_unique_id": "a", "width": 1, "height": 1, "duration": 1}
    incoming = convert(update(message=message(animation=gif, document=gif)))
    assert incoming is not None and incoming.attachment is not None
    assert incoming.attachment.kind is AttachmentKind.OTHER


def test_a_button_press() -> None:
    incoming = convert(SAMPLES["button"])
    assert incoming is not None
    assert (incoming.button_data, incoming.callback_id, incoming.message_id) == ("tk:claim:12", "cq1", 7)
    assert (incoming.chat_id, incoming.user_id) == ("-1001234567890", "4440001")
    assert incoming.is_button and incoming.text is None


@pytest.mark.parametrize(
    "raw",
    [
        update(channel_post=message({"id": -100999, "type": "channel", "title": "c"}, text="x")),
        update(callback_query={"id": "cq2", "from": STAFF, "chat_instance": "ci",
                               "inline_message_id": "im1", "data": "x"}),
        update(message=message(text="/help@SomeOtherBot")),
    ],
    ids=["channel", "inline button", "another bot's command"],
)
def test_what_the_core_does_not_see(raw: dict[str, Any]) -> None:
    assert convert(raw) is None


def test_a_command_addressed_to_this_bot_is_kept() -> None:
    incoming = convert(update(message=message(GROUP, STAFF, text="/whereami@Helpline_Test_Bot")))
    assert incoming is not None and incoming.command == "whereami"


def test_the_update_id_names_the_bot_and_the_message_not_the_library() -> None:
    assert update_key(BOT, 5) == f"tg:{BOT}:5"
    other_bot = incoming_from_update(SAMPLES["text"], bot_id=8000002)
    assert other_bot is not None and other_bot.update_id == "tg:8000002:900001:5550001:42"
    press = convert(SAMPLES["button"])
    assert press is not None and press.update_id == f"tg:{BOT}:900001:cq1"


def test_an_update_id_telegram_reuses_for_another_message_is_not_taken_for_the_old_one() -> None:
    """After a week without updates Telegram starts its ids again at random."""
    old = convert(update(message=message(text="旧消息")))
    new = convert(update(message=message(text="新消息") | {"message_id": 43}))
    assert old is not None and new is not None and old.update_id != new.update_id


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_both_libraries_give_the_same_incoming(name: str) -> None:
    """What each adapter hands the shared conversion: PTB's `Update.to_dict()`, aiogram's
    model dumped by `bot.transports.aiogram._json`."""
    raw = SAMPLES[name]
    expected = convert(raw)
    assert expected is not None

    via_ptb = convert(PtbUpdate.de_json(raw, None).to_dict())

    via_aiogram = convert(_json(AiogramUpdate.model_validate(raw)))  # what its getUpdates gives

    assert via_ptb is not None and via_aiogram is not None
    if expected.is_button:  # a press has no date of its own: the time it arrives
        via_ptb = replace(via_ptb, time=expected.time)
        via_aiogram = replace(via_aiogram, time=expected.time)
    assert via_ptb == expected
    assert via_aiogram == expected


def test_an_edited_message_is_an_incoming_of_its_own() -> None:
    original = convert(update(message=message(text="电话13812345678")))
    edit = convert({"update_id": 900002,
                    "edited_message": message(text="电话13912345678", edit_date=DATE + 60)})
    assert original is not None and edit is not None
    assert edit.edited and not original.edited
    assert edit.text == "电话13912345678" and edit.message_id == original.message_id == 42
    assert edit.update_id == f"tg:{BOT}:900002:5550001:42:edited" != original.update_id


@pytest.mark.parametrize(
    "origin",
    [
        {"forward_origin": {"type": "user", "date": DATE - 5, "sender_user": STAFF}},
        {"forward_origin": {"type": "hidden_user", "date": DATE - 5, "sender_user_name": "某人"}},
        {"forward_date": DATE - 5},
    ],
    ids=["origin user", "origin hidden", "legacy date"],
)
def test_a_forwarded_message_is_marked(origin: dict[str, Any]) -> None:
    incoming = convert(update(message=message(text="明天9:00停水", **origin)))
    assert incoming is not None and incoming.forwarded and not incoming.edited
    own = convert(SAMPLES["text"])
    assert own is not None and not own.forwarded


def test_control_characters_and_non_characters_are_stripped_at_the_edge() -> None:
    raw = "3栋1202\x00厨房\x07有\u200b煤气味\ufffe\r\n快来\t！\u2028\U0010ffff"
    incoming = convert(update(message=message(text=raw, chat=PRIVATE,
                                              user=RESIDENT | {"first_name": "王\x00"})))
    assert incoming is not None
    assert incoming.text == "3栋1202厨房有\u200b煤气味\n快来\t！\n"  # zero-width space is a format char
    assert incoming.user_name == "王 芳"
    caption = convert(update(message=message(photo=[{"file_id": "p", "file_unique_id": "p",
                                                     "width": 1, "height": 1}],
                                              caption="漏水\x00了")))
    assert caption is not None and caption.text == "漏水了"


def test_an_incoming_built_anywhere_is_clean() -> None:
    incoming = Incoming("u1", "1", "1", text="a\x00b", user_name="\x1bname", button_data="tk:\x00claim:1")
    assert (incoming.text, incoming.user_name, incoming.button_data) == ("ab", "name", "tk:claim:1")
    emoji = "👨‍👩‍👧 家里没人"  # ZWJ sequences are kept
    assert Incoming("u2", "1", "1", text=emoji).text == emoji


@pytest.mark.parametrize("bad", ["²", "４２", "42abc", "9" * 25, True, 2**64])
def test_ids_are_strict_ascii_decimals_in_range(bad: Any) -> None:
    incoming = convert(update(message=message(text="x", reply_to_message={"message_id": bad, "date": DATE,
                                                                          "chat": PRIVATE}) | {"message_id": bad}))
    assert incoming is not None
    assert incoming.message_id is None and incoming.reply_to_message_id is None


def test_an_incoming_survives_json() -> None:
    import json

    for name, raw in SAMPLES.items():
        incoming = convert(raw)
        assert incoming is not None, name
        assert Incoming.from_dict(json.loads(json.dumps(incoming.to_dict()))) == incoming, name
