"""What a turn names, found or refused: a problem or a case by its id or its code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from bot.telegram.turn import Turn
from storage import cases
from storage import ledger as store
from storage.models import ForwardedCase, LedgerItem
from workflows.messages import msg
from workflows.words import whole_number

Named = TypeVar("Named", LedgerItem, ForwardedCase)


def _named(
    turn: Turn,
    kind: type[Named],
    ref: str,
    by_code: Callable[[Session, str], Named | None],
    unknown: str,
    not_yours: str,
) -> Named | None:
    """A row the speaker may see, by id or code; None, with the message `unknown` or
    `not_yours` said, otherwise."""
    row_id = whole_number(ref)
    row = turn.session.get(kind, row_id) if row_id is not None else by_code(turn.session, ref)
    if row is None:
        turn.refuse(msg(unknown, code=ref))
        return None
    if not turn.actor.sees(row.unit_id):
        turn.refuse(msg(not_yours, code=row.code))
        return None
    return row


def item_for(turn: Turn, ref: str) -> LedgerItem | None:
    """A problem the speaker may see, by id or short id; None (with the reason) otherwise."""
    return _named(turn, LedgerItem, ref, store.item_by_code, "ledger.unknown", "ledger.not_yours")


def case_for(turn: Turn, ref: str) -> ForwardedCase | None:
    """A case the speaker may act on, by id or code; None (with the reason) otherwise."""
    return _named(turn, ForwardedCase, ref, cases.case_by_code, "case.unknown", "case.not_yours")
