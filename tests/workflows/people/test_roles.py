"""Who may use which command and press which button (each declared once, with its rule), and
for whom a person acts."""

from __future__ import annotations

import pytest

from workflows.forms.buttons import ID, LEGACY, PRESSES, SHAPES, PressDeclaration, Verb, shapes
from workflows.messages import Msg, msg
from workflows.people.roles import (
    BY_NAME,
    COMMANDS,
    REPORTERS,
    STAFF,
    Actor,
    CommandDeclaration,
    CommandName,
    NotActing,
    Press,
    Role,
    Scope,
    Where,
)

ADMIN = Actor(1, frozenset({Role.ADMIN}))
SUPERVISOR = Actor(2, frozenset({Role.SUPERVISOR}))
LIAISON = Actor(3, frozenset({Role.LIAISON}), frozenset({10}))
NOBODY = Actor(4)


def may_press(actor: Actor, verb: Verb) -> bool:
    return verb.rule.allows(actor)


def refusal(verb: Verb, unit: str | None = None) -> Msg:
    return verb.rule.refused(unit)


def test_the_permission_tables_are_what_each_verb_and_command_declares() -> None:
    assert list(PRESSES) == list(Verb) and list(SHAPES) == list(Verb)
    assert all(PRESSES[v] is v.rule and SHAPES[v] is v.shape for v in Verb)
    assert [c.name for c in COMMANDS] == [c.value for c in CommandName]
    assert all((BY_NAME[c].roles, BY_NAME[c].where) == (c.roles, c.where) for c in CommandName)
    # spot checks against the declarations as written
    assert PRESSES[Verb.CO_OK] == Press(STAFF, msg("closeout.staff_only"), Scope.VISIBLE)
    assert SHAPES[Verb.CO_OK] == (int, int) and shapes(Verb.CO_OK) == (
        (int, int),
        *LEGACY[Verb.CO_OK],
    )
    assert BY_NAME["register"].where == Where.GROUP and BY_NAME["help"].roles is None


def test_a_verb_declared_without_a_role_rule_or_a_shape_fails_at_import() -> None:
    rule = Press(REPORTERS, msg("form.not_yours"))
    with pytest.raises(TypeError, match="button lost"):

        class Lost(PressDeclaration):  # a rule forgotten: the shape taken for it
            LOST = "lost", ID

    with pytest.raises(TypeError, match="button odd: its role rule"):

        class Odd(PressDeclaration):  # the roles alone are no rule: no refusal to show
            ODD = "odd", ID, REPORTERS  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="button shapeless"):

        class Shapeless(PressDeclaration):
            SHAPELESS = "shapeless", (), rule

    class Fine(PressDeclaration):
        FINE = "fine", ID, rule

    assert Fine.FINE.rule is rule and Fine.FINE == "fine"


def test_a_command_declared_without_a_role_rule_fails_at_import() -> None:
    with pytest.raises(TypeError, match="/lost: its role rule"):

        class Lost(CommandDeclaration):
            LOST = "lost"


@pytest.mark.parametrize("verb", [Verb.CO_OK, Verb.CO_NO])
def test_close_outs_are_decided_by_supervisors_and_admins_only(verb: Verb) -> None:
    assert may_press(SUPERVISOR, verb) and may_press(ADMIN, verb)
    assert not may_press(LIAISON, verb) and not may_press(NOBODY, verb)
    assert refusal(verb).id == "closeout.staff_only"


@pytest.mark.parametrize("verb", [Verb.EXT_OK, Verb.EXT_NO])
def test_extensions_are_granted_by_supervisors_and_admins_only(verb: Verb) -> None:
    assert may_press(SUPERVISOR, verb) and may_press(ADMIN, verb)
    assert not may_press(LIAISON, verb) and not may_press(NOBODY, verb)
    assert refusal(verb).id == "case.staff_only"


@pytest.mark.parametrize("verb", [Verb.SIGN, Verb.FB, Verb.EXT])
def test_a_case_is_handled_by_liaisons_and_the_refusal_says_so(verb: Verb) -> None:
    assert may_press(LIAISON, verb) and may_press(ADMIN, verb)
    assert not may_press(SUPERVISOR, verb)
    assert refusal(verb).id == "case.liaisons_only"


@pytest.mark.parametrize("verb", [Verb.DL_EDIT, Verb.DL_CANCEL])
def test_deadlines_are_changed_by_admins_only(verb: Verb) -> None:
    assert may_press(ADMIN, verb)
    assert not may_press(SUPERVISOR, verb) and not may_press(LIAISON, verb)
    assert refusal(verb).id == "command.denied"


@pytest.mark.parametrize(
    "verb", [v for v, p in PRESSES.items() if p.scope in (Scope.UNIT, Scope.OWNER)]
)
def test_a_units_buttons_pass_liaisons_on_to_the_handler_and_stop_others(verb: Verb) -> None:
    # the gate lets any liaison (or admin) by; the handler checks it is this unit's
    assert may_press(LIAISON, verb) and may_press(ADMIN, verb)
    assert not may_press(SUPERVISOR, verb) and not may_press(NOBODY, verb)


@pytest.mark.parametrize("verb", [Verb.ITEMS, Verb.ITEM])
def test_lists_are_for_everyone_with_a_role(verb: Verb) -> None:
    assert all(may_press(a, verb) for a in (ADMIN, SUPERVISOR, LIAISON))
    assert not may_press(NOBODY, verb)


@pytest.mark.parametrize("verb", list(Verb))
def test_a_person_without_a_role_may_press_nothing(verb: Verb) -> None:
    assert not may_press(NOBODY, verb)


@pytest.mark.parametrize("verb", [Verb.SUBMIT, Verb.WEEKLY, Verb.WFORM, Verb.WPRIV])
def test_a_units_reporting_buttons_say_whose_they_are_in_its_chat(verb: Verb) -> None:
    assert refusal(verb, "轮台县") == msg("submit.not_liaison", unit="轮台县")
    assert refusal(verb) == msg("form.not_yours")


def test_the_whole_campaign_is_shown_to_staff_except_in_a_units_group() -> None:
    for staff in (ADMIN, SUPERVISOR):
        assert staff.sees_whole_campaign(in_unit_chat=False)
        assert not staff.sees_whole_campaign(in_unit_chat=True)
    for other in (LIAISON, NOBODY):
        assert not other.sees_whole_campaign(in_unit_chat=False)


@pytest.mark.parametrize(
    ("roles", "units", "chat_unit", "acts_for"),
    [
        ({Role.LIAISON}, {7}, 7, 7),  # in the unit's group
        ({Role.LIAISON}, {7}, None, 7),  # in private, their only unit
        ({Role.LIAISON}, {7, 8}, None, NotActing("submit.no_unit")),  # two units: which?
        ({Role.LIAISON}, {7}, 8, NotActing("submit.not_liaison", 8)),  # another unit's group
        ({Role.SUPERVISOR}, set(), 8, NotActing("submit.not_liaison", 8)),  # staff, not a liaison
        ({Role.SUPERVISOR}, set(), None, NotActing("submit.no_unit")),
        ({Role.ADMIN}, set(), 8, 8),  # an admin acts for any unit
        ({Role.ADMIN}, set(), None, None),  # and picks one where none is given
    ],
)
def test_for_whom_a_person_acts_in_a_chat(
    roles: set[Role], units: set[int], chat_unit: int | None, acts_for: object
) -> None:
    actor = Actor(1, frozenset(roles), frozenset(units))
    assert actor.acting_for(chat_unit=chat_unit, has_campaign=True) == acts_for


def test_nobody_acts_for_a_unit_before_a_campaign_is_loaded() -> None:
    admin = Actor(1, frozenset({Role.ADMIN}))
    assert admin.acting_for(chat_unit=8, has_campaign=False) == NotActing("bind.no_campaign")
