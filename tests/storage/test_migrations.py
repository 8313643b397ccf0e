"""Migrations: from empty, from the previous revision; the schema is the models'."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, bindparam, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from storage import campaigns, planning, sightings
from storage.db import Database, head_revision, make_engine, migrate
from storage.models import AuditEvent, Campaign, Chat, LedgerItem, Submission, Unit
from storage.types import UTCDateTime
from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.planner import DeadlineState, PlannerState, UnitTarget, due_notifications


def test_from_empty_to_head_matches_the_models(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(ctx, SQLModel.metadata) == []
        assert (
            conn.execute(text("select version_num from alembic_version")).scalar()
            == head_revision()
        )


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


def campaign_and_unit_at_0006(conn: Connection, at: datetime) -> None:
    """Campaign 1 and its unit 1, 轮台县, as a database at revision 0006 holds them."""
    conn.execute(
        text(
            "insert into campaign (name, year, timezone, reminders, weekly_reports, "
            "feedback_working_days, feedback_cutoff, feedback_rules, categories, ledger, "
            "default_due_time, active, loaded_at, updated_at) values ('专项整治', 2024, "
            "'Asia/Shanghai', '[]', '[]', 2, '18:00', '{}', '[]', '{}', '18:00', :yes, :t, :t)"
        ).bindparams(bindparam("t", type_=UTCDateTime)),
        {"t": at, "yes": True},
    )
    conn.execute(
        text(
            "insert into unit (campaign_id, name, name_key, position, active) "
            "values (1, '轮台县', '轮台县', 0, :yes)"
        ),
        {"yes": True},
    )


def test_submissions_made_twice_before_0007_are_folded_into_the_first(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0006")
    first, second = datetime(2024, 4, 29, 9, tzinfo=UTC), datetime(2024, 4, 29, 9, 1, tzinfo=UTC)
    with engine.begin() as conn:
        campaign_and_unit_at_0006(conn, first)
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


def test_planner_keys_stored_before_0007_get_their_due_time_and_are_not_planned_again(
    empty_db_url: str,
) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0006")
    due, case_due = datetime(2024, 5, 5, 10, tzinfo=UTC), datetime(2024, 5, 7, 10, tzinfo=UTC)
    old_keys = [
        "deadline:1:unit:1:chat:-100:r259200",
        "deadline:1:missing:chat:501",
        "case:1:remind:morning:chat:-100",
        "case:1:posted:chat:-100",  # not the planner's: it names no due time
        "weekly:0:2024-04-29:prompt:unit:1:chat:-100",
        "deadline:9:unit:1:chat:-100:r259200",  # its deadline is gone: left as it was
    ]
    t = bindparam("t", type_=UTCDateTime)
    with engine.begin() as conn:
        campaign_and_unit_at_0006(conn, due)
        conn.execute(
            text(
                "insert into deadline (campaign_id, deliverable, note, source_text, due_at, "
                "cancelled, from_file) values (1, '阶段总结', '', '', :t, :no, :no)"
            ).bindparams(t),
            {"t": due, "no": False},
        )
        conn.execute(
            text(
                "insert into forwardedcase (code, unit_id, text, reference, files, received_at, "
                "due_at, status, fields) values ('ZB-0001', 1, '转办', '', '[]', :t, :t, 'open', "
                "'{}')"
            ).bindparams(t),
            {"t": case_due},
        )
        for key in old_keys:
            conn.execute(
                text(
                    "insert into notification (key, kind, planned_for, created_at, payload) "
                    "values (:key, 'x', :t, :t, '{}')"
                ).bindparams(t),
                {"key": key, "t": due},
            )
    migrate(engine)
    with engine.connect() as conn:
        keys = list(conn.execute(text("select key from notification order by id")).scalars())
    assert keys == [
        "deadline:1:20240505T100000Z:unit:1:chat:-100:r259200",
        "deadline:1:20240505T100000Z:missing:chat:501",
        "case:1:20240507T100000Z:remind:morning:chat:-100",
        *old_keys[3:],
    ]
    # the planner, run after the upgrade, finds the three-day reminder already planned
    state = PlannerState(
        tz=ZoneInfo("Asia/Shanghai"),
        reminders=(timedelta(days=3),),
        units={1: UnitTarget(1, "轮台县", (-100,))},
        deadlines=(
            DeadlineState(
                1, "阶段总结", due, due - timedelta(days=30), frozenset({1}), frozenset()
            ),
        ),
        planned=frozenset(keys),
    )
    cal = WorkCalendar(OfficialDays.from_package())
    assert due_notifications(state, now=due - timedelta(days=2), cal=cal) == []


def test_after_0013_supervisors_hear_where_they_did_until_seen_in_their_group(
    empty_db_url: str,
) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0012")
    at = datetime(2024, 5, 6, 1, tzinfo=UTC)
    t = bindparam("t", type_=UTCDateTime)
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into chat (chat_id, kind, title, supervisors, waiting_notice_sent) "
                "values (-100900, 'supergroup', '专班群', :yes, :no)"
            ),
            {"yes": True, "no": False},
        )
        conn.execute(
            text(
                "insert into person (user_id, display_name, created_at) values (8201, '朱', :t)"
            ).bindparams(t),
            {"t": at},
        )
        conn.execute(
            text(
                "insert into rolegrant (person_id, role, granted_at) values (1, 'supervisor', :t)"
            ).bindparams(t),
            {"t": at},
        )
    migrate(engine)
    with Database(engine).unit_of_work() as s:
        assert planning.supervisor_chats(s) == [8201, -100900]  # as before the upgrade
        sightings.saw(s, -100900, [8201], at)
        assert planning.supervisor_chats(s) == [-100900]
