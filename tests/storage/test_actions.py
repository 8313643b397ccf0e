"""A page's write under its action id: taken once; its copies hear the first answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from storage import page_actions
from storage.db import Database
from storage.models import PageAction

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)


def test_an_action_is_taken_once_and_its_copies_hear_the_first_answer(db: Database) -> None:
    with db.unit_of_work() as s:
        assert page_actions.done_before(s, 7, "new-aaaa1111") is None
        assert page_actions.take(s, 7, "new-aaaa1111", NOW) is None  # ours to do
        page_actions.keep(
            s, 7, "new-aaaa1111", page_actions.Done(200, {"said": ["已新增问题 轮台-001。"]})
        )
    with db.unit_of_work() as s:
        again = page_actions.take(s, 7, "new-aaaa1111", NOW + timedelta(seconds=3))
        assert again == page_actions.Done(200, {"said": ["已新增问题 轮台-001。"]})
        assert page_actions.done_before(s, 7, "new-aaaa1111") == again
        assert page_actions.take(s, 8, "new-aaaa1111", NOW) is None  # another person's id is theirs


def test_an_action_whose_unit_of_work_failed_is_free_to_do_again(db: Database) -> None:
    try:
        with db.unit_of_work() as s:
            assert page_actions.take(s, 7, "new-bbbb2222", NOW) is None
            raise RuntimeError("the write failed")
    except RuntimeError:
        pass
    with db.unit_of_work() as s:
        assert page_actions.take(s, 7, "new-bbbb2222", NOW) is None


def test_a_persons_old_actions_are_forgotten_when_they_act_again(db: Database) -> None:
    with db.unit_of_work() as s:
        page_actions.take(s, 7, "old-cccc3333", NOW)
        page_actions.take(s, 9, "old-dddd4444", NOW)
    with db.unit_of_work() as s:
        page_actions.take(
            s, 7, "new-eeee5555", NOW + page_actions.ACTIONS_KEPT + timedelta(minutes=1)
        )
    with db.unit_of_work() as s:
        left = {(a.user_id, a.action_id) for a in s.exec(select(PageAction)).all()}
    assert left == {(7, "new-eeee5555"), (9, "old-dddd4444")}
