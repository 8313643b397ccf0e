"""Setting up a group and its people (/bind, /role, /lang) through the use cases, on a real
database and without Telegram."""

from __future__ import annotations

from bot.usecases.setup import Someone, assign_role, bind_chat, choose_language
from storage import chats, people
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import said, world
from workflows.outcome import Refused
from workflows.people.binding import SUPERVISORS
from workflows.people.roles import Role

ADMIN, LIAISON = 1, 2
GROUP, OTHER = -1001, -1002


def test_a_group_is_bound_to_a_unit_or_to_the_supervisors_and_an_unknown_name_is_refused(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        group = chats.ensure_chat(s, chat_id=GROUP, kind="supergroup", title="轮台县群")
        act = w.act(ADMIN)
        refused = bind_chat(act, group, "没有这个县")
        assert isinstance(refused, Refused) and "没有这个县" in said(act, refused.reason)
        assert group.unit_id is None
        done = bind_chat(act, group, "轮台县")
        assert not isinstance(done, Refused) and "轮台县" in said(act, done)
        assert group.unit_id == saved_id(w.unit)
        supervisors = chats.ensure_chat(s, chat_id=OTHER, kind="group", title="专班")
        assert not isinstance(bind_chat(act, supervisors, SUPERVISORS), Refused)
        assert supervisors.supervisors and supervisors.unit_id is None
        nothing = bind_chat(w.act(ADMIN, campaign=None), supervisors, "轮台县")
        assert isinstance(nothing, Refused) and supervisors.unit_id is None


def test_a_role_is_given_by_id_by_reply_or_by_name_and_never_to_oneself(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        act = w.act(ADMIN)
        # by user id, a liaison of the unit named after the role
        done = assign_role(act, None, [str(LIAISON), "liaison", "尉犁县"], None)
        assert not isinstance(done, Refused) and "尉犁县" in said(act, done)
        yuli = w.unit_named("尉犁县")
        assert people.actor_of(s, LIAISON).units == {saved_id(yuli)}
        # as a reply, in a unit's group: a liaison of this group's unit
        replied = Someone(3, "wang", "王五")
        assert not isinstance(assign_role(act, replied, ["联络员"], w.unit), Refused)
        assert people.actor_of(s, 3).units == {saved_id(w.unit)}
        # a supervisor needs no unit; none takes every role away
        assert not isinstance(assign_role(act, None, ["3", "supervisor"], None), Refused)
        assert people.actor_of(s, 3).roles == {Role.SUPERVISOR}
        assert not isinstance(assign_role(act, None, ["3", "none"], None), Refused)
        assert people.actor_of(s, 3).roles == frozenset()
        # refused, nothing written: a liaison with no unit, an unknown name, oneself
        for args, unit_here, word in (
            (["4", "liaison"], None, "role.needs_unit"),
            (["4", "liaison", "无此县"], w.unit, "bind.unknown_unit"),
            (["@nobody", "admin"], None, "role.who"),
            ([str(ADMIN), "none"], None, "role.not_self"),
            (["4", "king"], None, "role.usage"),
            ([], None, "role.usage"),
        ):
            refused = assign_role(act, None, args, unit_here)
            assert isinstance(refused, Refused) and refused.reason.id == word, args
        assert people.actor_of(s, 4).roles == frozenset()
        assert people.actor_of(s, ADMIN, admin_ids=[ADMIN]).is_admin


def test_a_groups_language_is_its_own_and_a_persons_is_for_their_private_chat(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        group = chats.ensure_chat(s, chat_id=GROUP, kind="supergroup", title="轮台县群")
        chats.bind(s, group, saved_id(w.unit), w.act(ADMIN).stamp)
        known = ("zh_CN", "en")
        stranger = w.act(9, roles=())
        refused = choose_language(stranger, "en", known, group=group)
        assert isinstance(refused, Refused) and refused.reason.id == "lang.group_denied"
        assert group.lang is None
        liaison = w.act(LIAISON, roles=(Role.LIAISON,), units=[saved_id(w.unit)])
        assert not isinstance(choose_language(liaison, "English", known, group=group), Refused)
        assert group.lang == "en"
        assert not isinstance(choose_language(stranger, "中文", known, group=None), Refused)
        assert w.person(9).lang == "zh_CN"
        unknown = choose_language(stranger, "klingon", known, group=None)
        assert isinstance(unknown, Refused) and unknown.reason.id == "lang.usage"
