"""Migration 0021: a campaign's `scores:` settings leave `feedback_rules` for a column of their
own, read back as the rule; a downgrade puts them back where they were."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy import bindparam, text
from sqlmodel import select

from storage import campaigns
from storage.db import Database, alembic_config, make_engine, migrate
from storage.models import Campaign
from storage.types import JSONData, UTCDateTime
from workflows.supervision.scores import ScoreRule

RULES = {"remind_at": "08:30", "remind_before": 3600, "admins_after": 2}
SCORES = {"weights": {"reports": 40, "problems": 20, "closed": 20, "cases": 20}, "green": 85}


def test_the_scores_move_to_their_column_and_back_on_downgrade(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0019")
    with engine.begin() as conn:
        for name, rules in (("有评分", {**RULES, "scores": SCORES}), ("无评分", RULES)):
            conn.execute(
                text(
                    "insert into campaign (name, year, timezone, reminders, weekly_reports, "
                    "feedback_working_days, feedback_cutoff, feedback_rules, categories, ledger, "
                    "checkpoints, default_due_time, active, loaded_at, updated_at) values (:n, "
                    "2024, 'Asia/Shanghai', '[]', '[]', 2, '18:00', :rules, '[]', '{}', '[]', "
                    "'18:00', :yes, :t, :t)"
                ).bindparams(bindparam("t", type_=UTCDateTime)),
                {
                    "n": name,
                    "rules": json.dumps(rules),
                    "yes": True,
                    "t": datetime(2024, 2, 1, tzinfo=UTC),
                },
            )
    migrate(engine)
    db = Database(engine)
    with db.unit_of_work() as s:
        scored, plain = (
            s.exec(select(Campaign).where(Campaign.name == n)).one() for n in ("有评分", "无评分")
        )
        assert campaigns.score_rule(scored) == ScoreRule(
            (("reports", 40), ("problems", 20), ("closed", 20), ("cases", 20)), 85, 75
        )
        assert campaigns.score_rule(plain) == ScoreRule()
        assert scored.feedback_rules == plain.feedback_rules == RULES
    command.downgrade(alembic_config(engine), "0019")
    table = sa.table(
        "campaign", sa.column("name", sa.String), sa.column("feedback_rules", JSONData())
    )
    with engine.connect() as conn:
        back = dict(conn.execute(sa.select(table.c.name, table.c.feedback_rules)).all())
    assert back == {
        "有评分": {**RULES, "scores": SCORES},
        "无评分": RULES,
    }
