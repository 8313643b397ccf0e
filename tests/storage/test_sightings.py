"""Who was seen in which group, and where the supervisors hear because of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from storage import campaigns, chats, people, planning, sightings, turn_start
from storage.audit import Stamp
from storage.db import Database
from storage.models import Chat, Sighting, saved_id
from workflows.campaign import read_campaign_yaml
from workflows.people.roles import Role

NOW = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
GROUP, COUNTY = -100900, -100101  # the supervisors' group, a county's group
ZHANG, LI, ADMIN = 8201, 8202, 900001
CAMPAIGN = "name: 测试专项整治\nyear: 2024\nunits: [轮台县]\n"


def setting_up(s: Session) -> None:
    """Two supervisors; the supervisors' group and a group not bound as it."""
    for user_id in (ZHANG, LI):
        person = people.touch_person(
            s, user_id=user_id, username=None, display_name=str(user_id), stamp=Stamp(NOW)
        )
        people.set_role(s, person, Role.SUPERVISOR, None, Stamp(NOW, ADMIN))
    group = chats.ensure_chat(s, chat_id=GROUP, kind="supergroup", title="专班群")
    chats.bind_supervisors(s, group, Stamp(NOW, ADMIN))
    chats.ensure_chat(s, chat_id=COUNTY, kind="supergroup", title="轮台县联络群")


def rows(s: Session) -> list[tuple[int, int, datetime]]:
    found = s.exec(select(Sighting.chat_id, Sighting.user_id, Sighting.seen_at))
    return sorted(found)


def test_a_person_is_recorded_once_per_group_from_first_sight(db: Database) -> None:
    with db.unit_of_work() as s:
        sightings.saw(s, GROUP, [ZHANG, ZHANG], NOW)
        sightings.saw(s, COUNTY, [ZHANG], NOW)
    with db.unit_of_work() as s:
        sightings.saw(s, GROUP, [ZHANG, LI], NOW + timedelta(days=1))
        assert rows(s) == [
            (GROUP, ZHANG, NOW),
            (GROUP, LI, NOW + timedelta(days=1)),
            (COUNTY, ZHANG, NOW),
        ]
        sightings.left(s, GROUP, ZHANG)
        assert rows(s) == [(GROUP, LI, NOW + timedelta(days=1)), (COUNTY, ZHANG, NOW)]


def test_a_supervisor_seen_in_the_supervisors_group_hears_there_only(db: Database) -> None:
    with db.unit_of_work() as s:
        setting_up(s)
        assert planning.supervisor_chats(s) == [ZHANG, LI, GROUP]
        sightings.saw(s, GROUP, [ZHANG], NOW)
        sightings.saw(s, COUNTY, [LI], NOW)  # seen elsewhere: still told in private
        assert planning.supervisor_chats(s) == [LI, GROUP]
        # the case's forwarder, an admin not seen in the group, hears in private as well
        assert planning.staff_chats(s, [ADMIN]) == [ADMIN, GROUP]
        assert planning.staff_chats(s, [ZHANG]) == [GROUP]


def test_back_to_private_when_the_group_is_no_longer_theirs(db: Database) -> None:
    with db.unit_of_work() as s:
        setting_up(s)
        sightings.saw(s, GROUP, [ZHANG, LI], NOW)
        assert planning.supervisor_chats(s) == [GROUP]
        sightings.forget_chat(s, GROUP)  # the bot was removed from it
        assert planning.supervisor_chats(s) == [ZHANG, LI, GROUP]
        sightings.saw(s, GROUP, [ZHANG, LI], NOW)
        camp, _ = campaigns.save_campaign(s, read_campaign_yaml(CAMPAIGN), Stamp(NOW))
        unit = campaigns.unit_named(s, saved_id(camp), "轮台县")
        group = chats.chat_by_id(s, GROUP)
        assert group is not None and unit is not None
        chats.bind(s, group, saved_id(unit), Stamp(NOW, ADMIN))  # rebound as a county's group
        assert planning.supervisor_chats(s) == [ZHANG, LI]


def test_a_group_upgraded_to_a_supergroup_keeps_who_was_seen(db: Database) -> None:
    old, new = -900, -100900900
    with db.unit_of_work() as s:
        s.add(Chat(chat_id=old, kind="group", title="专班群", supervisors=True))
        sightings.saw(s, old, [ZHANG, LI], NOW)
        sightings.saw(s, new, [LI], NOW + timedelta(minutes=1))  # spoke in the new one first
    with db.unit_of_work() as s:
        chats.migrate_chat(s, old, new)
    with db.unit_of_work() as s:
        assert rows(s) == [(new, ZHANG, NOW), (new, LI, NOW + timedelta(minutes=1))]
        assert planning.supervisor_chats(s) == [new]


def test_a_turn_reads_whether_its_speaker_was_seen_in_its_chat(db: Database) -> None:
    with db.unit_of_work() as s:
        setting_up(s)
        first = turn_start.seen(s, GROUP, ZHANG)
        assert first is not None and not first.sighted
        sightings.saw(s, GROUP, [ZHANG], NOW)
        again = turn_start.seen(s, GROUP, ZHANG)
        assert again is not None and again.sighted and len(again.grants) == 1
        elsewhere = turn_start.seen(s, COUNTY, ZHANG)
        assert elsewhere is not None and not elsewhere.sighted
