"""A deadline moved by reloading its campaign file: the planner's pass withdraws what waited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns, outbox, planning, reminders_owed
from storage.audit import Stamp
from storage.db import Database
from storage.models import (
    Campaign,
    Deadline,
    ForwardedCase,
    Notification,
    OutboxMessage,
    Submission,
    saved_id,
)
from workflows import keys
from workflows.campaign import read_campaign_yaml
from workflows.keys import NoticeKey
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


def test_claimed_reminders_whose_purpose_was_done_are_withdrawn(db: Database) -> None:
    text = (TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8")
    monday = date(2024, 4, 29)
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, read_campaign_yaml(text), Stamp(NOW))
        deadline = campaigns.deadlines_of(s, saved_id(camp))[0]
        did, due = saved_id(deadline), deadline.due_at
        first, second = (saved_id(u) for u in campaigns.units_of(s, saved_id(camp))[:2])
        case = ForwardedCase(code="ZB-0001", unit_id=first, text="x", received_at=NOW, due_at=due)
        s.add(case)
        s.flush()
        cid = saved_id(case)
        planned = [
            NoticeKey.deadline_unit(did, due, first, -1, "r86400").text,  # submitted: withdrawn
            NoticeKey.deadline_unit(did, due, second, -2, "r86400").text,  # not submitted
            NoticeKey.case_remind(cid, due, "morning", -1).text,  # answered: withdrawn
            NoticeKey.case_escalate(cid, due, -9).text,  # answered: withdrawn
            keys.weekly_stage(0, monday, "remind", first, -1),  # reported: withdrawn
            keys.weekly_stage(0, monday, "remind", second, -2),  # not reported
            NoticeKey.deadline_missing(did, due, -9).text,  # a list: left alone
        ]
        items = [planning.Rendered(Planned(k, "x", -1, msg("x"), NOW), "⏰", None) for k in planned]
        assert planning.save_planned(s, items, NOW) == len(planned)
        s.add(Submission(unit_id=first, deadline_id=did, submitted_at=NOW))
        s.add(
            Submission(unit_id=first, report_name="工作台账", period_start=monday, submitted_at=NOW)
        )
        case.status = "answered"
        s.add(case)
    with db.unit_of_work() as s:
        claimed = outbox.claim(s, NOW, limit=20)
        sent = reminders_owed.withdraw_done(s, claimed)
        keys_of = dict(s.exec(select(Notification.id, Notification.key)).all())
        assert sorted(keys_of[r.notification_id] for r in sent) == sorted(
            [planned[1], planned[5], planned[6]]
        )
    with db.unit_of_work() as s:
        statuses = [r.status for r in s.exec(select(OutboxMessage))]
    assert sorted(statuses) == ["sending"] * 3 + ["withdrawn"] * 4


def _bazhou(s: Session) -> tuple[Campaign, Deadline, int]:
    """The shipped bazhou-2024 campaign saved: it, its first deadline and its first unit's id."""
    text = (TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8")
    camp, _ = campaigns.save_campaign(s, read_campaign_yaml(text), Stamp(NOW))
    deadline = campaigns.deadlines_of(s, saved_id(camp))[0]
    return camp, deadline, saved_id(campaigns.units_of(s, saved_id(camp))[0])


def test_a_catch_up_folding_a_reminder_no_longer_owed_is_withdrawn_and_the_rest_told_again(
    db: Database,
) -> None:
    monday = date(2024, 4, 29)
    with db.unit_of_work() as s:
        camp, deadline, unit = _bazhou(s)
        owed_still = NoticeKey.deadline_unit(saved_id(deadline), deadline.due_at, unit, -1, "r7200")
        reported = keys.weekly_stage(0, monday, "remind", unit, -1)
        folded = Planned(
            keys.catch_up_key(-1, owed_still.text),
            "catchup",
            -1,
            msg("x"),
            NOW,
            late=True,
            absorbs=(owed_still.text, reported),
        )
        assert planning.save_planned(s, [planning.Rendered(folded, "两条", None)], NOW) == 1
        s.add(
            Submission(unit_id=unit, report_name="工作台账", period_start=monday, submitted_at=NOW)
        )
    with db.unit_of_work() as s:
        assert reminders_owed.withdraw_done(s, outbox.claim(s, NOW)) == []
    with db.unit_of_work() as s:
        assert [r.status for r in s.exec(select(OutboxMessage))] == ["withdrawn"]
        left = sorted(s.exec(select(Notification.key)).all())
    # the week's reminder stays told (nothing more is owed); the deadline's is planned afresh,
    # marked owed again: told then even if its next stage has come meanwhile
    assert left == sorted([folded.key, reported, keys.owed_again(owed_still.text)])
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        state = planning.planner_state(s, camp, admin_ids=(), now=NOW)
    assert state.owed_again == {owed_still.text} and owed_still.text not in state.planned


def test_a_stage_freed_from_a_withdrawn_catch_up_is_told_by_its_later_stage_waiting(
    db: Database,
) -> None:
    monday = date(2024, 4, 29)
    with db.unit_of_work() as s:
        _, deadline, unit = _bazhou(s)
        did, due = saved_id(deadline), deadline.due_at
        day = NoticeKey.deadline_unit(did, due, unit, -1, "r86400").text
        reported = keys.weekly_stage(0, monday, "remind", unit, -1)
        folded = Planned(
            keys.catch_up_key(-1, day), "catchup", -1, msg("x"), NOW, absorbs=(day, reported)
        )
        later = Planned(
            NoticeKey.deadline_unit(did, due, unit, -1, "r7200").text, "x", -1, msg("x"), NOW
        )
        other = Planned(
            NoticeKey.deadline_unit(did, due, unit, -2, "r7200").text, "x", -2, msg("x"), NOW
        )
        rendered = [planning.Rendered(p, p.kind, None) for p in (folded, later, other)]
        assert planning.save_planned(s, rendered, NOW) == 3
        s.add(
            Submission(unit_id=unit, report_name="工作台账", period_start=monday, submitted_at=NOW)
        )
    with db.unit_of_work() as s:
        sent = reminders_owed.withdraw_done(s, outbox.claim(s, NOW, limit=1))
        assert sent == []  # the catch-up, claimed alone, withdrawn
        told = s.exec(select(Notification).where(Notification.key == day)).one()
        # told by the 2-hour stage waiting in the same chat, not by the other chat's
        assert told.kind == "told" and told.payload["told_in"] == later.key
        marks = s.exec(select(Notification).where(Notification.kind == reminders_owed.OWED)).all()
        assert marks == []


def test_claimed_reminders_planned_for_a_due_time_since_moved_are_withdrawn(db: Database) -> None:
    """The move withdraws what waits, but skips a row another process holds at that moment
    (PostgreSQL's SKIP LOCKED): the claim checks the due time once more."""
    with db.unit_of_work() as s:
        _, deadline, unit = _bazhou(s)
        did, old = saved_id(deadline), deadline.due_at
        case = ForwardedCase(code="ZB-0001", unit_id=unit, text="x", received_at=NOW, due_at=old)
        s.add(case)
        s.flush()
        cid = saved_id(case)
        planned = [
            NoticeKey.deadline_unit(did, old, unit, -1, "r86400").text,  # moved: withdrawn
            NoticeKey.deadline_missing(did, old, -9).text,  # the list of the old time too
            NoticeKey.case_remind(cid, old, "morning", -1).text,  # extended: withdrawn
            NoticeKey.case_posted(cid, -1).text,  # not planned for a due time: sent
        ]
        items = [planning.Rendered(Planned(k, "x", -1, msg("x"), NOW), "⏰", None) for k in planned]
        assert planning.save_planned(s, items, NOW) == len(planned)
    with db.unit_of_work() as s:  # moved, as if the withdrawal had skipped the held rows
        new = old + timedelta(days=3)
        for row in (s.get(Deadline, did), s.get(ForwardedCase, cid)):
            assert row is not None
            row.due_at = new
            s.add(row)
        later = NoticeKey.deadline_unit(did, new, unit, -1, "r86400").text  # the new time's
        planning.save_planned(
            s, [planning.Rendered(Planned(later, "x", -1, msg("x"), NOW), "⏰", None)], NOW
        )
    with db.unit_of_work() as s:
        sent = reminders_owed.withdraw_done(s, outbox.claim(s, NOW, limit=20))
        keys_of = dict(s.exec(select(Notification.id, Notification.key)).all())
        assert sorted(keys_of[r.notification_id] for r in sent) == sorted([planned[3], later])
    with db.unit_of_work() as s:
        statuses = sorted(r.status for r in s.exec(select(OutboxMessage)))
    assert statuses == ["sending"] * 2 + ["withdrawn"] * 3
