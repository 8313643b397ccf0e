"""Notifications name the case or deadline they are about, in columns read from their keys,
so that nothing needs to match the key's text (`LIKE 'case:%:posted:%'`) to find them.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from workflows.keys import NoticeKey

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _fill_from_keys(conn: sa.Connection) -> None:
    """Every stored notice about a case or a deadline gets its id, as its key says."""
    note = sa.table(
        "notification",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("case_id", sa.Integer),
        sa.column("deadline_id", sa.Integer),
    )
    rows = conn.execute(
        sa.select(note.c.id, note.c.key).where(
            sa.or_(note.c.key.like("case:%"), note.c.key.like("deadline:%"))
        )
    )
    changes = []
    for nid, key in rows:
        parsed = NoticeKey.parse(key)
        if parsed is not None:
            changes.append({"nid": nid, "c": parsed.case_id, "d": parsed.deadline_id})
    update = (
        note.update()
        .where(note.c.id == sa.bindparam("nid"))
        .values(case_id=sa.bindparam("c"), deadline_id=sa.bindparam("d"))
    )
    for start in range(0, len(changes), BATCH):
        conn.execute(update, changes[start : start + BATCH])


def upgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("deadline_id", sa.Integer(), nullable=True))
    _fill_from_keys(op.get_bind())
    op.create_index("ix_notification_case_id", "notification", ["case_id"])
    op.create_index("ix_notification_deadline_id", "notification", ["deadline_id"])


def downgrade() -> None:
    op.drop_index("ix_notification_deadline_id", table_name="notification")
    op.drop_index("ix_notification_case_id", table_name="notification")
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("deadline_id")
        batch.drop_column("case_id")
