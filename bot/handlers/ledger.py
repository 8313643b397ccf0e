"""The ledger: /new, /weekly, /items, /item, /close, and the supervisors' close-out buttons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from bot.delivery.outbox import enqueue
from bot.handlers import abandoned
from bot.telegram import flows
from bot.telegram.flows import FlowBinding
from bot.telegram.turn import Button, Reply, Turn
from storage import campaigns, chats, drafts, people, planning, submissions
from storage import ledger as store
from storage.ledger_import import import_history
from storage.models import LedgerItem, Person, Unit, saved_id
from workflows import closeout
from workflows.buttons import Action, Verb, callback_data
from workflows.campaign import RecurringSpec
from workflows.contexts import (
    CloseContext,
    NewItemContext,
    RejectContext,
    WeeklyContext,
    context_of,
)
from workflows.forms import Draft
from workflows.guards import required
from workflows.inputs import Option
from workflows.ledger import is_overdue, split_values, status_msg
from workflows.messages import Msg, lines, msg
from workflows.outcome import Refused
from workflows.periods import report_period, reporting_day
from workflows.planner import Planned
from workflows.submission import is_on_time
from workflows.weekly import (
    CLOSE,
    EXPIRED,
    REJECT,
    TAKEN_OVER,
    new_item_flow,
    other_draft_fate,
    snapshot_item,
    week_over,
    weekly_flow,
)
from workflows.weekly_update import ItemNow, decide_week, group_summary_key, summary_to_groups
from workflows.words import whole_number

PAGE = 10


def _today(turn: Turn) -> date:
    return turn.stamp.at.astimezone(turn.zone).date()


def card(turn: Turn, item: LedgerItem, last: str = "") -> Msg:
    """The item's card: id, name, category, status, due date (overdue marked), latest progress."""
    overdue = (
        msg("ledger.overdue_mark") if is_overdue(item.due_on, item.status, _today(turn)) else ""
    )
    return msg(
        "ledger.card",
        code=item.code,
        name=item.name,
        category=item.category or msg("form.empty"),
        status=status_msg(item.status),
        due=item.due_on or msg("form.empty"),
        overdue=overdue,
        measures=item.measures or msg("form.empty"),
        lead=item.lead or msg("form.empty"),
        last=last or msg("weekly.no_progress"),
    )


def _progress_text(p: Any) -> str:
    return p.text or p.result or p.reason or ""


def _post(turn: Turn, items: list[Planned]) -> None:
    enqueue(turn.services, turn.session, items, turn.zone, turn.stamp.at)


def may_report(turn: Turn) -> Unit | None:
    """The unit the speaker may update here, or None with the reason said."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return None
    unit = turn.reporting_unit
    if unit is None:
        turn.say(msg("submit.no_unit"))
        return None
    if not turn.actor.reports_for(unit.id):
        turn.say(msg("submit.not_liaison", unit=unit.name))
        return None
    return unit


def _categories(turn: Turn) -> Mapping[str, Any]:
    """The campaign's problem categories as buttons (all the weekly update needs)."""
    if turn.campaign is None:
        return {}
    return {"categories": [Option(c, c) for c in turn.campaign.categories]}


def _options(turn: Turn) -> Mapping[str, Any]:
    """Categories, and the units an admin may add a problem to."""
    if turn.campaign is None:
        return {}
    units = campaigns.units_of(turn.session, saved_id(turn.campaign))
    return {**_categories(turn), "units": [Option(u.name, u.name) for u in units]}


def cmd_new(turn: Turn, args: list[str]) -> None:
    """A new problem, step by step."""
    allowed, unit = turn.acting_unit()
    if not allowed or turn.campaign is None:
        return
    flows.begin(
        turn, "new", context={"unit": unit.name if unit else "", "ledger": turn.campaign.ledger}
    )


def _create(turn: Turn, unit: Unit, values: Mapping[str, Any], prefix: str = "") -> LedgerItem:
    camp = required(turn.campaign, "the active campaign")
    columns, extra = split_values(values, campaigns.ledger_spec(camp), prefix)
    return store.create_item(turn.session, unit, columns, extra, turn.stamp)


def _finish_new(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    camp = required(turn.campaign, "the active campaign")
    name = context_of(draft, NewItemContext).get("unit") or values.get("unit") or ""
    unit = campaigns.unit_named(turn.session, saved_id(camp), name)
    if unit is None:
        turn.say(msg("bind.unknown_unit", text=name))
        return
    item = _create(turn, unit, values)
    turn.say(msg("new.done", code=item.code))
    turn.say(card(turn, item))


def weekly_report(
    turn: Turn, index: int, unit_id: int, period: date | None = None
) -> tuple[str, date, datetime]:
    """A weekly report's name, the reporting day of this week's report for the unit (or of
    `period`, when a link names it) and its due time."""
    if turn.campaign is None:
        raise ValueError("no campaign is loaded")
    reports = campaigns.weekly_reports(turn.campaign)
    report = (
        reports[min(index, len(reports) - 1)]
        if reports
        else RecurringSpec(turn.text(msg("weekly.default_name")), 0, time(18, 0))
    )
    if period is None:
        span = planning.span_of(turn.session, turn.campaign)

        def submitted(day: date) -> bool:
            found = submissions.submission_of(
                turn.session, unit_id, report_name=report.name, period_start=day
            )
            return found is not None

        period = report_period(
            report.weekday,
            report.at,
            turn.stamp.at,
            turn.zone,
            starts_on=span.starts_on,
            submitted=submitted,
        )
    return report.name, period, datetime.combine(period, report.at, tzinfo=turn.zone)


def _someone_else_updating(turn: Turn, unit_id: int) -> Person | None:
    """Another liaison's live weekly update of the unit; one whose week is over is closed, one
    idle for half an hour is taken over (each owner told, what they typed kept)."""
    while (row := drafts.unit_weekly_draft(turn.session, unit_id, turn.person.user_id)) is not None:
        fate = other_draft_fate(drafts.context_of(row), row.updated_at, turn.stamp.at)
        if fate == EXPIRED:
            word = abandoned.expired_word(turn.session, row)
        elif fate == TAKEN_OVER:
            word = abandoned.taken_over_word(turn.session, row, turn.person)
        else:
            return people.person_by_user(turn.session, row.user_id)
        abandoned.close(turn.services, turn.session, row, turn.stamp, turn.zone, word)
    return None


def _week_over(draft: Draft, now: datetime) -> Msg | None:
    """The word for a weekly draft's owner when its week is over (None while it is not)."""
    if not week_over(draft.context, now):
        return None
    return msg("weekly.expired_here", name=context_of(draft, WeeklyContext).get("report_name", ""))


def weekly_context(
    turn: Turn, unit: Unit, index: int = 0, period: date | None = None
) -> dict[str, Any] | None:
    """The week's update context (its open items as they stand now), or None with the reason
    said: the week is already reported, or another liaison is updating it."""
    if turn.campaign is None:
        raise ValueError("no campaign is loaded")
    name, day, due = weekly_report(turn, index, saved_id(unit), period)
    done = submissions.submission_of(
        turn.session, saved_id(unit), report_name=name, period_start=day
    )
    if done is not None:
        turn.say(msg("weekly.already", unit=unit.name, name=name, at=done.submitted_at))
        return None
    other = _someone_else_updating(turn, saved_id(unit))
    if other is not None:
        turn.say(msg("weekly.in_progress", unit=unit.name, who=other.name or other.display_name))
        return None
    items = store.open_items(turn.session, saved_id(unit))
    last = store.last_progress(turn.session, [saved_id(i) for i in items])
    snap = [
        snapshot_item(
            {
                "id": i.id,
                "code": i.code,
                "name": i.name,
                "version": i.version,
                "due": i.due_on.isoformat() if i.due_on else None,
            },
            _progress_text(last[i.id]) if i.id in last else "",
        )
        for i in items
    ]
    return {
        "unit": unit.name,
        "unit_id": unit.id,
        "report": index,
        "report_name": name,
        "period": day.isoformat(),
        "due": due.isoformat(),
        "ledger": turn.campaign.ledger,
        "items": snap,
    }


def start_weekly(turn: Turn, index: int = 0) -> None:
    """This week's update: each open item in turn, new problems, one confirm."""
    unit = may_report(turn)
    if unit is None or turn.campaign is None:
        return
    context = weekly_context(turn, unit, index)
    if context is None:
        return
    begin_weekly(turn, unit, context)


def begin_weekly(turn: Turn, unit: Unit, context: dict[str, Any]) -> None:
    """Say what the update covers and show its first step, in one message.

    In a group, the first card also offers the week as a workbook and 私聊填写 (the same
    update in the private chat, at the private chat's pace).
    """
    turn.say(
        msg(
            "weekly.start",
            unit=unit.name,
            name=context["report_name"],
            count=len(context["items"]),
            due=datetime.fromisoformat(context["due"]),
        )
    )
    flows.begin(turn, "weekly", context=context)
    first = turn.replies[-1]
    if turn.is_group and first.buttons and first.ask is not None:
        index = context["report"]
        first.buttons.append(
            [
                Button(msg("weekly_form.button"), callback_data(Verb.WFORM, index)),
                Button(msg("weekly.button.private"), callback_data(Verb.WPRIV, index)),
            ]
        )


def cmd_weekly(turn: Turn, args: list[str]) -> None:
    """Start this week's update."""
    start_weekly(turn)


def _closeout_request(
    turn: Turn, item: LedgerItem, result: str, files: list[dict[str, Any]]
) -> None:
    """Ask the supervisors to approve a close-out, with buttons."""
    unit = turn.session.get(Unit, item.unit_id)
    ask = closeout.closeout_request(
        _state(item), unit=unit.name if unit else "", result=result, files=files
    )
    buttons = (
        (msg("closeout.approve"), callback_data(Verb.CO_OK, saved_id(item))),
        (msg("closeout.reject"), callback_data(Verb.CO_NO, saved_id(item))),
        (msg("closeout.details"), callback_data(Verb.ITEM, saved_id(item))),
    )
    _post(
        turn,
        [
            Planned(ask.key_in(c), ask.kind, c, ask.text, turn.stamp.at, buttons)
            for c in planning.supervisor_chats(turn.session)
        ],
    )


def _state(item: LedgerItem) -> closeout.ItemState:
    return closeout.ItemState(saved_id(item), item.code, item.name, item.status, item.version)


def _apply(turn: Turn, item: LedgerItem, decision: closeout.Decision) -> bool:
    """Save a close-out decision and plan its messages; False when someone else changed the
    item meanwhile (nothing saved)."""
    try:
        store.change_item(
            turn.session,
            item,
            expected_version=decision.expected_version,
            action=decision.action,
            stamp=turn.stamp,
            **decision.changes,
        )
    except store.Conflict:
        return False
    p = decision.progress
    if p is not None:
        store.add_progress(
            turn.session,
            item,
            week_of=p.week_of,
            status=p.status,
            stamp=turn.stamp,
            result=p.result,
            reason=p.reason,
            files=[dict(f) for f in p.files],
        )
    if decision.to_unit is not None:
        _tell_unit(turn, item, decision.to_unit.text, decision.to_unit.key)
    return True


def save_week(turn: Turn, ctx: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    """Save a week's answers (given step by step, or in the filled form) and say the summary."""
    unit = turn.session.get(Unit, ctx["unit_id"])
    if unit is None:
        return
    period = date.fromisoformat(ctx["period"])
    name = ctx["report_name"]
    due = datetime.fromisoformat(ctx["due"])
    try:  # the week is claimed first: of two liaisons confirming at once, one saves
        submissions.record_submission(
            turn.session,
            unit_id=saved_id(unit),
            stamp=turn.stamp,
            on_time=is_on_time(due, turn.stamp.at),
            report_name=name,
            period_start=period,
        )
    except submissions.AlreadySubmitted as done:
        turn.say(msg("weekly.already", unit=unit.name, name=name, at=done.first.submitted_at))
        return
    rows = {it["id"]: turn.session.get(LedgerItem, it["id"]) for it in ctx["items"]}
    items = {i: row for i, row in rows.items() if row is not None}
    current = {i: ItemNow(i, row.code, row.version, row.fields) for i, row in items.items()}
    week = decide_week(ctx, values, current, at=turn.stamp.at)
    raced: list[str] = []  # changed by another process between our read and our write
    for change in week.changes:
        item = items[change.item_id]
        try:
            store.change_item(
                turn.session,
                item,
                expected_version=change.expected_version,
                action="item.weekly",
                stamp=turn.stamp,
                **change.changes,
            )
        except store.Conflict:
            raced.append(item.code)
            continue
        p = change.progress
        store.add_progress(
            turn.session,
            item,
            week_of=week.period,
            status=p.status,
            stamp=turn.stamp,
            text=p.text,
            result=p.result,
            reason=p.reason,
            new_due_on=p.new_due_on,
            files=list(p.files),
        )
    new_code = _create(turn, unit, values, prefix="new.").code if week.new_item else ""
    for change in week.closeouts:
        if items[change.item_id].code not in raced:
            _closeout_request(
                turn, items[change.item_id], change.progress.result, list(change.progress.files)
            )
    turn.say(week.summary(new_code))
    if week.conflicts or raced:
        turn.say(msg("weekly.conflicts", codes=[*week.conflicts, *raced]))


def _finish_weekly(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    said = len(turn.replies)
    week = context_of(draft, WeeklyContext)
    save_week(turn, week, values)
    if summary_to_groups(in_group=turn.is_group):
        summary = lines([r.text for r in turn.replies[said:] if isinstance(r.text, Msg)])
        ref = group_summary_key(week["unit_id"], week["period"])
        groups = chats.chats_of_unit(turn.session, week["unit_id"])
        at = turn.stamp.at
        _post(
            turn,
            [
                Planned(f"{ref}:chat:{g.chat_id}", "weekly.summary", g.chat_id, summary, at)
                for g in groups
            ],
        )


def _item_for(turn: Turn, ref: str) -> LedgerItem | None:
    row_id = whole_number(ref)
    item = (
        turn.session.get(LedgerItem, row_id)
        if row_id is not None
        else store.item_by_code(turn.session, ref)
    )
    if item is None:
        turn.say(msg("ledger.unknown", code=ref))
        return None
    if not turn.actor.sees(item.unit_id):
        turn.say(msg("ledger.not_yours", code=item.code))
        return None
    return item


def cmd_item(turn: Turn, args: list[str]) -> None:
    """`/item 轮台-007`: the card and the full history of its progress."""
    if not args:
        turn.say(msg("ledger.item_usage"))
        return
    item = _item_for(turn, args[0])
    if item is None:
        return
    show_item(turn, item)


def show_item(turn: Turn, item: LedgerItem) -> None:
    """The card, every progress update, and the evidence files."""
    history = store.progress_of(turn.session, saved_id(item))
    out: list[Msg | str] = [card(turn, item, _progress_text(history[-1]) if history else "")]
    out.append(msg("ledger.history_header", count=len(history)))
    files: list[dict[str, Any]] = []
    for p in history:
        out.append(
            msg(
                "ledger.history_line",
                week=p.week_of,
                status=msg(f"weekly.st.{p.status}"),
                text=_progress_text(p),
            )
        )
        files += p.files
    for at, user_id, file in import_history(turn.session, saved_id(item)):
        who = people.person_by_user(turn.session, user_id) if user_id else None
        name = (who.name or who.display_name) if who else msg("ledger_import.console")
        out.append(msg("ledger_import.history_line", at=at, who=name, file=file))
    turn.say(lines(out))
    if files:
        turn.replies.append(Reply(msg("ledger.files", count=len(files)), files=files))


def cmd_items(turn: Turn, args: list[str]) -> None:
    """The ledger, a page at a time: open items first, overdue ones marked."""
    show_page(turn, (whole_number(args[0]) or 1) - 1 if args else 0)


def show_page(turn: Turn, page: int, edit: bool = False) -> None:
    """One page of /items, with buttons to turn pages."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    units = campaigns.units_of(turn.session, saved_id(turn.campaign))
    visible = [saved_id(u) for u in units if turn.actor.sees(u.id)]
    if turn.unit is not None and turn.unit.id in visible:
        visible = [saved_id(turn.unit)]
    rows = store.items_of(turn.session, visible)
    pages = max((len(rows) + PAGE - 1) // PAGE, 1)
    page = min(max(page, 0), pages - 1)
    out: list[Msg | str] = [msg("items.header", count=len(rows), page=page + 1, pages=pages)]
    today = _today(turn)
    out += [item_line(item, today) for item in rows[page * PAGE : (page + 1) * PAGE]]
    if not rows:
        out.append(msg("items.none"))
    nav = []
    if page > 0:
        nav.append(Button(msg("items.prev"), callback_data(Verb.ITEMS, page - 1)))
    if page < pages - 1:
        nav.append(Button(msg("items.next"), callback_data(Verb.ITEMS, page + 1)))
    turn.say(lines(out), buttons=[nav] if nav else [], edit=edit)


def item_line(item: LedgerItem, today: date) -> Msg:
    """One line of a list of items: id, name, status, due date, overdue marked."""
    mark = msg("ledger.overdue_mark") if is_overdue(item.due_on, item.status, today) else ""
    return msg(
        "items.line",
        code=item.code,
        name=item.name[:20],
        status=status_msg(item.status),
        due=item.due_on or msg("form.empty"),
        overdue=mark,
    )


def cmd_close(turn: Turn, args: list[str]) -> None:
    """`/close 轮台-007`: ask for a close-out directly, with the result and evidence."""
    if not args:
        turn.say(msg("close.usage"))
        return
    item = _item_for(turn, args[0])
    if item is None:
        return
    refused = closeout.may_ask_closeout(
        _state(item), reports_for_unit=turn.actor.reports_for(item.unit_id)
    )
    if refused is not None:
        turn.say(refused.reason)
        return
    flows.begin(
        turn,
        "close",
        context={"item_id": item.id, "version": item.version, "code": item.code, "name": item.name},
    )


def _finish_close(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    asked = context_of(draft, CloseContext)
    item = turn.session.get(LedgerItem, asked["item_id"])
    if item is None:
        return
    files = (values.get("evidence") or {}).get("files", [])
    decision = closeout.ask_closeout(
        _state(item),
        expected_version=asked["version"],
        result=values["result"],
        files=files,
        week_of=reporting_day(0, turn.stamp.at, turn.zone),
    )
    if not _apply(turn, item, decision):
        turn.say(msg("weekly.conflicts", codes=[item.code]))
        return
    _closeout_request(turn, item, values["result"], files)
    turn.say(decision.said)


def _tell_unit(turn: Turn, item: LedgerItem, text: Msg, key: str) -> None:
    groups = [c.chat_id for c in chats.chats_of_unit(turn.session, item.unit_id)]
    _post(
        turn, [Planned(f"{key}:chat:{g}", "item.decision", g, text, turn.stamp.at) for g in groups]
    )


def _finish_reject(turn: Turn, draft: Draft, values: dict[str, Any]) -> None:
    pressed = context_of(draft, RejectContext)
    item = turn.session.get(LedgerItem, pressed["item_id"])
    if item is None:
        turn.say(msg("form.stale_button"))
        return
    decision = closeout.reject_closeout(
        _state(item),
        expected_version=pressed.get("version"),
        reason=values["reason"],
        week_of=reporting_day(0, turn.stamp.at, turn.zone),
    )
    if isinstance(decision, Refused):
        turn.say(decision.reason)
    elif _apply(turn, item, decision):
        turn.say(decision.said)
    else:  # decided by someone else at the same moment
        turn.say(closeout.already_decided(_state(item)).reason)


def action(turn: Turn, pressed: Action) -> None:
    """Buttons: start the weekly update, page through /items, see an item, decide a close-out."""
    verb = pressed.verb
    if verb == Verb.WEEKLY:
        start_weekly(turn, pressed.ref)
        return
    if verb == Verb.ITEMS:
        show_page(turn, pressed.ref, edit=True)
        return
    item = _item_for(turn, str(pressed.ref))
    if item is None:
        return
    if verb == Verb.ITEM:
        show_item(turn, item)
        return
    if verb == Verb.CO_OK:
        decision = closeout.approve_closeout(_state(item), at=turn.stamp.at)
        if isinstance(decision, Refused):
            turn.notice = turn.text(decision.reason)
        elif _apply(turn, item, decision):
            turn.say(decision.said)
        else:  # rejected (or approved) by someone else at the same moment
            turn.notice = turn.text(closeout.already_decided(_state(item)).reason)
    elif verb == Verb.CO_NO:
        refused = closeout.may_reject_closeout(_state(item))
        if refused is not None:
            turn.notice = turn.text(refused.reason)
            return
        flows.begin(
            turn,
            "closeout_reject",
            context={"item_id": item.id, "code": item.code, "version": item.version},
        )


flows.register("new", FlowBinding(new_item_flow, _finish_new, _options))
flows.register("weekly", FlowBinding(weekly_flow, _finish_weekly, _categories, _week_over))
flows.register("close", FlowBinding(lambda ctx: CLOSE, _finish_close))
flows.register("closeout_reject", FlowBinding(lambda ctx: REJECT, _finish_reject))
