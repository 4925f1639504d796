"""/stats (numbers and a chart) and /export (the request log as CSV), for managers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.actions import SendDocument, SendPhoto
from bot.core.errors import Blocked
from bot.notices.render import NoticeFacts
from bot.stats.export import parse_range, safe_cell
from bot.storage.models import Ticket, TicketEvent
from tests.notices.support import MANAGER, add_residents
from tests.support.harness import Harness

TZ = ZoneInfo("Asia/Shanghai")  # the fake clock's now: Saturday 2026-11-21 18:00 here


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


async def add_ticket(
    h: Harness,
    *,
    intent: str,
    severity: str,
    created: datetime,
    status: str = "open",
    claim_after: float | None = None,
    resolve_after: float | None = None,
    rating: int | None = None,
    events: int = 1,
    **extra: Any,
) -> int:
    """Minutes after creation for claim/resolve."""
    async with h.app.db.transaction() as session:
        ticket = Ticket(
            chat_id="c1",
            user_id="c1",
            user_name="王女士",
            intent=intent,
            severity=severity,
            building="3",
            room="1202",
            phone="13812345678",
            description=extra.pop("words", "厨房漏水"),
            status=status,
            created_at=created,
            updated_at=created,
            rating=rating,
            extra={},
            claimed_at=created + timedelta(minutes=claim_after)
            if claim_after is not None
            else None,
            resolved_at=created + timedelta(minutes=resolve_after)
            if resolve_after is not None
            else None,
            **extra,
        )
        session.add(ticket)
        await session.flush()
        for i in range(events):
            session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    at=created,
                    kind="created" if i == 0 else "note",
                    actor_kind="system",
                    data={},
                )
            )
        return ticket.id


async def seed(h: Harness) -> None:
    await add_ticket(
        h,
        intent="gas_leak",
        severity="emergency",
        created=local(11, 21, 17),
        status="resolved",
        claim_after=3,
        resolve_after=60,
        rating=5,
    )
    await add_ticket(
        h,
        intent="water_outage",
        severity="urgent",
        created=local(11, 21, 9),
        status="claimed",
        claim_after=40,
    )
    await add_ticket(
        h,
        intent="repair",
        severity="normal",
        created=local(11, 16, 10),
        status="closed",
        claim_after=20,
        resolve_after=26 * 60,
        rating=3,
    )
    await add_ticket(
        h,
        intent="complaint",
        severity="normal",
        created=local(11, 10, 10),
        status="closed",
        resolve_after=120,
        rating=4,
    )
    await add_ticket(h, intent="repair", severity="normal", created=local(11, 21, 12))
    await add_ticket(
        h, intent="water_outage", severity="urgent", created=local(11, 21, 12), status="cancelled"
    )


async def test_stats_numbers_against_the_targets(h: Harness) -> None:
    await seed(h)
    chats = await add_residents(h.app, 10, buildings=["3"])
    h.sender.fail_for[chats[0]] = [Blocked()]
    await h.app.notices.publish(
        NoticeFacts("water", ["3"], None, None, "管道维修", ""),
        created_by=MANAGER,
        manager_chat_id=MANAGER,
    )
    await h.app.notices.drain()
    shown = await h.say(MANAGER, "/stats")
    text = next(m for m in shown if "统计" in m.plain).plain
    assert "今天 3 · 本周 4" in text  # the merged (cancelled) ticket is not counted twice
    assert "紧急 1 · 较急 1 · 一般 2" in text
    assert "待接单 1 · 处理中 1 · 本周已解决 2" in text
    assert "紧急接单中位数 3 分钟（时限 5 分钟）✅" in text
    assert "较急接单中位数 40 分钟（时限 30 分钟）⚠️" in text
    assert "一般接单中位数 20 分钟（时限 60 分钟）✅" in text
    assert "解决用时中位数 2 小时（目标 24 小时 内）✅" in text
    assert "平均 4.0 分（3 人评分）· 满意（4-5 分）66.7%（目标 85%）⚠️" in text
    assert "#1 停水 3栋：9/10（90%）✅" in text
    photo = next(a for a, _ in h.sender.log if isinstance(a, SendPhoto))
    assert photo.chat_id == MANAGER and photo.content is not None
    assert photo.content.startswith(b"\x89PNG\r\n\x1a\n") and len(photo.content) > 5000


async def test_stats_with_nothing_yet(h: Harness) -> None:
    shown = await h.say(MANAGER, "/stats")
    text = next(m for m in shown if "统计" in m.plain).plain
    assert "今天 0 · 本周 0" in text and "暂无数据" in text
    assert any(isinstance(a, SendPhoto) for a, _ in h.sender.log)


async def test_chart_labels_are_ascii_without_a_chinese_font(h: Harness) -> None:
    handler = h.app.router.handlers[1]
    stats = handler.stats  # type: ignore[attr-defined]
    stats.__dict__["font"] = None  # no CJK font on this system (or pretend so)
    labels = stats.labels("en")
    texts = [
        labels.title_days,
        labels.title_intents,
        labels.empty,
        *labels.severities.values(),
        *labels.intents.values(),
    ]
    assert all(t.isascii() for t in texts) and "water outage" in labels.intents.values()
    _, png, caption = await stats.report()
    assert png.startswith(b"\x89PNG")
    # the caption is a Telegram message, which shows Chinese whatever fonts this machine has
    assert not caption.isascii() and "工单" in caption
    assert not stats.labels("zh").title_days.isascii()


# -- /export ------------------------------------------------------------------------------------
TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", (date(2026, 10, 23), TODAY)),
        ("11月1日 11月20日", (date(2026, 11, 1), date(2026, 11, 20))),
        ("2026-11-01 2026-11-30", (date(2026, 11, 1), date(2026, 11, 30))),
        ("11月20日 至 11月1日", (date(2026, 11, 1), date(2026, 11, 20))),
        ("11月1日-11月20日", (date(2026, 11, 1), date(2026, 11, 20))),
        ("今天", (TODAY, TODAY)),
        ("12月1日", (date(2025, 12, 1), date(2025, 12, 1))),
        ("上个月吧", None),
        ("11月1日 乱写", None),
    ],
)
def test_export_date_ranges(args: str, expected: tuple[date, date] | None) -> None:
    assert parse_range(args, TODAY) == expected


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+86 138", "'+86 138"),
        ("@me", "'@me"),
        ("厨房漏水", "厨房漏水"),
        (None, ""),
        (3, "3"),
    ],
)
def test_cells_never_run_as_formulas(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


async def test_export_csv_opens_in_excel_with_chinese(h: Harness) -> None:
    await seed(h)
    await add_ticket(
        h,
        intent="complaint",
        severity="normal",
        created=local(11, 20, 9),
        status="open",
        events=4,
        words="=cmd|' /C calc'!A0 噪音",
    )
    shown = await h.say(MANAGER, "/export 11月16日 11月21日")
    doc = next(a for a, _ in h.sender.log if isinstance(a, SendDocument))
    assert doc.filename == "requests_20261116-20261121.csv"
    assert doc.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(doc.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["编号", "创建时间", "类型", "紧急程度"] and "事件数" in header
    assert len(body) == 6  # 11-16 .. 11-21 (the merged one included: it is in the log)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    gas = by_id["1"]
    assert (
        gas["类型"] == "燃气泄漏"
        and gas["紧急程度"] == "紧急"
        and gas["创建时间"] == "2026-11-21 17:00"
    )
    assert gas["接单用时(分钟)"] == "3" and gas["解决用时(分钟)"] == "60" and gas["评分"] == "5"
    noisy = by_id["7"]
    assert noisy["住户描述"].startswith("'=") and noisy["事件数"] == "4"
    assert any("共 6 条" in m.plain for m in shown)


async def test_export_with_dates_it_cannot_read(h: Harness) -> None:
    shown = await h.say(MANAGER, "/export 上个月吧")
    assert "没看懂日期" in shown[-1].plain
    assert not any(isinstance(a, SendDocument) for a, _ in h.sender.log)


async def test_manager_help(h: Harness) -> None:
    shown = await h.say(MANAGER, "/help")
    assert (
        "/notice" in shown[-1].plain
        and "/stats" in shown[-1].plain
        and "/export" in shown[-1].plain
    )


async def test_export_names_the_team_not_its_key(h: Harness) -> None:
    from bot.tickets.teams import Teams

    h.app.tickets.teams = Teams.from_mapping(
        {"teams": {"engineering": {"name": "工程部", "chat_id": "-100301", "intents": ["repair"]}}}
    )
    await add_ticket(h, intent="repair", severity="normal", created=local(11, 20, 9),
                     team="engineering", estate_id=0)
    await add_ticket(h, intent="repair", severity="normal", created=local(11, 20, 10),
                     team="gone", estate_id=0)  # a team since taken out of the file
    await h.say(MANAGER, "/export 11月20日")
    doc = next(a for a, _ in h.sender.log if isinstance(a, SendDocument))
    rows = list(csv.reader(io.StringIO(doc.content.decode("utf-8-sig"))))
    column = rows[0].index("团队")
    assert [row[column] for row in rows[1:]] == ["工程部", "gone"]
