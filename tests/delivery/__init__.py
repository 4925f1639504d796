"""Tests of delivery: the outbox worker, blocked chats, the staff group."""
