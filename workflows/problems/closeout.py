"""Close-out (销号): a liaison asks for it with result and evidence; a supervisor decides.

Each use case reads the item as it stands and returns what to change, the progress to record
and the messages to plan, or `Refused` with the reason to say. Nothing here touches the
database; the handler saves the decision and puts the messages in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from workflows import keys
from workflows.json_read import json_object_of
from workflows.messages import Msg, lines, msg
from workflows.outcome import Notice, Refused
from workflows.problems.evidence import file_label
from workflows.problems.ledger import ItemChanges, Progress, Status, status_msg
from workflows.week.weekly import DONE

CLOSEOUT_APPROVED = "closeout.approved"  # the decisions, as written down
CLOSEOUT_REJECTED = "closeout.rejected"


@dataclass(frozen=True)
class CloseoutItem:
    """A ledger item as a close-out decision reads it."""

    id: int
    code: str
    name: str
    status: str
    version: int
    ask_id: int | None = None  # the close-out ask awaiting a decision, if one is


@dataclass(frozen=True)
class CloseoutDecision:
    """What to change on the item (under `expected_version`), what to record, what to say."""

    action: str  # the audit log's name for the change
    expected_version: int | None
    changes: ItemChanges
    said: Msg
    progress: Progress | None = None
    to_unit: Notice | None = None  # to the unit's groups
    to_supervisors: Notice | None = None  # to the supervisors' chats, with the decision buttons
    decided: str = ""  # a supervisor's decision to write down (`storage.decisions`), if one
    reason: str = ""  # why, for a 不同意


def closeout_request(
    item: CloseoutItem,
    *,
    unit: str,
    result: str,
    files: Sequence[Mapping[str, object]],
    flags: Sequence[Msg] = (),
) -> Notice:
    """The ask to the supervisors: once per version of the item, so a new ask is a new message.
    Each file is named with its receipt and short hash; `flags` (`evidence.reuse_flags`) follow."""
    text = msg(
        "closeout.request",
        unit=unit,
        code=item.code,
        name=item.name,
        result=result,
        files=[file_label(f) for f in files] or msg("missing.none"),
    )
    if flags:
        text = lines([text, *flags])
    return Notice(keys.item_closeout(item.id, item.version), "item.closeout", text)


def may_ask_closeout(item: CloseoutItem, *, reports_for_unit: bool) -> Refused | None:
    """Only the unit's liaison asks, and only for an open item (not one already closing)."""
    if not reports_for_unit:
        return Refused(msg("ledger.not_yours", code=item.code))
    if item.status != Status.OPEN:
        return Refused(msg("close.not_open", code=item.code, status=status_msg(item.status)))
    return None


def asked(
    *, result: str, files: Sequence[Mapping[str, object]], week_of: date, text: str = ""
) -> tuple[ItemChanges, Progress]:
    """What asking for a close-out does, whether by `/close` or in the weekly update: the item
    waits for approval (已完成待销号), its result and evidence recorded as the week's progress."""
    kept = tuple(json_object_of(f) for f in files)
    progress = Progress(DONE, week_of, text=text, result=result, files=kept)
    return ItemChanges(status=Status.CLOSING), progress


def ask_closeout(
    item: CloseoutItem,
    *,
    expected_version: int,
    result: str,
    files: Sequence[Mapping[str, object]],
    week_of: date,
) -> CloseoutDecision:
    """`/close`: the item waits for approval, its result recorded as this week's progress."""
    changes, progress = asked(result=result, files=files, week_of=week_of)
    return CloseoutDecision(
        action="item.closeout_asked",
        expected_version=expected_version,
        changes=changes,
        said=msg("close.sent", code=item.code),
        progress=progress,
    )


def already_decided(item: CloseoutItem) -> Refused:
    """The item is no longer waiting for a decision: say what it is now."""
    return Refused(msg("closeout.decided", code=item.code, status=status_msg(item.status)))


def _not_waiting(item: CloseoutItem, asked: int | None) -> Refused | None:
    """Why a decision on the ask `asked` cannot be made now: the item was decided, or it was
    asked again since (a rejected ask's buttons must not approve the new evidence)."""
    if item.status != Status.CLOSING:
        return already_decided(item)
    if asked is not None and item.ask_id is not None and asked != item.ask_id:
        return Refused(msg("closeout.superseded", code=item.code))
    return None  # `asked` None: a button sent before buttons named their ask


def approve_closeout(
    item: CloseoutItem, *, asked: int | None, at: datetime
) -> CloseoutDecision | Refused:
    """同意 on the ask `asked`: the item is closed now and its unit told, if that ask still
    waits for a decision."""
    refused = _not_waiting(item, asked)
    if refused is not None:
        return refused
    text = msg("closeout.approved", code=item.code, name=item.name, at=at)
    return CloseoutDecision(
        action="item.closed",
        expected_version=None,  # the database still refuses a second decision at the same moment
        changes=ItemChanges(status=Status.CLOSED, closed_at=at),
        said=text,
        to_unit=Notice(keys.item_closed(item.id), "item.decision", text),
        decided=CLOSEOUT_APPROVED,
    )


def may_reject_closeout(item: CloseoutItem, *, asked: int | None) -> Refused | None:
    """不同意 opens the reason step only while the ask `asked` still waits for a decision."""
    return _not_waiting(item, asked)


def reject_closeout(
    item: CloseoutItem,
    *,
    asked: int | None,
    expected_version: int | None,
    reason: str,
) -> CloseoutDecision | Refused:
    """不同意 with a reason: the item is open again, the reason recorded and sent to the unit.

    The reason step was opened on the ask `asked`; a step opened before buttons named their
    ask holds the item's `expected_version` at the press instead.
    """
    refused = _not_waiting(item, asked)
    if refused is not None:
        return refused
    if asked is not None:
        expected_version = None  # the ask decides; an edit of the item meanwhile does not
    elif expected_version is not None and item.version != expected_version:
        return already_decided(item)  # decided by someone else since 不同意 was pressed
    text = msg("closeout.rejected", code=item.code, name=item.name, reason=reason)
    return CloseoutDecision(
        action="item.closeout_rejected",
        expected_version=expected_version,
        changes=ItemChanges(status=Status.OPEN),
        said=text,
        # the reason is the decision's, written down with it: not the problem's progress
        decided=CLOSEOUT_REJECTED,
        reason=reason,
        # the saved change moves the item's version on by one; the message names that version
        to_unit=Notice(keys.item_rejected(item.id, item.version + 1), "item.decision", text),
    )
