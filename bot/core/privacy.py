"""Showing personal data no more than needed (PIPL): masked phones."""

from __future__ import annotations

ANONYMISED = "anonymised"  # the user and chat id of a ticket whose personal fields were removed


def mask_phone(phone: str) -> str:
    """138****5678; 9123****; 020-****5678."""
    if "-" in phone:
        area, number = phone.split("-", 1)
        return f"{area}-{'*' * max(0, len(number) - 4)}{number[-4:]}"
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return f"{'*' * max(0, len(phone) - 4)}{phone[-4:]}"
