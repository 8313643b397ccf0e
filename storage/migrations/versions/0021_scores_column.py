"""Scores: the campaign file's `scores:` settings in a column of their own (`campaign.scores`),
moved out of `campaign.feedback_rules`, where they were kept to spare a column.

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CAMPAIGN = sa.table(
    "campaign",
    sa.column("id", sa.Integer),
    sa.column("feedback_rules", storage.types.JSONData()),
    sa.column("scores", storage.types.JSONData()),
)


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "scores", storage.types.JSONData(), nullable=False, server_default=sa.text("'{}'")
            )
        )
    conn = op.get_bind()
    for row in conn.execute(sa.select(_CAMPAIGN.c.id, _CAMPAIGN.c.feedback_rules)).all():
        rules = dict(row.feedback_rules or {})
        scores = rules.pop("scores", None) or {}
        conn.execute(
            _CAMPAIGN.update()
            .where(_CAMPAIGN.c.id == row.id)
            .values(feedback_rules=rules, scores=scores)
        )


def downgrade() -> None:
    conn = op.get_bind()
    for row in conn.execute(
        sa.select(_CAMPAIGN.c.id, _CAMPAIGN.c.feedback_rules, _CAMPAIGN.c.scores)
    ).all():
        rules = dict(row.feedback_rules or {})
        if row.scores:
            rules["scores"] = row.scores
        conn.execute(
            _CAMPAIGN.update().where(_CAMPAIGN.c.id == row.id).values(feedback_rules=rules)
        )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("scores")
