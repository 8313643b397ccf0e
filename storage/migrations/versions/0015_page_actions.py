"""The Mini App's writes done, each under the id its page made for it (`PageAction`).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import JSONData, UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pageaction",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("action_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("answer", JSONData(), nullable=False),
        sa.Column("done_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "action_id"),
    )
    op.create_index("ix_pageaction_at", "pageaction", ["done_at"])


def downgrade() -> None:
    op.drop_index("ix_pageaction_at", table_name="pageaction")
    op.drop_table("pageaction")
