"""Run every `benchmarks/<name>.py` that defines `main()`, in name order.

    python -m benchmarks              # all of them
    python -m benchmarks classify     # only the named ones

Exit status 1 when any benchmark's `main()` returns a non-zero value (a missed target) or
raises.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(
        info.name
        for info in pkgutil.iter_modules([str(here)])
        if not info.name.startswith("_") and not info.ispkg
    )


def run(names: list[str]) -> int:
    failed = 0
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        main = getattr(module, "main", None)
        if not callable(main):
            continue
        print(f"== benchmarks/{name}.py", flush=True)
        try:
            status = main()
        except Exception:
            traceback.print_exc()
            status = 1
        if status:
            failed += 1
        print(flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    wanted = sys.argv[1:] or discover()
    raise SystemExit(run(wanted))
