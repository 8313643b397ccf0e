"""The ledger's columns are declared once (workflows.problems.ledger.LedgerColumns): the table's row
takes them as its columns, and what a flow or a workbook gives (ItemColumns) is that list."""

from __future__ import annotations

import sqlalchemy as sa

from storage.models import LedgerItem
from workflows.problems.ledger import COLUMNS, ITEM_COLUMNS, ItemColumns, LedgerColumns


def test_the_table_takes_the_ledgers_columns_from_their_one_declaration() -> None:
    assert issubclass(LedgerItem, LedgerColumns)
    table = LedgerItem.__table__  # type: ignore[attr-defined]  # SQLModel sets it
    types = {name: type(table.c[name].type) for name in ITEM_COLUMNS}
    assert types == {
        name: sa.Date if name == "due_on" else type(table.c.code.type) for name in ITEM_COLUMNS
    }
    assert [name for name in ITEM_COLUMNS if table.c[name].nullable] == ["due_on"]


def test_what_a_flow_gives_is_the_ledgers_columns_and_the_campaigns_fields() -> None:
    assert list(ItemColumns.model_fields) == [*ITEM_COLUMNS, "extra", "given"]
    assert COLUMNS == ("name", "summary", "category", "measures", "due_on", "lead", "remarks")
    assert (*COLUMNS, "source") == ITEM_COLUMNS
