"""A unit with more items than SQLite takes variables in one statement (250,000 in 3.40)
still has its list."""

from __future__ import annotations

from storage import ledger
from storage.db import Database


def test_the_latest_progress_of_a_quarter_million_items_is_one_query_a_batch(db: Database) -> None:
    with db.unit_of_work() as s:
        assert ledger.last_progress(s, list(range(1, 250_002))) == {}  # was: too many SQL variables
