"""Chat files kept without a hash: one fetch per Telegram file, its hash filled into every
row and progress that names it, once; a failed fetch waits longer each time, then is given up."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from bot.serve.campaign_file import TEMPLATES
from storage import campaigns, ledger
from storage import evidence as kept
from storage.audit import Stamp
from storage.db import Database
from storage.models import Evidence, LedgerItem, ProgressUpdate, Unit, saved_id
from workflows.campaign import read_campaign_yaml
from workflows.problems.evidence import FETCH_LIMIT, fingerprint_of
from workflows.problems.ledger import Progress

NOW = datetime(2024, 5, 4, 2, 0, tzinfo=UTC)


def _file(file_id: str, unique_id: str, size: int = 1000) -> dict[str, object]:
    """A chat file as a form keeps it before its bytes are fetched."""
    return {
        "file_id": file_id,
        "unique_id": unique_id,
        "name": "现场.jpg",
        "mime": "image/jpeg",
        "size": size,
        "media": "document",
        "received_at": NOW.isoformat(),
    }


def _world(db: Database) -> None:
    """Two problems of 轮台县, each with a week's progress naming chat files: the same
    Telegram file for both, and one over 20 MB."""
    text = (TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8")
    with db.unit_of_work() as s:
        campaigns.save_campaign(s, read_campaign_yaml(text), Stamp(NOW))
        luntai = s.exec(select(Unit).where(Unit.name == "轮台县")).one()
        for n, files in enumerate(
            ([_file("F1", "U1")], [_file("F2", "U1"), _file("F3", "U3", FETCH_LIMIT + 1)]), 1
        ):
            item = LedgerItem(
                unit_id=saved_id(luntai),
                code=f"轮台-00{n}",
                seq=n,
                name="问题",
                created_at=NOW,
                updated_at=NOW,
            )
            s.add(item)
            s.flush()
            week = Progress("plan", date(2024, 4, 29), text="推进中", files=tuple(files))
            ledger.add_progress(s, item, week, Stamp(NOW))


def test_one_fetch_fills_every_row_of_the_same_file_once(db: Database) -> None:
    _world(db)
    with db.unit_of_work() as s:
        due = kept.unhashed(s, NOW, 8)
        # the same Telegram file (U1) kept twice is fetched once; the big one never
        assert [(ev.file_id, ev.unique_id) for ev in due] == [("F1", "U1")]
    content = b"\xff\xd8 the same bytes"
    proof = fingerprint_of(content)
    with db.unit_of_work() as s:
        assert kept.fill_hash(s, "F1", "U1", proof) == 2
    with db.unit_of_work() as s:
        assert kept.fill_hash(s, "F1", "U1", proof) == 0  # again: nothing to do
        sha = hashlib.sha256(content).hexdigest()
        rows = {ev.file_id: ev.sha256 for ev in s.exec(select(Evidence))}
        assert rows == {"F1": sha, "F2": sha, "F3": ""}
        files = [f for p in s.exec(select(ProgressUpdate)) for f in p.files]
        assert {f["file_id"]: f.get("sha256", "") for f in files} == rows
        assert kept.unhashed(s, NOW, 8) == []


def test_a_failed_fetch_waits_longer_each_time_then_is_given_up(db: Database) -> None:
    _world(db)
    now = NOW
    for tries in range(1, kept.HASH_GIVE_UP + 1):
        with db.unit_of_work() as s:
            assert [ev.unique_id for ev in kept.unhashed(s, now, 8)] == ["U1"], tries
            kept.hash_failed(s, "F1", "U1", now)
        wait = timedelta(minutes=2**tries)
        with db.unit_of_work() as s:  # not due again before its wait: 2, 4, 8… minutes
            assert kept.unhashed(s, now + wait - timedelta(seconds=1), 8) == []
        now += wait
    with db.unit_of_work() as s:
        assert kept.unhashed(s, now + timedelta(days=30), 8) == []  # given up
        tries = {ev.file_id: ev.hash_tries for ev in s.exec(select(Evidence))}
        assert tries == {"F1": kept.HASH_GIVE_UP, "F2": kept.HASH_GIVE_UP, "F3": 0}
