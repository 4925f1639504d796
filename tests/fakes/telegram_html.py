"""Telegram's HTML parse mode, as strictly as Telegram applies it, for the fake Bot API.

`parse_html(text)` returns the plain text a chat shows, or raises `HtmlError` with the
message Telegram gives ("can't parse entities: ..."): an unknown tag, a tag left open or
closed out of order, a bare "<" or "&" that is not an entity.
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
     "span", "tg-spoiler", "tg-emoji", "blockquote"}
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class HtmlError(ValueError):
    pass


def parse_html(text: str) -> str:
    plain: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _TAG.match(text, i)
            if match is None:
                raise HtmlError(f"can't parse entities: Unsupported start tag at byte offset {i}")
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise HtmlError(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {i}'
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise HtmlError(
                        f'can\'t parse entities: Unmatched end tag at byte offset {i}, '
                        f'expected "</{stack[-1] if stack else ""}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
        elif char == "&":
            match = _ENTITY.match(text, i)
            if match is None:
                raise HtmlError(
                    f"can't parse entities: Character '&' is reserved and must be escaped "
                    f"at byte offset {i}"
                )
            plain.append(html.unescape(match.group(0)))
            i = match.end()
        else:
            plain.append(char)
            i += 1
    if stack:
        raise HtmlError(
            f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"'
        )
    return "".join(plain)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
