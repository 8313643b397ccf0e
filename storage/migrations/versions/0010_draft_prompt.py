"""Drafts know their last prompt and (weekly updates) their unit; outbox texts say the time
left as of sending.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("formdraft") as batch:
        batch.add_column(sa.Column("prompt_message_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
    op.create_index("ix_formdraft_unit_id", "formdraft", ["unit_id"])
    with op.batch_alter_table("outboxmessage") as batch:
        batch.add_column(sa.Column("live", storage.types.JSONData(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage") as batch:
        batch.drop_column("live")
    op.drop_index("ix_formdraft_unit_id", table_name="formdraft")
    with op.batch_alter_table("formdraft") as batch:
        batch.drop_column("unit_id")
        batch.drop_column("prompt_message_id")
