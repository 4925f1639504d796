"""Showing personal data no more than needed (PIPL): masked phones, identity card numbers
never kept."""

from __future__ import annotations

import re

ANONYMISED = "anonymised"  # the user and chat id of a ticket whose personal fields were removed


def mask_phone(phone: str) -> str:
    """138****5678; 9123****; 020-****5678."""
    if "-" in phone:
        area, number = phone.split("-", 1)
        return f"{area}-{'*' * max(0, len(number) - 4)}{number[-4:]}"
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"{'*' * max(0, len(phone) - 4)}{phone[-4:]}"


ID_MASKED = "[身份证号已隐去]"
"""What stands where a resident sent a mainland identity card number (never kept)."""
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])([1-8]\d{5})((?:19|20)\d{2})(\d{2})(\d{2})(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)


def _birth_date(month: str, day: str) -> bool:
    """Digits 11-14 of a mainland identity card number are a birth month and day; an order or
    a tracking number of 18 digits seldom has one there (nor a region code first). Its check
    character is not required: a number typed from memory may be a digit off, and is still
    someone's."""
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def mask_identity_numbers(text: str) -> tuple[str, bool]:
    """`text` with any mainland identity card number replaced by ID_MASKED (blind DU05: sent
    by mistake instead of a phone); True when one was."""

    def masked(found: re.Match[str]) -> str:
        number = found.group(0)
        return ID_MASKED if _birth_date(found.group(3), found.group(4)) else number

    cleaned = _ID_NUMBER.sub(masked, text)
    return cleaned, cleaned != text
