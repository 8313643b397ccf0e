"""A reply to a person kept in the outbox like a notice (`OutboxMessage.kind`, `.reply`).

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import JSONData

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(), nullable=False, server_default=sa.text("'notice'"))
        )
        batch_op.add_column(sa.Column("reply", JSONData(), nullable=True))
    op.create_index("ix_outbox_chat", "outboxmessage", ["chat_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat", table_name="outboxmessage")
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("reply")
        batch_op.drop_column("kind")
