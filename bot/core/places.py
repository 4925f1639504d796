"""Place words after the block they named was corrected."""

from __future__ import annotations

import re


def without_block(place: object, old: str | None, new: str | None) -> str | None:
    """`place` (the resident's words for a place) without the block just corrected from
    `old` to `new` ("2栋东边那个电梯" once 2栋 is 12栋: "东边那个电梯", blind DU09); None when
    the words do not name it, or the block did not change."""
    before = (old or "").split("-")[0]
    if not isinstance(place, str) or not before or not new or new.split("-")[0] == before:
        return None
    named = re.compile(rf"(?<![0-9A-Za-z]){re.escape(before)}\s*(?:号楼|號樓|栋|棟|幢|座)")
    cleaned = named.sub("", place).strip()
    return cleaned if cleaned != place else None
