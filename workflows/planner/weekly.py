"""The weekly report: the Monday prompt to every unit, a reminder two hours before it is due,
then who has not reported, to the supervisors."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflows import keys
from workflows.forms.buttons import Verb, callback_data
from workflows.forms.deeplink import WEEK_PAGE, AppLink, week_ref
from workflows.messages import msg
from workflows.planner.state import MORNING, Plan, WeeklyState
from workflows.planner.time_left import live_left
from workflows.week.periods import WEEK, reporting_day


def plan_weekly(plan: Plan, r: WeeklyState) -> None:
    """Plan this reporting day's prompt or reminder, or after its due time the missing list."""
    state, now = plan.state, plan.now
    day = reporting_day(r.weekday, now, state.tz)
    if not state.span.started(day):  # no weekly report before the campaign begins
        return
    start = datetime.combine(day, MORNING, tzinfo=state.tz)
    due = datetime.combine(day, r.at, tzinfo=state.tz)
    if now < start:
        return
    missing = [u for u in state.units if (u, day) not in r.submitted]
    if now < due:
        remind_at = due - timedelta(hours=2)
        stage, stage_at = ("remind", remind_at) if now >= remind_at else ("prompt", start)
        text = msg(f"weekly.{stage}", name=r.name, due=due, left=live_left(due, now))
        buttons = (
            (msg("weekly.button.start"), callback_data(Verb.WEEKLY, r.index)),
            (msg("weekly_form.button"), callback_data(Verb.WFORM, r.index)),
        )
        for unit_id, chat in plan.chats_of(missing):
            # the week in the Mini App, for any liaison of the unit, until the week is over
            app = AppLink(WEEK_PAGE, unit_id, week_ref(day), due + WEEK, chat_id=chat)
            plan.add(
                keys.weekly_stage(r.index, day, stage, unit_id, chat),
                f"weekly.{stage}",
                chat,
                text,
                stage_at=stage_at,
                buttons=((msg("app.button.week"), app), *buttons),
                earlier=[keys.weekly_stage(r.index, day, "prompt", unit_id, chat)]
                if stage == "remind" and state.owed_again
                else [],
            )
        return
    if missing:
        names = [state.units[u].name for u in missing]
        for chat in state.supervisors:
            plan.add(
                keys.weekly_missing(r.index, day, chat),
                "weekly.missing",
                chat,
                msg("weekly.missing", name=r.name, due=due, units=names),
                urgent=True,
                stage_at=due,
            )
