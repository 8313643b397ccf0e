"""Loading a campaign: idempotent, updated in place, never losing ledger data."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns
from storage.audit import Stamp
from storage.db import Database
from storage.models import AuditEvent, Campaign, Deadline, LedgerItem, Phase, Unit
from workflows.campaign import FeedbackRule, read_campaign_yaml

T0 = datetime(2024, 2, 1, 1, tzinfo=UTC)


def bazhou(edit: str = "") -> str:
    """The seed-000 template, optionally edited."""
    return (TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8") + edit


def load(db: Database, text: str) -> bool:
    with db.unit_of_work() as s:
        return campaigns.save_campaign(s, read_campaign_yaml(text), Stamp(T0))[1]


def test_loading_twice_changes_nothing(db: Database) -> None:
    assert load(db, bazhou()) is True
    assert load(db, bazhou()) is False
    with db.unit_of_work() as s:
        assert len(s.exec(select(Unit)).all()) == 10
        assert len(s.exec(select(Deadline)).all()) == 4
        assert len(s.exec(select(Phase)).all()) == 4
        assert len(s.exec(select(AuditEvent)).all()) == 1


def test_deadlines_are_stored_in_utc(db: Database) -> None:
    load(db, bazhou())
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None and camp.id is not None
        first = campaigns.deadlines_of(s, camp.id)[0]
    assert (first.deliverable, first.due_at) == ("联络员名单", datetime(2024, 2, 6, 10, tzinfo=UTC))


def test_an_edited_file_updates_in_place_and_keeps_the_ledger(db: Database) -> None:
    load(db, bazhou())
    with db.unit_of_work() as s:
        luntai = s.exec(select(Unit).where(Unit.name == "轮台县")).one()
        s.add(
            LedgerItem(
                unit_id=luntai.id or 0,
                code="轮台-001",
                seq=1,
                name="违规评估",
                created_at=T0,
                updated_at=T0,
            )
        )
    edited = (
        bazhou()
        .replace("轮台县, ", "")
        .replace("库尔勒市,", "库尔勒市, 铁门关市,")
        .replace("5月5日18：00前", "5月6日18：00前")
        .replace("请各县市（开发区）于2月6日18：00前报送联络员名单；", "")
    )
    assert load(db, edited) is True
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None and camp.id is not None
        names = [u.name for u in campaigns.units_of(s, camp.id)]
        assert "铁门关市" in names and "轮台县" not in names
        retired = s.exec(select(Unit).where(Unit.name == "轮台县")).one()
        assert retired.active is False
        assert s.exec(select(LedgerItem)).one().unit_id == retired.id
        due = {d.deliverable: d for d in campaigns.deadlines_of(s, camp.id, include_cancelled=True)}
        assert due["自查自纠阶段总结及相关印证材料"].due_at == datetime(2024, 5, 6, 10, tzinfo=UTC)
        assert due["联络员名单"].cancelled is True
        assert len(s.exec(select(Unit)).all()) == 11


def test_the_most_recently_loaded_campaign_is_the_active_one(db: Database) -> None:
    load(db, bazhou())
    load(db, (TEMPLATES / "jincheng-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None and camp.name.startswith("晋城市")
        assert [w.name for w in campaigns.weekly_reports(camp)] == [
            "工作台账、工作进展表及问题整改表",
            "专项整治工作简报及登记办理台账",
        ]


def test_unit_names_compare_case_and_width_insensitively_on_every_database(db: Database) -> None:
    text = "name: 开发区整治\nyear: 2026\nunits: [Zone A, 乙县]\n"
    text += "deadlines: [{text: '5月5日18:00前报送总结', units: [ZONE A]}]\n"
    assert load(db, text) is True
    with db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        assert camp is not None and camp.id is not None
        zone = campaigns.unit_named(s, camp.id, "zone a")
        assert zone is not None and zone.name == "Zone A"
        assert campaigns.unit_named(s, camp.id, "ＺＯＮＥ　Ａ") is zone  # full-width, as typed
        assert campaigns.deadlines_of(s, camp.id)[0].unit_names == ["Zone A"]
    # the file's spelling changes: the same unit, renamed, its ledger kept
    assert load(db, text.replace("[Zone A, 乙县]", "[zone a, 乙县]")) is True
    with db.unit_of_work() as s:
        assert [u.name for u in s.exec(select(Unit).order_by(Unit.position))] == ["zone a", "乙县"]
        assert s.exec(select(Unit).where(Unit.name == "zone a")).one().id == zone.id


def test_checkpoints_are_kept_and_an_edit_is_a_change(db: Database) -> None:
    load(db, bazhou())
    with db.unit_of_work() as s:
        assert campaigns.checkpoints_of(required_campaign(s)) == []
    assert load(db, bazhou("checkpoints: [{text: 2024年6月, check: 约谈}]\n")) is True
    with db.unit_of_work() as s:
        (point,) = campaigns.checkpoints_of(required_campaign(s))
    assert (point.text, point.day, point.check) == ("2024年6月", date(2024, 6, 30), "约谈")


def required_campaign(s: Session) -> Campaign:
    camp = campaigns.active_campaign(s)
    assert camp is not None
    return camp


def test_the_feedback_rule_reads_back_as_the_file_wrote_it(db: Database) -> None:
    """One dataclass holds the rule and its defaults: a row that says nothing reads as it."""
    custom = (
        "feedback: {working_days: 3, cutoff: '17:30', remind_at: '08:30', "
        "remind_before: 3h, admins_after: 2}\n"
    )
    text = bazhou().replace('feedback: {working_days: 2, cutoff: "18:00"}\n', custom)
    load(db, text)
    with db.unit_of_work() as s:
        assert campaigns.case_rules(required_campaign(s)) == read_campaign_yaml(text).feedback
        bare = Campaign(
            name="旧行动", year=2024, timezone="Asia/Shanghai", loaded_at=T0, updated_at=T0
        )
    assert campaigns.case_rules(bare) == FeedbackRule()
    assert read_campaign_yaml(bazhou()).feedback == FeedbackRule()
