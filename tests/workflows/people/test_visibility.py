"""Who sees which unit's items and cases, and who reports for a unit."""

from __future__ import annotations

from workflows.people.roles import Actor, Role


def test_admins_and_supervisors_see_every_unit_a_liaison_their_own():
    assert Actor(1, frozenset({Role.SUPERVISOR})).sees(9)
    assert Actor(1, frozenset({Role.ADMIN})).sees(9)
    liaison = Actor(2, frozenset({Role.LIAISON}), frozenset({3}))
    assert liaison.sees(3) and not liaison.sees(9) and not liaison.sees(None)


def test_a_supervisor_sees_but_does_not_report_for_a_unit():
    supervisor = Actor(1, frozenset({Role.SUPERVISOR}))
    assert supervisor.sees(3) and not supervisor.reports_for(3)
