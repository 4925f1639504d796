"""Persistence: SQLAlchemy 2 async models, the `Database` wrapper and Alembic migrations."""

from bot.storage.db import Database

__all__ = ["Database"]
