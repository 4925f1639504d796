"""Tests of the Telegram transports, against the fake Bot API."""
