"""Resident help line (物业客服): a transport-agnostic core with Telegram and console adapters."""

__version__ = "0.1.0"
