"""The weekly update (每周报送台账): each open item in turn, new problems, one confirm.

The flow is built from the items snapshotted into the draft's context when the update
starts, so a restart rebuilds the very same steps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from workflows.forms.contexts import ItemSnapshot, NewItemContext, WeeklyContext
from workflows.forms.engine import Condition, Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Attachments, Choice, FormEnv, Option, StatusCard, Text
from workflows.json_read import list_of, mapping_of, need_int, str_of
from workflows.messages import Lines, Msg, msg
from workflows.problems.ledger import PLANNED_DATE, item_steps, ledger_from
from workflows.week.periods import WEEK
from workflows.week.week_answers import CLOSING, item_prefix, status_of

PLAN, DONE, LATE, SAME = "plan", "done", "late", "same"
STATUSES = (
    Option(PLAN, msg("weekly.st.plan")),
    Option(DONE, msg("weekly.st.done")),
    Option(LATE, msg("weekly.st.late")),
    Option(SAME, msg("weekly.st.same")),
)
YES_NO = (Option("yes", msg("weekly.yes")), Option("no", msg("weekly.no")))


# A weekly draft left this long without a step may be taken over by another liaison of the unit.
TAKE_OVER_AFTER = timedelta(minutes=30)
# Weekly reports recur every seven days: the next reporting day's due time is this one's plus
# a week, and once it has passed a newer period has begun.


def week_over(context: Mapping[str, object], now: datetime) -> bool:
    """Whether a weekly draft's week is over: the next reporting day's due time has passed."""
    due = context.get("due")
    return due is not None and now >= datetime.fromisoformat(str(due)) + WEEK


def over_word(context: WeeklyContext, now: datetime) -> Msg | None:
    """The word for a weekly draft's owner when its week is over (None while it is not)."""
    if not week_over(context, now):
        return None
    return msg("weekly.expired_here", name=context["report_name"])


def abandoned(updated_at: datetime, now: datetime) -> bool:
    """Whether a draft has gone long enough without a step for someone else to take over."""
    return now - updated_at >= TAKE_OVER_AFTER


EXPIRED, TAKEN_OVER, LIVE = "expired", "taken_over", "live"


def other_draft_fate(context: Mapping[str, object], updated_at: datetime, now: datetime) -> str:
    """What happens to another liaison's weekly draft of the unit when someone starts the week:
    closed when its week is over (`EXPIRED`), taken over when idle for half an hour
    (`TAKEN_OVER`), otherwise it stands and the newcomer is told who is updating (`LIVE`)."""
    if week_over(context, now):
        return EXPIRED
    if abandoned(updated_at, now):
        return TAKEN_OVER
    return LIVE


def _is(key: str, *wanted: str) -> Condition:
    return lambda v: v.get(key) in wanted


def _unless(key: str) -> Condition:
    return lambda v: not v.get(key)


def explains_delay(status: str | None, overdue: int) -> bool:
    """Whether a week's status needs the reason and a new planned date: 进度滞后 always, and
    按计划推进 on a problem already past its 办结时间 (its plan is no longer the one on file)."""
    return status == LATE or (status == PLAN and overdue > 0)


def progress_said(
    status: str, text: str, result: str, reason: str, new_due_on: date | None
) -> Msg | str:
    """What a progress update says wherever it is shown (/item, the board, the export): its
    progress (or result), and for a delay explained its reason and new planned date too."""
    said = text or result
    if status not in (LATE, PLAN) or (not reason and new_due_on is None):
        return said or reason
    late = msg(
        "week.late_said",
        reason=reason or msg("form.empty"),
        planned=new_due_on if new_due_on is not None else msg("form.empty"),
    )
    return msg("week.progress_late", text=said, late=late) if said else late


def _delayed(key: str, overdue: int) -> Condition:
    return lambda v: explains_delay(str_of(v.get(key)) or None, overdue)


def snapshot_item(item: Mapping[str, object], last: str, overdue: int = 0) -> ItemSnapshot:
    """What the flow keeps of an item when the update starts (JSON-safe); `overdue`: the
    working days it is past its 办结时间 then (0: not overdue)."""
    due = item.get("due")
    return {
        "id": need_int(item["id"]),
        "code": str(item["code"]),
        "name": str(item["name"]),
        "version": need_int(item["version"]),
        "due": due if isinstance(due, str) else None,
        "last": last,
        "overdue": overdue,
    }


def overdue_name(item: ItemSnapshot) -> Msg | str:
    """An item's name as the week shows it: marked 逾期 with its days when it is overdue."""
    days = int(item.get("overdue") or 0)
    return msg("week.overdue_name", name=item["name"], days=days) if days else item["name"]


def weekly_flow(week: WeeklyContext) -> Flow:
    """The steps for this unit's open items, then new problems, then the confirm screen."""
    items = week["items"]
    spec = ledger_from(week["ledger"])
    steps: list[Step] = []
    for n, it in enumerate(items, 1):
        k = item_prefix(it["id"])
        head = {"code": it["code"], "name": it["name"], "n": n, "total": len(items)}
        shown = {**head, "name": overdue_name(it)}
        card = msg("weekly.card", last=it["last"] or msg("weekly.no_progress"), **shown)
        delayed = _delayed(k + "status", int(it.get("overdue") or 0))
        status = StatusCard(
            STATUSES, texted=frozenset({PLAN, LATE}), text_field=k + "progress", default=PLAN
        )
        # One message per item: the card with its status buttons, answered by a reply to it.
        steps += [
            # a close-out asked from the week meanwhile: the item is the close-out's now
            Step(
                k + "status",
                "weekly.ask_status",
                status,
                when=_unless(k + CLOSING),
                params={"card": card},
            ),
            Step(
                k + "result", "weekly.ask_result", Text(), when=_is(k + "status", DONE), params=head
            ),
            Step(
                k + "evidence",
                "weekly.ask_evidence",
                Attachments(need_file=True),
                when=_is(k + "status", DONE),
                params=head,
            ),
            Step(
                k + "reason",
                "weekly.ask_reason",
                Text(max_len=500),
                when=delayed,
                params=head,
            ),
            Step(
                k + "planned",
                "weekly.ask_planned",
                PLANNED_DATE,
                when=delayed,
                params=head,
            ),
        ]
    steps.append(Step("new", "weekly.ask_new", Choice(options=YES_NO)))
    steps += item_steps(spec, prefix="new.", when=_is("new", "yes"))
    return Flow(
        FlowName.WEEKLY, "weekly.title", tuple(steps), summary="weekly.summary", extras=changes
    )


LISTED = 40  # changes a week's summary lists one by one: the rest are counted (one message)
FIRST = ("done", "late", "plan", "same")  # what is listed first when not all can be


def changes(values: Mapping[str, object], env: FormEnv) -> Mapping[str, object]:
    """The confirm screen's list of this week's changes (a unit's 300 problems: the first
    LISTED, close-outs and delays first, and the others counted by status)."""
    given = [
        (status, it)
        for it in map(mapping_of, list_of(values.get("items", [])))
        if (status := status_of(values, need_int(it["id"]))) is not None
    ]
    rest: Counter[str] = Counter()
    if len(given) > LISTED:
        given.sort(key=lambda g: FIRST.index(g[0]) if g[0] in FIRST else len(FIRST))
        rest = Counter(status for status, _ in given[LISTED:])
        given = given[:LISTED]
    out: list[Msg | str] = [
        msg(f"weekly.change.{status}", code=it["code"], name=it["name"]) for status, it in given
    ]
    if rest:
        out.append(
            msg(
                "batches.more_changes",
                rest=sum(rest.values()),
                **{status: rest[status] for status in FIRST},
            )
        )
    if values.get("new") == "yes" and values.get("new.name"):
        out.append(msg("weekly.change.new", name=values["new.name"]))
    return {"changes": Lines(out or [msg("weekly.change.none")]), "unit": values.get("unit", "")}


def new_item_flow(context: NewItemContext) -> Flow:
    """`/new`: the campaign's ledger fields (the unit first, for admins), then confirm."""
    spec = ledger_from(context["ledger"])
    unit = Step("unit", "new.ask_unit", Choice(source="units"), when=lambda v: not v.get("unit"))
    return Flow(
        FlowName.NEW, "new.title", (unit, *item_steps(spec)), summary="new.summary", extras=preview
    )


def preview(values: Mapping[str, object], env: FormEnv) -> Mapping[str, object]:
    """Every field of the new item, one per line, for the confirm screen."""
    spec = ledger_from(values.get("ledger"))
    lines_: list[Msg | str] = []
    for f in spec.fields:
        value = values.get(f.key)
        if f.kind == "date" and value:
            value = date.fromisoformat(str(value))
        lines_.append(
            msg("new.line", field=f.name, value=msg("form.empty") if value in (None, "") else value)
        )
    return {"fields": Lines(lines_)}


CLOSE = Flow(
    FlowName.CLOSE,
    "close.title",
    (
        Step("result", "close.ask_result", Text()),
        Step("evidence", "close.ask_evidence", Attachments(need_file=True)),
    ),
    summary="close.summary",
)

REJECT = Flow(
    FlowName.CLOSEOUT_REJECT,
    "reject.title",
    (Step("reason", "reject.ask_reason", Text(max_len=500)),),
)
