"""The roster (/roster) through the use cases, on a real database and without Telegram."""

from __future__ import annotations

from datetime import timedelta

from bot.usecases.register import register_as_liaison, roster_in_view
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import NOW, world
from workflows.people.roles import Role


def test_the_roster_is_every_unit_for_supervisors_and_ones_own_for_a_liaison(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        yuli = w.unit_named("尉犁县")
        for user_id, name, unit, minutes in (
            (2, "李明", w.unit, 0),
            (3, "王芳", w.unit, 5),
            (4, "张伟", yuli, 1),
        ):
            register_as_liaison(
                w.act(user_id, (), at=NOW + timedelta(minutes=minutes)),
                name=name,
                position="科员",
                phone="13800000000",
                unit_id=saved_id(unit),
                unit_name=unit.name,
            )
        every = roster_in_view(w.act(1, (Role.SUPERVISOR,)))
        assert [r.unit.name for r in every][:3] == ["库尔勒市", "轮台县", "尉犁县"]
        assert len(every) == 10  # a unit with nobody registered is listed too
        listed = {r.unit.name: [p.name for p in r.liaisons] for r in every}
        assert listed["轮台县"] == ["李明", "王芳"] and listed["尉犁县"] == ["张伟"]
        assert listed["库尔勒市"] == []
        own = roster_in_view(w.act(2, (Role.LIAISON,), [saved_id(w.unit)]))
        assert [(r.unit.name, [p.name for p in r.liaisons]) for r in own] == [
            ("轮台县", ["李明", "王芳"])
        ]
