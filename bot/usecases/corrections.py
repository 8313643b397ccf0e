"""Corrections (更正) of a submitted week or deliverable: saved with one 已更正 line to the
unit's groups until the deadline; after it, asked of the supervisors (同意 / 不同意 with a
reason), applied on approval and the unit told. The week is re-filled by the weekly flow (by
chat, the Mini App or the workbook) with `correcting` in its context, a deliverable's material
by /submit; saving either comes here. A request's context says which (`kind`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from sqlmodel import Session

from bot.usecases.act import Act
from bot.usecases.closeout import post_closeout_request
from storage import chats, decisions, ledger, planning
from storage import corrections as store
from storage.audit import Stamp
from storage.models import AuditEvent, LedgerItem, Submission, Unit, saved_id
from workflows import keys
from workflows.deliverables.submission import Deliverable
from workflows.forms.buttons import Verb, callback_data
from workflows.forms.contexts import WeeklyContext, checked
from workflows.json_read import json_object_of, list_of, mapping_of, need_int, need_mapping, str_of
from workflows.json_types import JSONObject, JSONValue
from workflows.messages import Msg, msg
from workflows.planner import Planned
from workflows.week.correction import (
    DIRECT,
    MATERIAL,
    Changed,
    Said,
    corrected_line,
    correction_kind,
    material_changes,
    msg_join,
    week_changes,
)
from workflows.week.week_answers import WeekAnswers
from workflows.week.weekly_update import ItemNow, WeekUpdate, decide_week


def apply_week(act: Act, week: WeekUpdate, items: Mapping[int, LedgerItem]) -> list[str]:
    """Save a week's item changes and progress (new rows: nothing is overwritten) and ask the
    close-outs it reports; the codes changed by another process meanwhile (not saved)."""
    raced: list[str] = []
    for change in week.changes:
        item = items[change.item_id]
        try:
            ledger.change_item(
                act.session,
                item,
                change.changes,
                expected_version=change.expected_version,
                action="item.weekly",
                stamp=act.stamp,
            )
        except ledger.Conflict:
            raced.append(item.code)
            continue
        ledger.add_progress(act.session, item, change.progress, act.stamp)
    for change in week.closeouts:
        if items[change.item_id].code not in raced:
            post_closeout_request(
                act, items[change.item_id], change.progress.result, change.progress.files
            )
    return raced


def _decided(
    act: Act, ctx: WeeklyContext, answers: WeekAnswers
) -> tuple[WeekUpdate, dict[int, LedgerItem], tuple[Changed, ...]]:
    """The correction's week (only the items it changes), its items as they stand, and what
    it changes; an item someone else changed since the correction began is in its conflicts."""
    rows = {it["id"]: act.session.get(LedgerItem, it["id"]) for it in ctx["items"]}
    items = {i: row for i, row in rows.items() if row is not None}
    current = {i: ItemNow(i, row.code, row.version, row.fields) for i, row in items.items()}
    decided = decide_week(ctx, answers, current, at=act.stamp.at)
    period = date.fromisoformat(ctx["period"])
    said = store.week_said(act.session, list(items), period)
    before = {items[i].code: s for i, s in said.items()}
    after = [
        (
            c.code,
            Said(
                c.progress.status,
                c.progress.text,
                c.progress.result,
                c.progress.reason,
                c.progress.new_due_on,
            ),
        )
        for c in decided.changes
    ]
    changes = week_changes(before, after)
    # an item said again as it was is left alone: its history gains no copy of itself
    changed = {c.code for c in changes}
    week = replace(decided, changes=tuple(c for c in decided.changes if c.code in changed))
    return week, items, changes


def _material(row: Submission) -> Mapping[str, object]:
    return {"note": row.note, "files": row.files}


def _material_now(
    act: Act, ctx: Mapping[str, object], values: Mapping[str, object]
) -> tuple[Submission | None, tuple[Changed, ...]]:
    """A deliverable's submission as it stands and what the asked material would change."""
    row = act.session.get(Submission, need_int(ctx["correcting"]))
    if row is None:
        return None, ()
    return row, material_changes(str_of(ctx["report_name"]), _material(row), values)


def requested_changes(act: Act, row: AuditEvent) -> tuple[Changed, ...]:
    """What a correction request would change if approved now (the board shows it)."""
    if row.after is None:
        return ()
    ctx, values = _asked(row.after)
    if ctx.get("kind") == MATERIAL:
        return _material_now(act, ctx, values)[1]
    return _decided(act, checked(WeeklyContext, ctx), WeekAnswers(values))[2]


def _asked(after: JSONObject) -> tuple[Mapping[str, object], Mapping[str, object]]:
    """A correction request as kept: the context it was asked in (a week's, or a deliverable's
    with `kind`), and its answers."""
    return need_mapping(after["ctx"]), need_mapping(after["values"])


def _lines(changes: tuple[Changed, ...]) -> Msg:
    return msg_join(c.line() for c in changes)


def _to_groups(act: Act, unit_id: int, text: Msg, key: str, *, here_too: bool) -> None:
    """Post to the unit's groups (not this chat when the words were said here already)."""
    groups = [c.chat_id for c in chats.chats_of_unit(act.session, unit_id)]
    here = act.chat_id
    act.tell(
        [
            Planned(keys.in_chat(key, g), "week.correction", g, text, act.stamp.at)
            for g in groups
            if here_too or g != here
        ],
    )


def save_correction(
    act: Act, ctx: WeeklyContext, answers: WeekAnswers, *, in_page: bool = False
) -> None:
    """A correction's answers: saved with one 已更正 line until the deadline, else asked of
    the supervisors; nothing when it says what was submitted. `in_page`: from the Mini App,
    where nothing said is seen in a chat (the line goes to every group of the unit)."""
    unit = act.session.get(Unit, ctx["unit_id"])
    if unit is None:
        return
    week, items, changes = _decided(act, ctx, answers)
    if not changes:
        none = msg("weekly.conflicts", codes=week.conflicts) if week.conflicts else None
        act.say(none or msg("correction.none"))
        return
    submission = int(ctx["correcting"])
    due = datetime.fromisoformat(ctx["due"])
    if correction_kind(due, act.stamp.at) == DIRECT:
        raced = apply_week(act, week, items)
        kept = tuple(c for c in changes if c.code not in raced)
        store.record_correction(act.session, act.stamp, submission, _trail(act, kept))
        if kept:
            line = corrected_line(kept)
            act.say(line)
            key = keys.corrected(submission, act.stamp.at)
            _to_groups(act, saved_id(unit), line, key, here_too=in_page)
        if raced or week.conflicts:
            act.say(msg("weekly.conflicts", codes=[*week.conflicts, *raced]))
        return
    _ask_supervisors(act, unit, ctx, answers.values, changes)


def _ask_supervisors(
    act: Act,
    unit: Unit,
    ctx: Mapping[str, object],
    values: Mapping[str, object],
    changes: tuple[Changed, ...],
) -> None:
    """A correction after the deadline kept as a request and sent to the supervisors with
    同意更正 / 不同意 (a week's or a deliverable's: `ctx` says which, and which submission)."""
    asked: JSONObject = {
        "ctx": json_object_of(ctx),
        "values": json_object_of(values),
        "lines": _trail(act, changes),
    }
    request = store.record_request(act.session, act.stamp, need_int(ctx["correcting"]), asked)
    text = msg(
        "correction.request",
        unit=unit.name,
        name=ctx["report_name"],
        due=datetime.fromisoformat(str_of(ctx["due"])),
        changes=_lines(changes),
        who=act.person.name or act.person.display_name,
    )
    buttons = (
        (msg("correction.approve"), callback_data(Verb.CR_OK, request)),
        (msg("correction.reject"), callback_data(Verb.CR_NO, request)),
    )
    key = keys.correction_request(request)
    act.tell(
        [
            Planned(keys.in_chat(key, c), "week.correction", c, text, act.stamp.at, buttons)
            for c in planning.supervisor_chats(act.session)
        ],
    )
    act.say(msg("correction.requested", changes=_lines(changes)))


def correct_material(
    act: Act, unit: Unit, what: Deliverable, row: Submission, material: Mapping[str, object]
) -> None:
    """A submitted deliverable's material replaced before its deadline (the old kept in the
    audit trail), here and in the unit's groups one 已更正 line; after it, asked of the
    supervisors as a week's correction is; nothing if it is the same."""
    note, files = (
        str_of(material.get("note")),
        [json_object_of(mapping_of(f)) for f in list_of(material.get("files", []))],
    )
    after: Mapping[str, object] = {"note": note, "files": files}
    changes = material_changes(what.title, _material(row), after)
    if not changes:
        act.say(msg("correction.none"))
        return
    if correction_kind(what.due, act.stamp.at) != DIRECT:
        ctx: Mapping[str, object] = {
            "kind": MATERIAL,
            "unit_id": saved_id(unit),
            "correcting": saved_id(row),
            "report_name": what.title,
            "due": what.due.isoformat(),
        }
        _ask_supervisors(act, unit, ctx, after, changes)
        return
    store.replace_material(act.session, act.stamp, row, note=note, files=files)
    line = corrected_line(changes)
    act.say(line)
    key = keys.corrected(saved_id(row), act.stamp.at)
    _to_groups(act, unit.id or 0, line, key, here_too=False)


def _trail(act: Act, changes: tuple[Changed, ...]) -> JSONObject:
    """What the audit trail keeps of a correction: each change as the group reads it."""
    lines: list[JSONValue] = [act.text(c.line()) for c in changes]
    return {"changes": lines}


def is_request(session: Session, request_id: int) -> bool:
    """Whether a correction request of this id was asked (decided or not)."""
    return store.request_of(session, request_id) is not None


def waiting_request(act: Act, request_id: int) -> AuditEvent | None:
    """A correction request no supervisor has decided yet (None: no such request, or decided)."""
    row = store.request_of(act.session, request_id)
    return None if row is None or store.decided(act.session, request_id) else row


def approve_correction_request(act: Act, request_id: int) -> Msg | None:
    """同意: the requested correction applied (as asked, against the items as they stand),
    the unit's groups and this chat told; or why not."""
    row = waiting_request(act, request_id)
    if row is None or row.after is None:
        return msg("correction.decided")
    ctx, values = _asked(row.after)
    unit = act.session.get(Unit, need_int(ctx["unit_id"]))
    if unit is None:
        return msg("correction.decided")
    # the correction is saved as made by the liaison who asked it, at the approval's time
    asker = Stamp(act.stamp.at, row.actor_user_id, row.chat_id)
    approver = act.stamp
    if ctx.get("kind") == MATERIAL:
        kept, stale = _apply_material(act, asker, ctx, values)
    else:
        kept, stale = _apply_asked_week(act, asker, checked(WeeklyContext, ctx), values)
    if not kept:  # everything changed since the request: nothing to apply (refuse it, or not)
        return msg("correction.stale", codes=stale)
    store.record_decided(act.session, approver, request_id, approved=True)
    decisions.record_decision(
        act.session, approver, unit_id=saved_id(unit), what="correction.approved"
    )
    text = msg("correction.approved", unit=unit.name, changes=_lines(kept))
    _to_groups(act, saved_id(unit), text, keys.correction_decided(request_id), here_too=True)
    act.say(text)
    if stale:
        act.say(msg("correction.stale", codes=stale))
    return None


def _apply_asked_week(
    act: Act, asker: Stamp, ctx: WeeklyContext, values: Mapping[str, object]
) -> tuple[tuple[Changed, ...], list[str]]:
    """An approved week's correction saved as the asker's; what it changed, what it could not."""
    approver = act.stamp
    act.stamp = asker
    try:
        week, items, changes = _decided(act, ctx, WeekAnswers(values))
        raced = apply_week(act, week, items)
    finally:
        act.stamp = approver
    kept = tuple(c for c in changes if c.code not in raced)
    if kept:
        store.record_correction(act.session, asker, int(ctx["correcting"]), _trail(act, kept))
    return kept, [*week.conflicts, *raced]


def _apply_material(
    act: Act, asker: Stamp, ctx: Mapping[str, object], values: Mapping[str, object]
) -> tuple[tuple[Changed, ...], list[str]]:
    """An approved deliverable's new material saved as the asker's (the old kept in the
    audit trail); what it changed, or the deliverable if there is nothing left to change."""
    row, changes = _material_now(act, ctx, values)
    if row is None or not changes:
        return (), [str_of(ctx["report_name"])]
    files = [json_object_of(mapping_of(f)) for f in list_of(values["files"])]
    store.replace_material(act.session, asker, row, note=str_of(values["note"]), files=files)
    return changes, []


def reject_correction_request(act: Act, request_id: int, reason: str) -> Msg | None:
    """不同意 with its reason: the week stands, the unit's groups and this chat told."""
    row = waiting_request(act, request_id)
    if row is None or row.after is None:
        return msg("correction.decided")
    unit = act.session.get(Unit, need_int(_asked(row.after)[0]["unit_id"]))
    if unit is None:
        return msg("correction.decided")
    store.record_decided(act.session, act.stamp, request_id, approved=False, reason=reason)
    decisions.record_decision(
        act.session, act.stamp, unit_id=saved_id(unit), what="correction.rejected", reason=reason
    )
    text = msg("correction.rejected", unit=unit.name, reason=reason)
    _to_groups(act, saved_id(unit), text, keys.correction_decided(request_id), here_too=True)
    act.say(text)
    return None
