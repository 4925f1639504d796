"""YAML data files (texts, FAQ, situations, settings, estates) read with libyaml's safe C
loader when PyYAML has it: the same result as PyYAML's safe loader, about ten times faster,
which is most of what building the app costs (every text file is read at start)."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """`text` parsed as YAML, safely (no Python objects)."""
    return yaml.load(text, Loader=_LOADER)
