"""Telegram HTML that is too long for one message, cut into messages that each parse.

Telegram refuses a text over 4096 characters (a caption over 1024). Cuts fall at line
breaks where possible, then at spaces, never inside a tag or an entity; a tag open at a cut
is closed at the end of one part and opened again at the start of the next. Sizes are
measured on the HTML itself (in UTF-16 units, as Telegram counts), which is never less
than what Telegram counts after parsing, so every part is safe.
"""

from __future__ import annotations

import re

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>")
_ROOM_FOR_TAGS = 200  # reopened and closing tags added to a part


def size(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` unchanged when it fits, else parts that each fit and each parse."""
    if size(text) <= limit:
        return [text]
    budget = max(limit - _ROOM_FOR_TAGS, limit // 2)
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, budget):
        if current and size(current) + size(piece) > budget:
            parts.append(current)
            current = ""
        current += piece
    if current:
        parts.append(current)
    return [p for p in _balance(parts) if _visible(p)]


def _pieces(text: str, budget: int) -> list[str]:
    """Lines (with their newline), and slices of lines longer than `budget`."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        if size(line) <= budget:
            out.append(line)
        else:
            out.extend(_cut_line(line, budget))
    return out


def _cut_line(line: str, budget: int) -> list[str]:
    out: list[str] = []
    atoms = _ATOM.findall(line)
    current: list[str] = []
    used = 0
    for atom in atoms:
        if current and used + size(atom) > budget:
            cut = _last_space(current)
            out.append("".join(current[:cut]))
            current = current[cut:]
            used = sum(size(a) for a in current)
        current.append(atom)
        used += size(atom)
    if current:
        out.append("".join(current))
    return out


def _last_space(atoms: list[str]) -> int:
    """Where to cut a run of atoms: after its last space, or at its end."""
    for index in range(len(atoms) - 1, 0, -1):
        if atoms[index].isspace():
            return index + 1
    return len(atoms)


def _balance(parts: list[str]) -> list[str]:
    """Close the tags still open at the end of each part; reopen them in the next."""
    out: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, opening tag as written)
    for part in parts:
        prefix = "".join(tag for _, tag in open_tags)
        for match in _TAG.finditer(part):
            closing, name = match.group(1), match.group(2).lower()
            if not closing:
                open_tags.append((name, match.group(0)))
            elif open_tags and open_tags[-1][0] == name:
                open_tags.pop()
        suffix = "".join(f"</{name}>" for name, _ in reversed(open_tags))
        out.append(prefix + part + suffix)
    return out


def _visible(part: str) -> bool:
    return bool(_TAG.sub("", part).strip())
