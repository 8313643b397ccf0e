"""A week's report submitted: the one door every weekly update goes through, whether it was
answered step by step in a chat, in the Mini App or in the filled workbook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.usecases.act import Act
from bot.usecases.corrections import apply_week, save_correction
from bot.usecases.items import add_item
from storage import chats, submissions
from storage.models import LedgerItem, Unit, saved_id
from workflows import keys
from workflows.contexts import WeeklyContext
from workflows.messages import Msg, lines, msg
from workflows.planner import Planned
from workflows.submission import is_on_time
from workflows.weekly_update import ItemNow, decide_week


class SubmitOutcome(StrEnum):
    """What became of a submitted week."""

    SAVED = "saved"  # the week's answers saved, its submission recorded
    ALREADY = "already"  # another liaison submitted the week first: nothing saved
    CORRECTION = "correction"  # a correction of a submitted week (saved, or asked)
    GONE = "gone"  # the unit no longer exists


@dataclass(frozen=True)
class WeekSubmitted:
    """A submitted week: what became of it, the short id of the new problem it added (if
    any), and the items others changed meanwhile (not saved)."""

    outcome: SubmitOutcome
    new_code: str = ""
    conflicts: tuple[str, ...] = ()


def _save(
    act: Act, ctx: Mapping[str, Any], values: Mapping[str, Any], *, in_page: bool
) -> WeekSubmitted:
    """Save a week's answers and say its summary (or, for a correction, save or ask it)."""
    if ctx.get("correcting"):
        save_correction(act, ctx, values, in_page=in_page)
        return WeekSubmitted(SubmitOutcome.CORRECTION)
    unit = act.session.get(Unit, ctx["unit_id"])
    if unit is None:
        return WeekSubmitted(SubmitOutcome.GONE)
    period = date.fromisoformat(ctx["period"])
    name = ctx["report_name"]
    due = datetime.fromisoformat(ctx["due"])
    try:  # the week is claimed first: of two liaisons confirming at once, one saves
        submissions.record_submission(
            act.session,
            unit_id=saved_id(unit),
            stamp=act.stamp,
            on_time=is_on_time(due, act.stamp.at),
            report_name=name,
            period_start=period,
        )
    except submissions.AlreadySubmitted as done:
        act.say(msg("weekly.already", unit=unit.name, name=name, at=done.first.submitted_at))
        return WeekSubmitted(SubmitOutcome.ALREADY)
    rows = {it["id"]: act.session.get(LedgerItem, it["id"]) for it in ctx["items"]}
    items = {i: row for i, row in rows.items() if row is not None}
    current = {i: ItemNow(i, row.code, row.version, row.fields) for i, row in items.items()}
    week = decide_week(ctx, values, current, at=act.stamp.at)
    raced = apply_week(act, week, items)
    new_code = add_item(act, unit, values, prefix="new.").code if week.new_item else ""
    act.say(week.summary(new_code))
    if week.conflicts or raced:
        said = "week.conflicts" if in_page else "weekly.conflicts"
        act.say(msg(said, codes=[*week.conflicts, *raced]))
    return WeekSubmitted(SubmitOutcome.SAVED, new_code, (*week.conflicts, *raced))


def submit_week(
    act: Act,
    week: WeeklyContext | Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    to_groups: bool,
    in_page: bool = False,
) -> WeekSubmitted:
    """Save the week and say its summary to the one acting; `to_groups`: tell the unit's
    groups the summary too (a week done in private, in the Mini App or by workbook, where the
    group saw nothing); `in_page`: from the Mini App, whose words point to no chat command."""
    said = len(act.said)
    done = _save(act, week, values, in_page=in_page)
    if to_groups and not week.get("correcting"):  # a correction posts its one line itself
        summary = lines([t for t in act.said[said:] if isinstance(t, Msg)])
        period = date.fromisoformat(week["period"])
        groups = chats.chats_of_unit(act.session, week["unit_id"])
        act.tell(
            Planned(
                keys.weekly_summary(week["unit_id"], period, g.chat_id),
                "weekly.summary",
                g.chat_id,
                summary,
                act.stamp.at,
            )
            for g in groups
        )
    return done
