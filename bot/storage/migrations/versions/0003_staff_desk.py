"""staff desk: a ticket's team, deadline, closing reason and the ticket it was merged into

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("team", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("close_reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_tickets_team"), ["team"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index(batch.f("ix_tickets_team"))
        batch.drop_column("merged_into")
        batch.drop_column("close_reason")
        batch.drop_column("due_at")
        batch.drop_column("team")
