"""Migrations build the schema the models describe, on SQLite and PostgreSQL, and go back."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage import Database
from bot.storage.models import Base


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Any) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_matches_models_and_downgrade_empties(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.upgrade()
        assert await db.current_revision() is not None
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            assert set(Base.metadata.tables) <= await conn.run_sync(_tables)
        await db.downgrade("base")
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_tables) <= {"alembic_version"}
        await db.upgrade()  # and up again: migrations are repeatable
    finally:
        await db.dispose()
