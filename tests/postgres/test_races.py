"""Two processes at the same moment on one PostgreSQL database: what must happen once does.

Each racer is a thread with its own unit of work (its own connection), as two bot processes
would have; a barrier makes them read the same state before either writes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlmodel import Session, func, select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns, chats, ledger, page_actions, people, submissions
from storage import cases as case_store
from storage.audit import Stamp
from storage.db import Database
from storage.models import (
    AuditEvent,
    Chat,
    ForwardedCase,
    LedgerItem,
    Person,
    Submission,
    Unit,
    saved_id,
)
from workflows.campaign import read_campaign_yaml
from workflows.problems.ledger import ItemChanges, ItemColumns, LedgerSpec, item_columns

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # Monday 6 May 2024, 10:00 in Beijing
Job = Callable[[Session, threading.Barrier], Any]


@dataclass
class World:
    db: Database
    unit_id: int  # 轮台县

    def unit(self, s: Session) -> Unit:
        unit = s.get(Unit, self.unit_id)
        assert unit is not None
        return unit

    def race(self, *jobs: Job) -> list[Any]:
        """Run each job in its own thread and unit of work, all at once."""
        barrier = threading.Barrier(len(jobs))

        def run(job: Job) -> Any:
            with self.db.unit_of_work() as s:
                return job(s, barrier)

        with ThreadPoolExecutor(len(jobs)) as pool:
            return [f.result() for f in [pool.submit(run, job) for job in jobs]]


@pytest.fixture
def world(pg_url: str) -> Iterator[World]:
    db = Database.open(pg_url)
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW))
        unit = campaigns.unit_named(s, camp.id or 0, "轮台县")
        assert unit is not None and unit.id is not None
    yield World(db, unit.id)
    db.engine.dispose()


def test_a_closeout_approved_and_rejected_at_once_is_decided_once(world: World) -> None:
    with world.db.unit_of_work() as s:
        item = ledger.create_item(
            s, world.unit(s), item_columns({"name": "拖欠补偿款"}, LedgerSpec()), Stamp(NOW, 1)
        )
        ledger.change_item(
            s,
            item,
            ItemChanges(status="closing"),
            expected_version=None,
            action="t",
            stamp=Stamp(NOW, 1),
        )
        item_id = item.id

    def decide(status: str) -> Job:
        def job(s: Session, barrier: threading.Barrier) -> str:
            item = s.get(LedgerItem, item_id)
            assert item is not None and item.status == "closing"
            barrier.wait()  # both have read it closing, at the same version
            try:
                ledger.change_item(
                    s,
                    item,
                    ItemChanges(status=status),
                    expected_version=None,
                    action=f"item.{status}",
                    stamp=Stamp(NOW, 2),
                )
            except ledger.Conflict:
                return "told"
            return status

        return job

    outcome = world.race(decide("closed"), decide("open"))
    assert outcome.count("told") == 1, outcome
    applied = next(o for o in outcome if o != "told")
    with world.db.unit_of_work() as s:
        item = s.get(LedgerItem, item_id)
        assert item is not None and (item.status, item.version) == (applied, 3)
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.entity_id == item_id)).all()
    assert [a for a in actions if a in ("item.closed", "item.open")] == [f"item.{applied}"]


def test_a_weekly_report_confirmed_twice_at_once_is_recorded_once(world: World) -> None:
    def submit(note: str) -> Job:
        def job(s: Session, barrier: threading.Barrier) -> str:
            barrier.wait()
            try:
                submissions.record_submission(
                    s,
                    unit_id=world.unit_id,
                    stamp=Stamp(NOW, 3),
                    on_time=True,
                    note=note,
                    report_name="工作台账",
                    period_start=date(2024, 5, 6),
                )
            except submissions.AlreadySubmitted as already:
                return f"after {already.first.note}"
            return note

        return job

    outcome = world.race(submit("甲"), submit("乙"))
    assert sorted(outcome) in (["after 甲", "甲"], ["after 乙", "乙"]), outcome
    with world.db.unit_of_work() as s:
        assert s.exec(select(func.count()).select_from(Submission)).one() == 1


def test_items_and_cases_added_at_once_get_the_next_free_numbers(world: World) -> None:
    def add(who: int, i: int) -> Job:
        def job(s: Session, barrier: threading.Barrier) -> None:
            unit, stamp = world.unit(s), Stamp(NOW, who)
            barrier.wait()  # both read the same last number
            ledger.create_item(s, unit, ItemColumns(name=f"问题{who}-{i}"), stamp)
            case_store.create_case(
                s,
                unit_id=world.unit_id,
                text=f"转办{who}-{i}",
                reference="",
                received_at=NOW,
                due_at=NOW,
                stamp=stamp,
            )

        return job

    rounds = 6
    for i in range(rounds):
        world.race(add(1, i), add(2, i))
    with world.db.unit_of_work() as s:
        items = s.exec(select(LedgerItem.code).order_by(LedgerItem.seq)).all()
        cases = s.exec(select(ForwardedCase.code).order_by(ForwardedCase.code)).all()
    assert items == [f"轮台-{n:03d}" for n in range(1, 2 * rounds + 1)]
    assert cases == [f"ZB-{n:04d}" for n in range(1, 2 * rounds + 1)]


def test_a_page_action_sent_to_two_processes_at_once_is_done_once(world: World) -> None:
    """The second process's take waits for the first one's commit, then hears its answer."""
    done = page_actions.Done(200, {"said": ["已新增问题 轮台-001。"]})
    first_took = threading.Event()

    def first(s: Session, barrier: threading.Barrier) -> page_actions.Done | None:
        barrier.wait()
        took = page_actions.take(s, 7, "new-ffff6666", NOW)
        first_took.set()
        time.sleep(0.3)  # still saving when the copy arrives
        page_actions.keep(s, 7, "new-ffff6666", done)
        return took

    def copy(s: Session, barrier: threading.Barrier) -> page_actions.Done | None:
        barrier.wait()
        first_took.wait()
        return page_actions.take(s, 7, "new-ffff6666", NOW)

    assert world.race(first, copy) == [None, done]


def test_a_chat_and_its_person_first_seen_by_two_processes_at_once_are_saved_once(
    world: World,
) -> None:
    """Two updates from a new private chat at once: both turns go on, over one row of each."""
    stamp = Stamp(NOW)

    def first_sight(s: Session, barrier: threading.Barrier) -> tuple[int, int]:
        barrier.wait()
        chat = chats.ensure_chat(s, chat_id=4242, kind="private", title="张三")
        person = people.touch_person(
            s, user_id=4242, username="zs", display_name="张三", stamp=stamp
        )
        time.sleep(0.2)  # both have inserted before either commits
        return saved_id(chat), saved_id(person)

    first, second = world.race(first_sight, first_sight)
    assert first == second
    with world.db.unit_of_work() as s:
        assert s.exec(select(func.count()).where(Chat.chat_id == 4242)).one() == 1
        assert s.exec(select(func.count()).where(Person.user_id == 4242)).one() == 1
