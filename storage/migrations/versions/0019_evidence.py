"""Evidence files kept with their SHA-256 or Telegram id, size, type, sender and time of
receipt (`Evidence`), so a file used again for another problem can be told.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("progress_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.String(), nullable=False),
        sa.Column("unique_id", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("media", sa.String(), nullable=False),
        sa.Column("sender_user_id", sa.BigInteger(), nullable=True),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.String(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["ledgeritem.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["progress_id"], ["progressupdate.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_item", "evidence", ["item_id"])
    op.create_index("ix_evidence_sha256", "evidence", ["sha256"])
    op.create_index("ix_evidence_unique_id", "evidence", ["unique_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_unique_id", table_name="evidence")
    op.drop_index("ix_evidence_sha256", table_name="evidence")
    op.drop_index("ix_evidence_item", table_name="evidence")
    op.drop_table("evidence")
