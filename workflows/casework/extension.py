"""Extension (申请延期) of a forwarded case: the unit asks for more time, a supervisor decides.

The request waits in the case's fields (`extension`, with every decided one kept in
`extensions`); one request at a time. An approved extension moves the case's due time to the
time asked for, which must be later than the due time (the form, `cases.EXTENSION`, says so
as it is typed).
Nothing here touches the database: the handler saves the fields and puts the messages in the
outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from workflows.casework.cases import CaseNow
from workflows.json_read import list_of
from workflows.json_types import JSONObject, JSONValue
from workflows.keys import EXTENSION, EXTENSION_DECIDED, case_notice
from workflows.messages import Msg, msg
from workflows.outcome import Notice, Refused

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"


@dataclass(frozen=True)
class ExtensionChange:
    """The case's new fields (and due time), the audit action, what to say and to whom."""

    action: str
    fields: Mapping[str, JSONValue]
    said: Msg
    notice: Notice  # to the supervisors when asked, to the unit's groups when decided
    due_at: datetime | None = None  # the new due time, when approved
    decided: str = ""  # the decision to write down (`storage.decisions`), when decided
    reason: str = ""


def may_ask_extension(case: CaseNow) -> Refused | None:
    """One request at a time: another waits until the pending one is decided."""
    if case.request.get("status") == PENDING:
        return Refused(msg("case.extension_pending", code=case.code))
    return None


def until_of(answer: str, tz: tzinfo) -> datetime:
    """The due time asked for, read in the campaign's timezone, as UTC."""
    return datetime.fromisoformat(answer).replace(tzinfo=tz).astimezone(UTC)


def ask_extension(
    case: CaseNow, *, reason: str, until: datetime, by: int, at: datetime
) -> ExtensionChange | Refused | None:
    """The request, waiting for a supervisor; None when the case is answered meanwhile, and
    refused when its time limit moved past the time asked for since the form began."""
    if case.answered:
        return None
    if until <= case.due_at:
        return Refused(msg("extension.not_later", code=case.code, until=until, due=case.due_at))
    request: JSONObject = {
        "reason": reason,
        "until": until.isoformat(),
        "status": PENDING,
        "by": by,
        "at": at.isoformat(),
    }
    ask = msg(
        "extension.request",
        code=case.code,
        unit=case.unit,
        reason=reason,
        due=case.due_at,
        until=until,
    )
    n = len(list_of(case.fields.get("extensions", []))) + 1  # the n-th request of the case
    return ExtensionChange(
        action="case.extension_asked",
        fields={**case.fields, "extension": request},
        said=msg("extension.sent", code=case.code),
        notice=Notice(
            case_notice(case.id, EXTENSION, on=at.isoformat(), n=n), "case.extension", ask
        ),
    )


def decide_extension(
    case: CaseNow, *, approve: bool, by: int, at: datetime, reason: str = ""
) -> ExtensionChange | Refused:
    """同意 moves the due time to the one asked for; 不同意 keeps it and needs its reason;
    either is told to the unit (the reason with it)."""
    request = dict(case.request)
    if request.get("status") != PENDING:
        return Refused(msg("form.stale_button"))
    reason = reason.strip()
    if not approve and not reason:  # the unit is told why, or it cannot do better
        return Refused(msg("extension.reason_needed", code=case.code))
    request.update(status=APPROVED if approve else REJECTED, decided_by=by)
    if reason:
        request["decided_reason"] = reason
    before = case.fields.get("extensions", [])
    history = [*(before if isinstance(before, list) else []), request]
    fields = {**case.fields, "extension": request, "extensions": history}
    until = datetime.fromisoformat(str(request["until"]))
    # an extension gives more time, never less: a request from before the time limit moved
    # past it leaves the limit where it is
    later = until if approve and until > case.due_at else None
    due = later or case.due_at
    word = (
        msg("extension.approved", code=case.code, due=due)
        if approve
        else msg("extension.rejected_why", code=case.code, due=due, reason=reason)
    )
    return ExtensionChange(
        action="case.extension_approved" if approve else "case.extension_rejected",
        fields=fields,
        said=word,
        notice=Notice(
            case_notice(case.id, EXTENSION_DECIDED, on=at.isoformat()),
            "case.extension_decided",
            word,
        ),
        due_at=later,
        decided="extension.approved" if approve else "extension.rejected",
        reason=reason,
    )
