"""已阅 is written once per notice and unit: two liaisons of one unit pressing at the same
moment leave one receipt, and the second press's unit of work goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns, notices
from storage.audit import Stamp
from storage.db import Database
from storage.models import NoticeReceipt
from workflows.campaign import read_campaign_yaml

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # Monday 6 May 2024, 10:00 in Beijing


def test_two_liaisons_of_one_unit_pressing_at_once_leave_one_receipt(db: Database) -> None:
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW))
        units = [u.id or 0 for u in campaigns.units_of(s, camp.id or 0)]
        notice = notices.add_notice(
            s, Stamp(NOW, 1), campaign_id=camp.id or 0, kind="notice", text="开会", units=units
        )
        nid = notice.id or 0
    later = NOW + timedelta(minutes=5)
    with db.unit_of_work() as slow:
        assert notices.receipt_of(slow, nid, units[0]) is None  # read before the other's press
        with db.unit_of_work() as fast:
            assert notices.record_receipt(fast, Stamp(NOW, 11), notice_id=nid, unit_id=units[0])
        assert not notices.record_receipt(slow, Stamp(later, 12), notice_id=nid, unit_id=units[0])
        assert notices.record_receipt(slow, Stamp(later, 12), notice_id=nid, unit_id=units[1])
    with db.unit_of_work() as s:
        rows = s.exec(select(NoticeReceipt).order_by(NoticeReceipt.id))
        assert [(r.unit_id, r.by_user_id) for r in rows] == [(units[0], 11), (units[1], 12)]
        ((_, state),) = notices.recent_notices(s, camp.id or 0, since=NOW)
        assert state.unread == tuple(units[2:])
