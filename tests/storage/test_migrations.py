"""Migrations: from empty, from the previous revision; the schema is the models'."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import bindparam, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from storage import campaigns
from storage.db import Database, make_engine, migrate
from storage.models import AuditEvent, Campaign, Chat, LedgerItem, Submission, Unit
from storage.types import UTCDateTime


def test_from_empty_to_head_matches_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, SQLModel.metadata) == []
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0007"


def test_an_older_database_is_upgraded_not_recreated(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0001")
    assert "ledgeritem" not in inspect(engine).get_table_names()
    now = datetime(2024, 2, 5, 2, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into campaign (name, year, timezone, reminders, weekly_reports, "
                "feedback_working_days, feedback_cutoff, categories, default_due_time, active, "
                "loaded_at, updated_at) values ('专项整治', 2024, 'Asia/Shanghai', '[]', '[]', 2, "
                "'18:00', '[]', '18:00', :yes, :t, :t)"
            ).bindparams(bindparam("t", type_=UTCDateTime)),
            {"t": now, "yes": True},
        )
        conn.execute(
            text(
                "insert into unit (campaign_id, name, position, active) "
                "values (1, '轮台县', 0, :yes)"
            ),
            {"yes": True},
        )
    db = Database(engine)
    migrate(engine)
    with db.unit_of_work() as s:
        assert s.exec(select(Unit)).one().name == "轮台县"
        assert campaigns.unit_named(s, 1, "轮台县") is not None  # the key filled in
        assert s.exec(select(Campaign)).one().loaded_at == now
        s.add(
            LedgerItem(
                unit_id=1,
                code="轮台-001",
                seq=1,
                name="拖欠过渡安置费",
                created_at=now,
                updated_at=now,
            )
        )
    with db.unit_of_work() as s:
        assert s.exec(select(LedgerItem)).one().code == "轮台-001"


def test_every_connection_is_set_up_for_the_bot(db: Database) -> None:
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.execute(text("show timezone")).scalar() == "UTC"
            assert conn.execute(text("show application_name")).scalar() == "taizhang"
            return
        assert conn.execute(text("pragma journal_mode")).scalar() == "wal"
        assert conn.execute(text("pragma foreign_keys")).scalar() == 1
        assert conn.execute(text("pragma busy_timeout")).scalar() == 15000


def test_chat_ids_are_64_bit_and_times_come_back_aware_utc(db: Database) -> None:
    beijing = timezone(timedelta(hours=8))
    with db.unit_of_work() as s:
        s.add(
            Chat(
                chat_id=-1002147483648123,
                kind="supergroup",
                title="轮台县",
                bound_at=datetime(2024, 2, 6, 18, tzinfo=beijing),
            )
        )
    with db.unit_of_work() as s:
        chat = s.exec(select(Chat)).one()
        assert chat.chat_id == -1002147483648123
        assert chat.bound_at == datetime(2024, 2, 6, 10, tzinfo=UTC)
        assert chat.bound_at.tzinfo is UTC


def test_a_naive_datetime_is_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.unit_of_work() as s:
        s.add(Chat(chat_id=1, kind="private", bound_at=datetime(2024, 2, 6, 18)))
        s.flush()


def test_a_failed_unit_of_work_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        s.add(Chat(chat_id=5, kind="private"))
        s.flush()
        raise RuntimeError("handler failed")
    with db.unit_of_work() as s:
        assert s.exec(select(Chat)).all() == []


def test_submissions_made_twice_before_0007_are_folded_into_the_first(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0006")
    first, second = datetime(2024, 4, 29, 9, tzinfo=UTC), datetime(2024, 4, 29, 9, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into campaign (name, year, timezone, reminders, weekly_reports, "
                "feedback_working_days, feedback_cutoff, feedback_rules, categories, ledger, "
                "default_due_time, active, loaded_at, updated_at) values ('专项整治', 2024, "
                "'Asia/Shanghai', '[]', '[]', 2, '18:00', '{}', '[]', '{}', '18:00', :yes, :t, :t)"
            ).bindparams(bindparam("t", type_=UTCDateTime)),
            {"t": first, "yes": True},
        )
        conn.execute(
            text(
                "insert into unit (campaign_id, name, name_key, position, active) "
                "values (1, '轮台县', '轮台县', 0, :yes)"
            ),
            {"yes": True},
        )
        for at, note in ((first, "甲"), (second, "乙"), (second, "丙")):
            conn.execute(
                text(
                    "insert into submission (unit_id, report_name, period_start, submitted_at, "
                    "on_time, note, files) values (1, '工作台账', '2024-04-29', :at, :yes, "
                    ":note, '[]')"
                ).bindparams(bindparam("at", type_=UTCDateTime)),
                {"at": at, "yes": True, "note": note},
            )
    migrate(engine)
    with Database(engine).unit_of_work() as s:
        kept = s.exec(select(Submission)).all()
        assert [(r.note, r.submitted_at) for r in kept] == [("甲", first)]
        removed = s.exec(
            select(AuditEvent).where(AuditEvent.action == "submission.duplicate_removed")
        ).all()
        assert sorted(e.before["note"] for e in removed if e.before) == ["丙", "乙"]
    again = Submission(
        unit_id=1, report_name="工作台账", period_start=date(2024, 4, 29), submitted_at=second
    )
    with pytest.raises(IntegrityError), Database(engine).unit_of_work() as s:
        s.add(again)
