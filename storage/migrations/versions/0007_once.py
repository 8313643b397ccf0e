"""Once: a submission per unit and week or deliverable; a reminder per stage and due time.

Submissions: duplicates already stored (two liaisons confirming at the same moment) are
folded into the first; each removed row is kept in the audit trail. Then unique indexes.

Planner keys now name the due time they were planned for (`deadline:7:20240505T100000Z:…`).
The keys already stored are given their deadline's or case's current due time, so that the
first planner run after the upgrade finds them taken and sends nothing twice.

Revision ID: 0007
Revises: 0006
"""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

import storage.types
from storage.types import UTCDateTime
from workflows.keys import schedule_stamp

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


_OLD_KEY = re.compile(
    r"(deadline|case):(\d+):(unit|missing|digest|remind|escalate|admins|daily)(?=:)"
)


def _stamp_planner_keys(conn: sa.Connection) -> None:
    """`deadline:7:unit:…` → `deadline:7:20240505T100000Z:unit:…`, with the current due time."""
    note = sa.table("notification", sa.column("id", sa.Integer), sa.column("key", sa.String))
    due: dict[str, dict[int, datetime]] = {}
    for kind, name in (("deadline", "deadline"), ("case", "forwardedcase")):
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("due_at", UTCDateTime()))
        due[kind] = {i: at for i, at in conn.execute(sa.select(table.c.id, table.c.due_at))}
    rows = conn.execute(
        sa.select(note.c.id, note.c.key).where(
            sa.or_(note.c.key.like("deadline:%"), note.c.key.like("case:%"))
        )
    ).all()
    changes = []
    for row in rows:
        old = _OLD_KEY.match(row.key)
        at = due[old[1]].get(int(old[2])) if old else None
        if old and at is not None:
            head = f"{old[1]}:{old[2]}:"
            changes.append(
                {"nid": row.id, "new": head + schedule_stamp(at) + row.key[len(head) - 1 :]}
            )
    if changes:
        conn.execute(
            note.update().where(note.c.id == sa.bindparam("nid")).values(key=sa.bindparam("new")),
            changes,
        )


def upgrade() -> None:
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_set_at", storage.types.UTCDateTime(), nullable=True))
    _stamp_planner_keys(op.get_bind())
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
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_column("due_set_at")
