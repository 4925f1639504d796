"""Headless Chromium (Debian's `chromium`) driven by Playwright, for the browser tests and
the screenshots. Never `playwright install`: the system browser is used.

Without /usr/bin/chromium (or the playwright package) the browser tests are skipped, saying
why; with CI=true they fail instead: CI must run them (.ci/run installs chromium).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--headless", "--disable-gpu"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def browser_problem() -> str | None:
    """None when the browser tests can run, else why not."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()
