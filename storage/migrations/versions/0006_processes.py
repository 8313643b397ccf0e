"""Several processes: unit names compared alike on every database; who sent each message.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from workflows.words import name_key

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_key", sa.String(), nullable=False, server_default=sa.text("''"))
        )
    # The key is computed in Python (NFKC + casefold), which neither database's lower() matches.
    unit = sa.table(
        "unit",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(unit.c.id, unit.c.name)).all():
        conn.execute(unit.update().where(unit.c.id == row.id).values(name_key=name_key(row.name)))
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index("ux_unit_campaign_key", ["campaign_id", "name_key"], unique=True)
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_by", sa.String(), nullable=False, server_default=sa.text("''"))
        )


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index("ux_unit_campaign_key")
        batch_op.drop_column("name_key")
