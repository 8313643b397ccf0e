"""Evidence sent in the chat fetched from Telegram and kept with its SHA-256: how many
fetches of a file failed and when the next is due (`evidence.hash_tries`, `hash_due_at`):
a later pass retries, waiting longer each time, then gives up.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("hash_tries", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("hash_due_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("hash_due_at")
        batch.drop_column("hash_tries")
