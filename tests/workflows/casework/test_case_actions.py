"""What a unit may still do on a forwarded case, and who may do it."""

from __future__ import annotations

from workflows.casework.cases import may_handle, still_to_do
from workflows.forms.buttons import Verb
from workflows.people.roles import Actor, Role

LIAISON = Actor(3, frozenset({Role.LIAISON}), frozenset({10}))
OTHER_LIAISON = Actor(4, frozenset({Role.LIAISON}), frozenset({11}))
SUPERVISOR = Actor(2, frozenset({Role.SUPERVISOR}))
ADMIN = Actor(1, frozenset({Role.ADMIN}))


def test_a_new_case_offers_signing_feedback_and_an_extension() -> None:
    assert still_to_do(signed=False, answered=False) == (Verb.SIGN, Verb.FB, Verb.EXT)


def test_a_signed_case_no_longer_offers_signing() -> None:
    assert still_to_do(signed=True, answered=False) == (Verb.FB, Verb.EXT)


def test_an_answered_case_offers_nothing() -> None:
    assert still_to_do(signed=True, answered=True) == ()
    assert still_to_do(signed=False, answered=True) == ()


def test_the_units_liaison_and_an_admin_may_handle_an_open_case() -> None:
    assert may_handle(LIAISON, 10, code="ZB-0001", answered=False) is None
    assert may_handle(ADMIN, 10, code="ZB-0001", answered=False) is None


def test_another_units_liaison_and_a_supervisor_are_told_who_handles_it() -> None:
    for actor in (OTHER_LIAISON, SUPERVISOR):
        refused = may_handle(actor, 10, code="ZB-0001", answered=False)
        assert refused is not None
        assert (refused.reason.id, refused.reason.params) == (
            "case.liaison_only",
            {"code": "ZB-0001"},
        )


def test_an_answered_case_is_refused_as_answered() -> None:
    refused = may_handle(LIAISON, 10, code="ZB-0002", answered=True)
    assert refused is not None and refused.reason.id == "case.already_answered"
