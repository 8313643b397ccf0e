"""A ledger's import confirmed in the chat, found again by the runner that saves it, and
dropped when its file or ledger changed, through the use cases, on a real database and without
Telegram."""

from __future__ import annotations

from datetime import timedelta

from bot.usecases.imports import claim_save, drop_stale_import, import_to_save, save_import_batch
from bot.usecases.uploads import waiting_week
from storage import uploads
from storage.audit import Stamp
from storage.db import Database
from storage.models import saved_id
from tests.usecases.acting import NOW, world

ADMIN, CHAT = 1, 1


def test_a_confirmed_import_is_its_runners_alone_and_a_stale_one_is_dropped(
    db: Database,
) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        row = uploads.save_upload(
            s,
            kind="ledger",
            chat_id=CHAT,
            user_id=ADMIN,
            unit_id=saved_id(w.unit),
            file={"file_id": "f1", "name": "台账.xlsx", "digest": "ab"},
            state={"new": 0, "changed": 0},
            at=NOW,
        )
        assert waiting_week(s, CHAT, ADMIN) is None  # a ledger waits, not a week
        assert import_to_save(s, w.campaign, saved_id(row), "mine") is None  # not confirmed
        assert claim_save(s, row, "mine", NOW)
        assert not claim_save(s, row, "theirs", NOW + timedelta(seconds=1))  # at work already
        found = import_to_save(s, w.campaign, saved_id(row), "mine")
        assert found is not None and found.upload is row and found.progress.done == 0
        assert import_to_save(s, w.campaign, saved_id(row), "theirs") is None
        assert drop_stale_import(s, saved_id(row), "theirs", NOW) is None  # not theirs to drop
        dropped = drop_stale_import(s, saved_id(row), "mine", NOW)
        assert dropped is not None and dropped[0] == "台账.xlsx" and row.status == uploads.CANCELLED
        assert import_to_save(s, w.campaign, saved_id(row), "mine") is None


def test_the_last_batch_says_the_imports_unit(db: Database) -> None:
    with db.unit_of_work() as s:
        w = world(s)
        row = uploads.save_upload(
            s,
            kind="ledger",
            chat_id=CHAT,
            user_id=ADMIN,
            unit_id=saved_id(w.unit),
            file={"name": "空.xlsx"},
            state={},
            at=NOW,
        )
        assert claim_save(s, row, "mine", NOW)
        assert save_import_batch(s, saved_id(row), "theirs", [], Stamp(NOW), {}) is None
        saved = save_import_batch(s, saved_id(row), "mine", [], Stamp(NOW), {"file": "空.xlsx"})
        assert saved is not None and saved[1] == "轮台县" and row.status == uploads.SAVED
