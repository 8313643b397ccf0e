"""已阅 on a notice through the use case, on a real database and without Telegram."""

from __future__ import annotations

from bot.usecases.notices import mark_read
from storage import notices
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import NOW, said, world
from workflows.outcome import Refused
from workflows.people.roles import Role


def test_a_notice_is_read_once_per_unit_by_its_liaisons_only(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        unit = saved_id(w.unit)
        row = notices.add_notice(
            s,
            w.act(1).stamp,
            campaign_id=saved_id(w.campaign),
            kind="notice",
            text="请",
            units=[unit],
        )
        nid = saved_id(row)
        admin = w.act(1)
        refused = mark_read(admin, nid, w.unit)  # an admin of no unit does not read for it
        assert isinstance(refused, Refused) and refused.reason.id == "notices.only_unit"
        elsewhere = mark_read(admin, nid, w.unit_named("尉犁县"))
        assert isinstance(elsewhere, Refused) and elsewhere.reason.id == "notices.not_unit_chat"
        gone = mark_read(admin, 10_000, w.unit)
        assert isinstance(gone, Refused) and gone.reason.id == "form.stale_button"
        assert notices.receipt_of(s, nid, unit) is None

        li = w.act(2, roles=(Role.LIAISON,), units=[unit])
        first = mark_read(li, nid, w.unit)
        assert not isinstance(first, Refused) and first.id == "notices.read_ok"
        assert "轮台县" in said(li, first)
        other = w.act(3, roles=(Role.LIAISON,), units=[unit], at=NOW.replace(hour=5))
        second = mark_read(other, nid, w.unit)  # recorded once: who read it, and when
        assert not isinstance(second, Refused) and second.id == "notices.read_before"
        receipt = notices.receipt_of(s, nid, unit)
        assert receipt is not None and receipt.at == NOW
