"""The estate registry: which buildings and rooms exist (optional, `ESTATE_REGISTRY_FILE`).

When configured, a resident's building and room answers are checked against it, so a typo
("13栋" in an estate of 8 buildings) is caught while the resident is still there. Without a
file, any well-formed building and room is accepted. The YAML (see examples/estate.yaml):

    name: 幸福花园
    buildings:
      "1": {floors: "1-18", doors: ["01", "02", "03", "04"]}   # 101 ... 1804
      "5": {floors: "1-30", doors: [A, B, C, D], skip_floors: [4, 14]}  # 1A ... 30D
      "8": {rooms: ["101", "102", "201", "202"]}                # listed one by one
      "9": {}                                                   # any room

Building keys are the canonical ids of `bot.intents.entities` ("3", "A", "3-2" for
3栋2单元).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.yamlio import load_yaml


class RegistryError(ValueError):
    """The registry file is malformed (raised at start, never while talking to a resident)."""


@dataclass(frozen=True, slots=True)
class Building:
    id: str
    rooms: frozenset[str] | None  # None: any room is accepted


@dataclass(frozen=True, slots=True)
class EstateRegistry:
    name: str
    buildings: Mapping[str, Building]

    @classmethod
    def empty(cls) -> EstateRegistry:
        return cls(name="", buildings={})

    @property
    def configured(self) -> bool:
        return bool(self.buildings)

    @classmethod
    def load(cls, path: Path | str | None) -> EstateRegistry:
        if path is None or str(path) == "":
            return cls.empty()
        path = Path(path)
        try:
            raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise RegistryError(f"cannot read estate registry {path}: {exc}") from exc
        return cls.from_dict(raw, where=str(path))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], where: str = "registry") -> EstateRegistry:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("buildings"), Mapping):
            raise RegistryError(f"{where}: expected a mapping with 'buildings'")
        buildings: dict[str, Building] = {}
        for key, spec in raw["buildings"].items():
            bid = str(key).strip().upper()
            buildings[bid] = Building(bid, _rooms(spec or {}, f"{where}: building {key}"))
        return cls(name=str(raw.get("name") or ""), buildings=buildings)

    # -- questions the flows ask ---------------------------------------------------------------
    def has_building(self, building: str) -> bool:
        return not self.configured or building.upper() in self.buildings

    def has_room(self, building: str | None, room: str) -> bool:
        if not self.configured or building is None:
            return True
        found = self.buildings.get(building.upper())
        if found is None:
            return False
        return found.rooms is None or room.upper() in found.rooms

    def building_list(self, limit: int = 12) -> str:
        """The building ids for a hint: "1、2、3、5" (numeric ones in order)."""
        ids = sorted(self.buildings, key=_natural)
        shown = "、".join(ids[:limit])
        return shown + ("…" if len(ids) > limit else "")

    def example_room(self, building: str | None) -> str | None:
        found = self.buildings.get((building or "").upper())
        if found is None or not found.rooms:
            return None
        return sorted(found.rooms, key=_natural)[len(found.rooms) // 2]


def natural_key(value: str) -> tuple[int, str]:
    """Sorts building and room ids as people count them: 2 before 10, 3A before 3B."""
    return _natural(value)


def _natural(value: str) -> tuple[int, str]:
    digits = "".join(ch for ch in value if ch.isdigit())
    return (int(digits) if digits else 10**9, value)


def _rooms(spec: Mapping[str, Any], where: str) -> frozenset[str] | None:
    if not isinstance(spec, Mapping):
        raise RegistryError(f"{where}: expected a mapping")
    rooms: set[str] = {str(r).strip().upper() for r in spec.get("rooms") or ()}
    if "floors" in spec:
        doors = [str(d).strip().upper() for d in spec.get("doors") or ()]
        if not doors:
            raise RegistryError(f"{where}: 'floors' needs 'doors'")
        skip = {int(f) for f in spec.get("skip_floors") or ()}
        for floor in _floor_range(spec["floors"], where):
            if floor not in skip:
                rooms.update(f"{floor}{door}" for door in doors)
    return frozenset(rooms) if rooms else None


def _floor_range(value: Any, where: str) -> Iterable[int]:
    text = str(value).strip()
    try:
        if "-" in text:
            low, high = (int(part) for part in text.split("-", 1))
            return range(low, high + 1)
        return range(1, int(text) + 1)
    except ValueError as exc:
        raise RegistryError(f"{where}: floors must be like '1-18' or '18'") from exc
