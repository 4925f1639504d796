"""The estate registry file: buildings and their rooms."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import REPO_ROOT
from bot.estate import EstateRegistry, RegistryError


def test_the_example_registry_loads() -> None:
    estate = EstateRegistry.load(REPO_ROOT / "examples" / "estate.yaml")
    assert estate.configured and estate.name == "幸福花园"
    assert estate.has_room("1", "1804") and not estate.has_room("1", "1904")
    assert estate.has_room("3", "1202") and not estate.has_room("3", "401")  # no 4th floor
    assert estate.has_room("5", "30D") and not estate.has_room("5", "30E")
    assert estate.has_room("6", "302") and not estate.has_room("6", "303")
    assert estate.has_room("8", "whatever")
    assert not estate.has_building("4")


def test_without_a_registry_everything_well_formed_is_accepted() -> None:
    estate = EstateRegistry.load(None)
    assert not estate.configured
    assert estate.has_building("99") and estate.has_room("99", "9999")


def test_building_ids_are_case_insensitive() -> None:
    estate = EstateRegistry.from_dict({"buildings": {"a": {"rooms": ["12b"]}}})
    assert estate.has_building("A") and estate.has_room("a", "12B")


@pytest.mark.parametrize(
    "content",
    [
        "just text",
        "buildings: [1, 2]",
        "buildings:\n  '1': {floors: '1-3'}",
        "buildings:\n  '1': {floors: x-y, doors: ['01']}",
    ],
)
def test_malformed_registries_are_refused_at_start(tmp_path: Path, content: str) -> None:
    path = tmp_path / "estate.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError):
        EstateRegistry.load(path)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError):
        EstateRegistry.load(tmp_path / "nope.yaml")
