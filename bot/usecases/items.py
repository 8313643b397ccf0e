"""The ledger's items: a new problem added to a unit's ledger, from a flow's answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.usecases.act import Act
from storage import campaigns
from storage import ledger as store
from storage.models import LedgerItem, Unit
from workflows.guards import required
from workflows.ledger import item_columns


def add_item(act: Act, unit: Unit, values: Mapping[str, Any], prefix: str = "") -> LedgerItem:
    """A new problem in the unit's ledger, its columns read from `values` (under `prefix`)."""
    camp = required(act.campaign, "the active campaign")
    given = item_columns(values, campaigns.ledger_spec(camp), prefix)
    return store.create_item(act.session, unit, given, act.stamp)
