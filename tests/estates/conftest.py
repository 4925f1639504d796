"""Two estates in one bot: their own staff groups, buildings and FAQ (ESTATES_FILE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import deeplinks
from bot.deeplinks import Place
from tests.support.harness import Harness, make_harness

GROUP_A, GROUP_B = "-100111", "-100222"  # estate 1 (阳光花园), estate 2 (明月小区)
COMPANY = "-100999"  # STAFF_CHAT_ID: the company's group
MANAGER_A, COMPANY_MANAGER = "7001", "901"

ESTATES_YAML = f"""
estates:
  - id: 1
    name: 阳光花园
    staff_chat_id: "{GROUP_A}"
    buildings:
      "1": {{floors: "1-18", doors: ["01", "02"]}}
      "2": {{floors: "1-18", doors: ["01", "02"]}}
    faq: faq-a.yaml
    manager_ids: ["{MANAGER_A}"]
  - id: 2
    name: 明月小区
    staff_chat_id: "{GROUP_B}"
    registry: estate-b.yaml
    faq: faq-b.yaml
    notice_channel_id: "@mingyue_notices"
"""
ESTATE_B = """
name: 明月小区
buildings:
  "3": {floors: "1-26", doors: ["01", "02"]}
  "5": {}
"""
FAQ = """
fee:
  title: 物业费怎么交
  keywords: [物业费, 交费, 缴费]
  questions: [物业费怎么交, 在哪里交物业费]
  answer: "{answer}"
"""


def write_estates(root: Path) -> Path:
    (root / "estate-b.yaml").write_text(ESTATE_B, encoding="utf-8")
    (root / "faq-a.yaml").write_text(FAQ.format(answer="阳光花园物业费：到1栋物业中心交。"), encoding="utf-8")
    (root / "faq-b.yaml").write_text(FAQ.format(answer="明月小区物业费：用明月App交。"), encoding="utf-8")
    path = root / "estates.yaml"
    path.write_text(ESTATES_YAML, encoding="utf-8")
    return path


async def two_estates(database_url: str, classifier: Any, tmp_path: Path) -> Harness:
    return await make_harness(
        database_url,
        classifier=classifier,
        estates_file=write_estates(tmp_path),
        staff_chat_id=COMPANY,
        deeplink_secret="estates-test",
        manager_ids=[COMPANY_MANAGER],
    )


@pytest.fixture
async def estates_h(
    database_url: str, classifier: Any, tmp_path: Path
) -> AsyncIterator[Harness]:
    """Both estates, on SQLite and on PostgreSQL."""
    h = await two_estates(database_url, classifier, tmp_path)
    try:
        yield h
    finally:
        await h.close()


def qr_payload(h: Harness, estate: int, building: str, room: str = "") -> str:
    return deeplinks.sign(deeplinks.link_key(h.app.settings), Place(estate, building, room))
