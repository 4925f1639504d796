"""estates as data: outage reports and their clusters belong to an estate

Revision ID: 0006
Revises: 0005

Rows from before belong to the one estate there was: id 0 (the default estate).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("outage_reports", "outage_clusters")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("estate_id", sa.Integer(), nullable=True))
            batch.create_index(batch.f(f"ix_{table}_estate_id"), ["estate_id"], unique=False)
        op.execute(sa.text(f"UPDATE {table} SET estate_id = 0"))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(batch.f(f"ix_{table}_estate_id"))
            batch.drop_column("estate_id")
