"""The campaign's stored rules (weekly reports, ledger, case rules, cadences, checkpoints) are
parsed once per unit of work, and read again when the campaign is loaded again."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlmodel import Session

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns
from storage.audit import Stamp
from storage.db import Database
from storage.models import Campaign
from workflows.campaign import read_campaign_yaml

T0 = datetime(2024, 2, 1, 1, tzinfo=UTC)
WEEKLY = 'weekly_report: {weekday: 周一, time: "18:00", name: 工作台账}'


def bazhou(weekly: str = WEEKLY) -> str:
    text = (TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8")
    assert WEEKLY in text
    return text.replace(WEEKLY, weekly)


def active(s: Session) -> Campaign:
    camp = campaigns.active_campaign(s)
    assert camp is not None
    return camp


def test_a_unit_of_work_parses_each_stored_rule_once(db: Database) -> None:
    with db.unit_of_work() as s:
        campaigns.save_campaign(s, read_campaign_yaml(bazhou()), Stamp(T0))
    with db.unit_of_work() as s:
        camp = active(s)
        assert campaigns.ledger_spec(camp) is campaigns.ledger_spec(camp)
        assert campaigns.case_rules(camp) is campaigns.case_rules(camp)
        assert campaigns.cadences_of(camp) is campaigns.cadences_of(camp)
        first, again = campaigns.weekly_reports(camp), campaigns.weekly_reports(camp)
        assert first[0] is again[0]
        first.clear()  # a caller's list is its own: the kept reading is not changed
        assert campaigns.weekly_reports(camp)[0] is again[0]
        ledger = campaigns.ledger_spec(camp)
    with db.unit_of_work() as s:  # another unit of work reads the rows afresh
        again_ledger = campaigns.ledger_spec(active(s))
    assert again_ledger == ledger and again_ledger is not ledger


def test_the_campaign_loaded_again_is_read_again_in_the_same_unit_of_work(db: Database) -> None:
    with db.unit_of_work() as s:
        campaigns.save_campaign(s, read_campaign_yaml(bazhou()), Stamp(T0))
        (before,) = campaigns.weekly_reports(active(s))
        later = 'weekly_report: {weekday: 周五, time: "17:00", name: 工作台账}'
        campaigns.save_campaign(s, read_campaign_yaml(bazhou(later)), Stamp(T0))
        (after,) = campaigns.weekly_reports(active(s))
    assert (before.weekday, before.at) == (0, time(18))
    assert (after.weekday, after.at) == (4, time(17))
