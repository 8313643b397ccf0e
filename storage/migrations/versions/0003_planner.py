"""Planner: when each deadline was created; where each calendar override came from.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", storage.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("calendaroverride", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(), nullable=False, server_default="manual")
        )


def downgrade() -> None:
    with op.batch_alter_table("calendaroverride", schema=None) as batch_op:
        batch_op.drop_column("source")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_column("created_at")
