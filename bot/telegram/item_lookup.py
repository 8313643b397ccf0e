"""What a turn names, found or refused: an item by its id or short id."""

from __future__ import annotations

from bot.telegram.turn import Turn
from storage import ledger as store
from storage.models import LedgerItem
from workflows.messages import msg
from workflows.words import whole_number


def item_for(turn: Turn, ref: str) -> LedgerItem | None:
    """An item the speaker may see, by id or short id; None (with the reason) otherwise."""
    row_id = whole_number(ref)
    item = (
        turn.session.get(LedgerItem, row_id)
        if row_id is not None
        else store.item_by_code(turn.session, ref)
    )
    if item is None:
        turn.refuse(msg("ledger.unknown", code=ref))
        return None
    if not turn.actor.sees(item.unit_id):
        turn.refuse(msg("ledger.not_yours", code=item.code))
        return None
    return item
