"""A deadline moved by reloading its campaign file: the planner's pass withdraws what waited."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns, planning
from storage.audit import Stamp
from storage.db import Database
from storage.models import Notification, OutboxMessage
from workflows.campaign import read_campaign_yaml
from workflows.messages import msg
from workflows.planner import Planned, schedule_stamp, schedules

NOW = datetime(2024, 5, 4, 14, 0, tzinfo=UTC)  # Saturday 4 May 2024, 22:00 in Beijing


def test_a_reloaded_file_that_moves_a_deadline_withdraws_its_waiting_reminders(
    db: Database,
) -> None:
    text = (TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8")
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, read_campaign_yaml(text), Stamp(NOW))
        summary = next(d for d in campaigns.deadlines_of(s, camp.id) if d.due_at.month == 5)
        ref = f"deadline:{summary.id}:{schedule_stamp(summary.due_at)}"
        morning = datetime(2024, 5, 5, 0, 0, tzinfo=UTC)  # held by quiet hours till 08:00
        waiting = [
            planning.Rendered(
                Planned(f"{ref}:unit:{u}:chat:-{u}:r86400", "x", -u, msg("x"), morning), "⏰", None
            )
            for u in (1, 2)
        ]
        other = Planned("weekly:0:2024-04-29:prompt:unit:1:chat:-1", "x", -1, msg("x"), morning)
        assert (
            planning.save_planned(s, [*waiting, planning.Rendered(other, "周报", None)], NOW) == 3
        )
    with db.unit_of_work() as s:
        moved = read_campaign_yaml(text.replace("5月5日18：00", "5月8日18：00"))
        campaigns.save_campaign(s, moved, Stamp(NOW))
        state = planning.planner_state(s, camp, admin_ids=(), now=NOW)
        assert planning.withdraw_moved(s, schedules(state)) == 2
        assert planning.withdraw_moved(s, schedules(state)) == 0
    with db.unit_of_work() as s:
        rows = s.exec(select(Notification.key, OutboxMessage.status).join(OutboxMessage)).all()
    assert sorted(status for _, status in rows) == ["pending", "withdrawn", "withdrawn"]
