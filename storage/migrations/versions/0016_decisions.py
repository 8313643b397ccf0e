"""Supervisors' decisions with their reasons (`Decision`), the rejections once filed as
progress moved there, and 催办 once a working day (`Urging`).

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["ledgeritem.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["forwardedcase.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_item", "decision", ["item_id"])
    op.create_index("ix_decision_case", "decision", ["case_id"])
    op.create_table(
        "urging",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "day"),
    )
    op.create_index("ix_urging_unit_id", "urging", ["unit_id"])
    # a rejected close-out used to be filed as the problem's progress (status 'rejected'), so
    # its reason became the 最新进展: each is moved to where decisions are kept
    op.execute(
        """
        INSERT INTO decision (unit_id, item_id, what, reason, by_user_id, at)
        SELECT i.unit_id, p.item_id, 'closeout.rejected', p.reason, p.author_user_id, p.created_at
        FROM progressupdate p JOIN ledgeritem i ON i.id = p.item_id
        WHERE p.status = 'rejected'
        ORDER BY p.id
        """
    )
    op.execute("DELETE FROM progressupdate WHERE status = 'rejected'")


def downgrade() -> None:
    op.execute(
        """
        INSERT INTO progressupdate
            (item_id, week_of, status, text, result, reason, files, author_user_id, created_at)
        SELECT item_id, date(at), 'rejected', '', '', reason, '[]', by_user_id, at
        FROM decision WHERE what = 'closeout.rejected' ORDER BY id
        """
    )
    op.drop_index("ix_urging_unit_id", table_name="urging")
    op.drop_table("urging")
    op.drop_index("ix_decision_case", table_name="decision")
    op.drop_index("ix_decision_item", table_name="decision")
    op.drop_table("decision")
