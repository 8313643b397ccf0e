"""The send log: what each chat was sent in the last minutes, read back after a restart.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sendlog",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_sendlog_at", "sendlog", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_sendlog_at", table_name="sendlog")
    op.drop_table("sendlog")
