"""The CJK font the project relies on: Noto Sans CJK from the `noto-cjk-sans-otc` package.

One OpenType collection holds every face (JP, KR, SC, TC, HK); Simplified Chinese is face
`SC_INDEX`. The /stats chart (matplotlib) and the printable notice (Pillow) both use it, so
Chinese labels never depend on what the host happens to have installed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FAMILY_SC = "Noto Sans CJK SC"
FAMILY_TC = "Noto Sans CJK TC"
FAMILY_HK = "Noto Sans CJK HK"
FACE_INDEX = {FAMILY_SC: 2, FAMILY_TC: 3, FAMILY_HK: 4}  # faces in NotoSansCJK-Regular.ttc


def cjk_font_path() -> Path | None:
    """The bundled collection's path, or None when the package is missing."""
    try:
        import noto_cjk_sans_otc
    except ImportError:  # pragma: no cover - a dependency; kept so a broken install degrades
        return None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    return path if path.is_file() else None


def family_for(region: str = "CN") -> str:
    """The face for the estate's script: Simplified on the mainland, Hong Kong's otherwise."""
    return FAMILY_HK if region == "HK" else FAMILY_SC


@cache
def register_with_matplotlib() -> str | None:
    """Add the collection to matplotlib's font list once; the SC family name, or None."""
    path = cjk_font_path()
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return FAMILY_SC if FAMILY_SC in installed else None
