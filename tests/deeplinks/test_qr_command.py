"""`python -m bot qr`: codes for buildings and flats as PNG and PDF, signed links inside."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot import deeplinks
from bot.cli import main
from bot.commands.qr import parse_rooms
from bot.config import REPO_ROOT, Settings

REGISTRY = REPO_ROOT / "examples" / "estate.yaml"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("DEEPLINK_SECRET", "print-secret")
    monkeypatch.setenv("ESTATE_REGISTRY_FILE", str(REGISTRY))
    monkeypatch.delenv("BOT_TOKEN", raising=False)


def _links(out: str) -> dict[str, str]:
    return dict(line.split("\t") for line in out.strip().splitlines())


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def test_posters_for_buildings_carry_signed_links(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "--bot", "@helpline_bot", "--building", "3", "--building", "6",
                 "--out", str(tmp_path / "out")]) == 0
    links = _links(capsys.readouterr().out)
    assert set(links) == {"3", "6"}
    key = deeplinks.link_key(Settings(_env_file=None, deeplink_secret="print-secret"))  # type: ignore[call-arg]
    for building, url in links.items():
        parsed = urlparse(url)
        assert (parsed.netloc, parsed.path) == ("t.me", "/helpline_bot")
        payload = parse_qs(parsed.query)["start"][0]
        assert len(payload) <= 64
        assert deeplinks.verify(key, payload) == deeplinks.Place(0, building, "")
    for name in ("3.png", "6.png"):
        assert (tmp_path / "out" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = tmp_path / "out" / "qr-codes.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and _pages(pdf) == 2  # a page per building


def test_cards_for_every_flat_of_a_building_from_the_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "--bot", "helpline_bot", "--building", "6", "--flats", "--format", "pdf",
                 "--out", str(tmp_path)]) == 0
    links = _links(capsys.readouterr().out)
    assert sorted(links) == ["6-101", "6-102", "6-201", "6-202", "6-301", "6-302"]
    assert _pages(tmp_path / "qr-codes.pdf") == 1  # six cards on one sheet
    assert not list(tmp_path.glob("*.png"))


def test_a_list_of_rooms_fills_sheets_of_twelve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "--bot", "b", "--building", "1", "--rooms", "101-104,201-204,301-306",
                 "--format", "pdf", "--out", str(tmp_path)]) == 0
    assert len(_links(capsys.readouterr().out)) == 14
    assert _pages(tmp_path / "qr-codes.pdf") == 2


def test_what_cannot_be_printed_is_said_plainly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "--building", "3", "--out", str(tmp_path)]) == 2  # no bot username
    assert "--bot" in capsys.readouterr().err
    assert main(["qr", "--bot", "b", "--building", "4", "--out", str(tmp_path)]) == 2
    assert "not in the registry" in capsys.readouterr().err
    assert main(["qr", "--bot", "b", "--building", "8", "--flats", "--out", str(tmp_path)]) == 2
    assert "--rooms" in capsys.readouterr().err


def test_room_lists() -> None:
    assert parse_rooms("1201-1203, 1301，5a") == ["1201", "1202", "1203", "1301", "5A"]


def test_an_estates_codes_come_from_its_own_buildings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTATES_FILE", str(REPO_ROOT / "examples" / "estates.yaml"))
    assert main(["qr", "--bot", "b", "--estate", "2", "--format", "pdf",
                 "--out", str(tmp_path)]) == 0
    links = _links(capsys.readouterr().out)
    assert set(links) == {"e2-1", "e2-2", "e2-A"}  # 明月小区's buildings, not the registry's
    key = deeplinks.link_key(Settings(_env_file=None, deeplink_secret="print-secret"))  # type: ignore[call-arg]
    payload = parse_qs(urlparse(links["e2-A"]).query)["start"][0]
    assert deeplinks.verify(key, payload) == deeplinks.Place(2, "A", "")
    assert main(["qr", "--bot", "b", "--estate", "9", "--out", str(tmp_path)]) == 2
    assert "estate 9 is not in ESTATES_FILE" in capsys.readouterr().err
