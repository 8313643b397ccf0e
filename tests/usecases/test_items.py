"""The ledger's items as /items and /item show them, through the use cases, on a real database
and without Telegram."""

from __future__ import annotations

from datetime import date

from bot.usecases.items import item_history, items_in_view
from storage import decisions, ledger
from storage.audit import Stamp
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import NOW, world
from workflows.people.roles import Role
from workflows.problems.ledger import ItemColumns, Progress


def test_a_list_shows_this_chats_unit_or_every_unit_one_sees(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        yuli = w.unit_named("尉犁县")
        stamp = Stamp(NOW, 1)
        later = ledger.create_item(
            s, w.unit, ItemColumns(name="晚", due_on=date(2024, 9, 1)), stamp
        )
        sooner = ledger.create_item(
            s, w.unit, ItemColumns(name="早", due_on=date(2024, 6, 1)), stamp
        )
        theirs = ledger.create_item(
            s, yuli, ItemColumns(name="尉犁", due_on=date(2024, 7, 1)), stamp
        )
        admin = w.act(1, (Role.ADMIN,))
        assert [i.id for i in items_in_view(admin, None)] == [sooner.id, theirs.id, later.id]
        assert [i.id for i in items_in_view(admin, w.unit)] == [sooner.id, later.id]  # its group
        liaison = w.act(2, (Role.LIAISON,), [saved_id(w.unit)])
        # a liaison in another unit's chat still sees only their own
        assert [i.id for i in items_in_view(liaison, yuli)] == [sooner.id, later.id]
        assert items_in_view(w.act(3, ()), None) == []


def test_an_items_history_is_its_progress_and_the_decisions_on_it(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        item = ledger.create_item(s, w.unit, ItemColumns(name="一个问题"), Stamp(NOW, 2))
        for week, text in ((date(2024, 4, 29), "第一周"), (date(2024, 5, 6), "第二周")):
            ledger.add_progress(s, item, Progress("plan", week, text), Stamp(NOW, 2))
        decisions.record_decision(
            s,
            Stamp(NOW, 1),
            unit_id=saved_id(w.unit),
            what="closeout.rejected",
            reason="材料不全",
            item_id=saved_id(item),
        )
        history = item_history(s, item)
        assert [p.text for p in history.progress] == ["第一周", "第二周"]
        assert history.imports == []  # typed in, not imported
        assert [(d.what, d.reason) for d in history.decisions] == [
            ("closeout.rejected", "材料不全")
        ]
