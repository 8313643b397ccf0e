"""Once: a unit submits a week's report or a deliverable once, as the database enforces.

Duplicates already stored (two liaisons confirming at the same moment) are folded into the
first submission; each removed row is kept in the audit trail.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WEEKLY = sa.text("deadline_id IS NULL")
_DELIVERABLE = sa.text("deadline_id IS NOT NULL")


def _fold_duplicate_submissions(conn: sa.Connection) -> None:
    """Keep each unit's first submission of a week's report or a deliverable; log the rest."""
    sub = sa.Table("submission", sa.MetaData(), autoload_with=conn)
    audit = sa.table(
        "auditevent",
        sa.column("at", storage.types.UTCDateTime()),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("before", storage.types.JSONData()),
        sa.column("after", storage.types.JSONData()),
    )
    seen: set[tuple[object, ...]] = set()
    now = datetime.now(UTC)
    for row in conn.execute(sa.select(sub).order_by(sub.c.id)).mappings().all():
        key: tuple[object, ...] = (
            (row["unit_id"], row["report_name"], row["period_start"])
            if row["deadline_id"] is None
            else (row["unit_id"], row["deadline_id"])
        )
        if key not in seen:
            seen.add(key)
            continue
        before = {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in row.items()}
        conn.execute(
            audit.insert().values(
                at=now,
                action="submission.duplicate_removed",
                entity="submission",
                entity_id=row["id"],
                before=before,
                after=None,
            )
        )
        conn.execute(sub.delete().where(sub.c.id == row["id"]))


def upgrade() -> None:
    _fold_duplicate_submissions(op.get_bind())
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(
            "ux_submission_weekly",
            ["unit_id", "report_name", "period_start"],
            unique=True,
            sqlite_where=_WEEKLY,
            postgresql_where=_WEEKLY,
        )
        batch_op.create_index(
            "ux_submission_deliverable",
            ["unit_id", "deadline_id"],
            unique=True,
            sqlite_where=_DELIVERABLE,
            postgresql_where=_DELIVERABLE,
        )


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ux_submission_deliverable")
        batch_op.drop_index("ux_submission_weekly")
