"""What a week's answers do to the ledger: one decision for the step-by-step update and the form.

Given the update's context (the items as they stood when it began) and the answers (keyed
`i{item_id}.status|progress|note|result|evidence|reason|planned`), and the items as they
stand now, it decides each item's change, the progress to record, the close-outs to ask for,
and the summary to post. Storage applies it; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from workflows.deliverables.submission import is_on_time, on_time_msg
from workflows.forms.contexts import WeeklyContext
from workflows.json_types import JSONValue
from workflows.messages import Msg, msg
from workflows.problems import closeout
from workflows.problems.ledger import ItemChanges, Progress
from workflows.week.week_answers import WeekAnswers
from workflows.week.weekly import DONE, LATE, PLAN


@dataclass(frozen=True)
class ItemNow:
    """An item as it stands when the week is saved."""

    id: int
    code: str
    version: int
    fields: Mapping[str, JSONValue]


@dataclass(frozen=True)
class ItemChange:
    """What the week does to one item: its new status or fields, and the progress recorded."""

    item_id: int
    code: str
    expected_version: int
    changes: ItemChanges  # none when only progress is recorded
    progress: Progress

    @property
    def closing(self) -> bool:
        """Whether the item is reported done, so its close-out is asked for."""
        return self.progress.status == DONE


@dataclass(frozen=True)
class WeekUpdate:
    """The decision: per-item changes, items someone else changed meanwhile, and the summary."""

    unit: str
    report_name: str
    period: date
    due: datetime
    at: datetime
    changes: tuple[ItemChange, ...]
    conflicts: tuple[str, ...]
    answered: int  # items in the update, less those someone else changed meanwhile
    new_item: bool
    asked_closing: int = 0  # close-outs asked from the week before it was submitted

    @property
    def closeouts(self) -> tuple[ItemChange, ...]:
        """The items whose close-out the supervisors are asked to approve."""
        return tuple(c for c in self.changes if c.closing)

    @property
    def on_time(self) -> bool:
        """Whether the week is reported by its due time."""
        return is_on_time(self.due, self.at)

    def summary(self, new_code: str = "") -> Msg:
        """The message posted when the week is saved (`✅ 轮台县已报送本周“工作台账”…`)."""
        return msg(
            "weekly.done",
            unit=self.unit,
            name=self.report_name,
            count=self.answered,
            closing=len(self.closeouts) + self.asked_closing,
            new=msg("weekly.done_new", code=new_code) if new_code else "",
            status=on_time_msg(self.due, self.at),
        )


def decide_week(
    context: WeeklyContext,
    answers: WeekAnswers,
    current: Mapping[int, ItemNow],
    *,
    at: datetime,
) -> WeekUpdate:
    """Each answered item's change and progress; an item whose version moved on is left alone."""
    changes: list[ItemChange] = []
    conflicts: list[str] = []
    closing = 0  # close-outs the liaison asked from the week meanwhile: theirs, not a conflict
    period = date.fromisoformat(context["period"])
    for it in context["items"]:
        given = answers.item(it["id"])
        item = current.get(it["id"])
        if item is None:
            continue
        if answers.closing(it["id"]) is not None:
            closing += 1
            continue
        if given.status is None:
            continue
        if item.version != it["version"]:  # someone else changed it: theirs stands
            conflicts.append(item.code)
            continue
        change = ItemChanges()
        if given.status == DONE:  # a close-out asked for, as /close asks it
            change, progress = closeout.asked(
                result=given.result, files=given.files, week_of=period, text=given.progress
            )
        else:
            if given.status in (LATE, PLAN) and given.planned:  # a plan explained anew
                change = ItemChanges(
                    fields={**item.fields, "planned_on": given.planned.isoformat()}
                )
            progress = Progress(
                status=given.status,
                week_of=period,
                text=given.progress,
                reason=given.reason,
                new_due_on=given.planned,
            )
        changes.append(ItemChange(item.id, item.code, it["version"], change, progress))
    return WeekUpdate(
        unit=context["unit"],
        report_name=context["report_name"],
        period=period,
        due=datetime.fromisoformat(context["due"]),
        at=at,
        changes=tuple(changes),
        conflicts=tuple(conflicts),
        answered=len(context["items"]) - len(conflicts),
        new_item=answers.adds_new,
        asked_closing=closing,
    )


def summary_to_groups(*, in_group: bool) -> bool:
    """A week reported in the private chat is summed up in the unit's groups too; one reported
    in a group was seen there already."""
    return not in_group
