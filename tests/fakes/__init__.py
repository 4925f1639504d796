"""Fakes of outside services for the tests (the Telegram Bot API)."""
