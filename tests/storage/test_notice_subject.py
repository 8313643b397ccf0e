"""Notices name their case or deadline in columns: filled when planned, backfilled on upgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, text
from sqlmodel import col, select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns, cases, outbox, planning
from storage.audit import Stamp
from storage.db import Database, make_engine, migrate
from storage.models import Notification, OutboxMessage, saved_id
from storage.types import UTCDateTime
from workflows.campaign import read_campaign_yaml
from workflows.keys import CASE_POSTED, NoticeKey
from workflows.messages import msg
from workflows.planner import Planned

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # Monday 6 May 2024, 10:00 in Beijing
DUE = datetime(2024, 5, 8, 10, 0, tzinfo=UTC)
GROUP = -1001234567890


def test_an_upgrade_fills_the_columns_from_the_keys_already_stored(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    migrate(engine, "0010")
    stored = {
        f"case:11:posted:chat:{GROUP}": (11, None),
        "case:11:20240508T100000Z:escalate:chat:42": (11, None),
        "case:12:ext1:2024-05-06T02:00:00+00:00:chat:42": (12, None),
        f"deadline:7:20240505T100000Z:unit:3:chat:{GROUP}:r86400": (None, 7),
        "deadline:7:20240505T100000Z:digest:2024-05-06:chat:42": (None, 7),
        f"weekly:0:2024-05-06:prompt:unit:3:chat:{GROUP}": (None, None),
        "catchup:chat:42:case:11:20240508T100000Z:escalate:chat:42": (None, None),
    }
    with engine.begin() as conn:
        insert = text(
            "insert into notification (key, kind, planned_for, created_at, payload) "
            "values (:key, 'x', :t, :t, '{}')"
        ).bindparams(bindparam("t", type_=UTCDateTime))
        conn.execute(insert, [{"key": k, "t": NOW} for k in stored])
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("select key, case_id, deadline_id from notification")).all()
    assert {key: (case_id, deadline_id) for key, case_id, deadline_id in rows} == stored


def test_a_reply_to_a_posted_case_finds_the_case_by_its_column(db: Database) -> None:
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW))
        unit = campaigns.units_of(s, saved_id(camp))[0]
        case = cases.create_case(
            s,
            unit_id=saved_id(unit),
            text="拖欠过渡安置费",
            reference="",
            received_at=NOW,
            due_at=DUE,
            stamp=Stamp(NOW),
        )
        case_id = saved_id(case)
        posted = Planned(
            NoticeKey.case_posted(case_id, GROUP).text, CASE_POSTED, GROUP, msg("x"), NOW
        )
        remind = Planned(
            NoticeKey.case_remind(case_id, DUE, "morning", GROUP).text,
            "case.remind",
            GROUP,
            msg("x"),
            NOW,
        )
        rendered = [planning.Rendered(p, "📌", None) for p in (posted, remind)]
        assert planning.save_planned(s, rendered, NOW) == 2
    with db.unit_of_work() as s:
        found = s.exec(
            select(Notification.kind, Notification.case_id, Notification.deadline_id, OutboxMessage)
            .join(OutboxMessage)
            .order_by(col(OutboxMessage.id))
        ).all()
        assert [(k, c, d) for k, c, d, _ in found] == [
            (CASE_POSTED, case_id, None),
            ("case.remind", case_id, None),
        ]
        outbox.mark_sent(s, saved_id(found[0][3]), 501, NOW)
        outbox.mark_sent(s, saved_id(found[1][3]), 502, NOW + timedelta(minutes=1))
    with db.unit_of_work() as s:
        assert cases.case_of_message(s, GROUP, 501) == s.get(type(case), case_id)
        assert cases.case_of_message(s, GROUP, 502) is None  # a reminder is not the case card
        assert cases.case_of_message(s, GROUP, 503) is None
        assert cases.case_of_message(s, -1, 501) is None
