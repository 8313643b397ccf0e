"""Migration 0016: a rejected close-out once filed as the problem's progress becomes a
decision (who, when, why), so its reason is no longer the problem's 最新进展."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import bindparam, text
from sqlmodel import select

from storage.db import Database, alembic_config, make_engine, migrate
from storage.models import Decision, LedgerItem, ProgressUpdate
from storage.types import UTCDateTime


def test_rejections_filed_as_progress_become_decisions_and_come_back_on_downgrade(
    empty_db_url: str,
) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0015")
    asked, rejected = datetime(2024, 1, 8, 2, tzinfo=UTC), datetime(2024, 1, 10, 2, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into campaign (name, year, timezone, reminders, weekly_reports, "
                "feedback_working_days, feedback_cutoff, categories, default_due_time, active, "
                "loaded_at, updated_at) values ('专项整治', 2024, 'Asia/Shanghai', '[]', '[]', 2, "
                "'18:00', '[]', '18:00', :yes, :t, :t)"
            ).bindparams(bindparam("t", type_=UTCDateTime)),
            {"t": asked, "yes": True},
        )
        conn.execute(
            text(
                "insert into unit (campaign_id, name, position, active) values (1, '轮台县', 0, :y)"
            ),
            {"y": True},
        )
    db = Database(engine)
    with db.unit_of_work() as s:
        item = LedgerItem(
            unit_id=1,
            code="轮台-001",
            seq=1,
            name="安置房未交付",
            created_at=asked,
            updated_at=asked,
        )
        s.add(item)
        s.flush()
        week = date(2024, 1, 8)
        s.add(
            ProgressUpdate(
                item_id=item.id,
                week_of=week,
                status="done",
                result="已交付",
                created_at=asked,
                author_user_id=7,
            )
        )
        s.add(
            ProgressUpdate(
                item_id=item.id,
                week_of=week,
                status="rejected",
                reason="材料不全",
                created_at=rejected,
                author_user_id=9,
            )
        )
    migrate(engine)
    with db.unit_of_work() as s:
        assert [p.status for p in s.exec(select(ProgressUpdate))] == ["done"]
        [made] = s.exec(select(Decision)).all()
        assert (made.what, made.reason, made.by_user_id, made.at) == (
            "closeout.rejected",
            "材料不全",
            9,
            rejected,
        )
        assert (made.unit_id, made.item_id) == (1, 1)
    command.downgrade(alembic_config(engine), "0015")
    with db.unit_of_work() as s:
        back = s.exec(select(ProgressUpdate).order_by(ProgressUpdate.id)).all()  # type: ignore[arg-type]
        assert [(p.status, p.reason, p.author_user_id) for p in back] == [
            ("done", "", 7),
            ("rejected", "材料不全", 9),
        ]
