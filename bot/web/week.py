"""The week on one screen: the unit's open problems, each answered as in the chat, one submit.

The page's answers are written into the person's weekly draft — the same draft the chat flow
keeps, wherever it was begun, opened and begun through the registry the chat reads
(`bot.telegram.feature.Registry`: the flow registered as the weekly update is the one the
page shows) — checked by the weekly update's own steps (`workflows/week/week_page.py`); the submit
saves the week with the chat flow's own code (`bot.usecases.week.submit_week`,
`workflows/week/weekly_update.decide_week`) and posts its one summary in the unit's groups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime

from aiohttp import web

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import OpenFlow, PageRoute, Registry
from bot.telegram.turn import Turn
from bot.usecases import week as weeks
from bot.web.calls import (
    Call,
    PageAnswer,
    answer_done_before,
    checked_route,
    in_turn,
    json_body,
    refused_here,
    registry_of,
    unit_of,
)
from bot.web.evidence import StoredFile, read_upload, store_file
from storage.models import Unit, saved_id
from workflows.forms.contexts import ItemSnapshot, WeeklyContext, context_of
from workflows.forms.deeplink import WEEK_PAGE
from workflows.forms.engine import Draft, Flow
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import FormEnv, StatusCard
from workflows.json_types import JSONValue
from workflows.messages import msg
from workflows.week.week_answers import WeekAnswers, answer_of, closing_of, item_answer
from workflows.week.week_page import add_file, drop_file, missing, read_item, with_answers
from workflows.week.weekly import DONE, STATUSES, explains_delay

# a whole week's answers in one body: every problem's fields at their steps' lengths
WEEK_LIMIT = 1024 * 1024


class _Week:
    """The caller's weekly draft of the unit, loaded, with its flow."""

    def __init__(self, opened: OpenFlow) -> None:
        self.row, self.draft, self.flow = opened.row, opened.draft, opened.flow
        # the week as the update began it (checked when loaded, read here as its type)
        self.context = context_of(opened.draft, WeeklyContext)

    def save(self, turn: Turn, draft: Draft) -> None:
        """Keep the draft where it is (the group's, or the private chat's)."""
        self.row = weeks.keep_week_draft(act_of(turn), self.row, draft)
        self.draft = draft


def _env(turn: Turn) -> FormEnv:
    return FormEnv(now=turn.stamp.at, tz=turn.zone)


def _loaded(turn: Turn, registry: Registry, unit: Unit) -> _Week | PageAnswer | None:
    """The caller's open weekly draft of the unit, opened as the chat opens it; None if there
    is none; an answer when it may not go on (closed, its owner told why)."""
    row = weeks.week_draft(act_of(turn), saved_id(unit))
    if row is None:
        return None
    opened = registry.open(turn, row)
    return _Week(opened) if isinstance(opened, OpenFlow) else refused_here(turn, 410, opened)


def _begin(turn: Turn, registry: Registry, call: Call, unit: Unit) -> _Week | PageAnswer:
    """A new weekly draft, as /weekly begins one (refused as /weekly is: the week reported
    already, another liaison updating it, another flow open here)."""
    if turn.campaign is None:
        return refused_here(turn, 403, msg("bind.no_campaign"))
    period = None
    index = 0
    if call.link is not None and call.link.page == WEEK_PAGE:
        period = call.link.period
    with acting(turn) as act:
        if period is not None:
            index = weeks.report_index(act, period)
        context = weeks.weekly_context(act, unit, index, period)
    if context is None:  # the reason is said
        return PageAnswer(409, {"error": turn.text(turn.replies.pop().text)})
    if turn.draft() is not None:  # one flow at a time in a chat, as in the chat
        return refused_here(turn, 409, msg("app.busy"))
    opened = registry.begin_for_page(turn, FlowName.WEEKLY, context)
    return _Week(opened) if opened is not None else refused_here(turn, 409, msg("form.outdated"))


def _week_of(
    turn: Turn, registry: Registry, call: Call, *, begin: bool
) -> tuple[Unit, _Week] | PageAnswer:
    unit = unit_of(turn, call)
    if isinstance(unit, PageAnswer):
        return unit
    week = _loaded(turn, registry, unit)
    if week is None and begin:
        week = _begin(turn, registry, call, unit)
    elif week is None:
        week = refused_here(turn, 410, msg("app.no_week"))
    if isinstance(week, PageAnswer):
        return week
    return unit, week


def _item_json(turn: Turn, week: _Week, item: ItemSnapshot) -> dict[str, object]:
    given = answer_of(week.draft.values, item["id"])
    needs = missing(week.flow, week.draft).get(item["id"], [])
    due = item["due"]
    return {
        **_item_marks(turn, week, item),
        "id": item["id"],
        "code": item["code"],
        "name": item["name"],
        "due": turn.text(msg("app.due", due=date.fromisoformat(due))) if due else "",
        "last": item["last"] or turn.text(msg("weekly.no_progress")),
        "answer": {
            "status": given.status or "",
            "progress": given.progress,
            "result": given.result,
            "reason": given.reason,
            "planned": given.planned.isoformat() if given.planned else "",
            "files": [
                {"name": f.get("name", ""), "media": f.get("media", "")} for f in given.files
            ],
        },
        "missing": [turn.text(m) for m in needs],
    }


def _item_marks(turn: Turn, week: _Week, item: ItemSnapshot) -> dict[str, object]:
    """What the week says of an item besides its answers: 逾期 with its days (and the statuses
    that must then explain the delay), or its close-out asked from the week meanwhile."""
    days = int(item.get("overdue") or 0)
    closing = closing_of(week.draft.values, item["id"]) is not None
    return {
        "overdue": turn.text(msg("week.overdue", days=days)) if days else "",
        "delayed": [o.value for o in STATUSES if explains_delay(o.value, days)],
        "delay_note": turn.text(msg("week.overdue_plan")) if days else "",
        "closing": turn.text(msg("week.closing")) if closing else "",
        "closing_note": turn.text(msg("week.closing_note")) if closing else "",
    }


def _preview_json(turn: Turn, week: _Week, item: ItemSnapshot) -> dict[str, object]:
    """An item in the preview: each answer as the week will save it, under the words the
    form shows it with (its files are its answer's); what is still missing."""
    given = answer_of(week.draft.values, item["id"])
    label = {o.value: turn.text(o.label) for o in STATUSES}
    shown = [
        ("app.ui.preview_status", label.get(given.status or "", "")),
        ("app.ui.progress", given.progress),
        ("app.ui.result", given.result),
        ("app.ui.reason", given.reason),
        ("app.ui.planned", turn.text(msg("week.day", day=given.planned)) if given.planned else ""),
    ]
    return {
        **_item_json(turn, week, item),
        "rows": [{"label": turn.text(msg(k)), "value": v} for k, v in shown if v],
    }


def _week_json(turn: Turn, week: _Week) -> dict[str, object]:
    ctx = week.context
    return {
        "unit": ctx["unit"],
        "title": turn.text(
            msg(
                "app.week_title",
                unit=ctx["unit"],
                name=ctx["report_name"],
                period=date.fromisoformat(ctx["period"]),
            )
        ),
        "due": turn.text(msg("app.week_due", due=datetime.fromisoformat(ctx["due"]))),
        "where": "group" if week.row.chat_id < 0 else "private",
        "items": [_item_json(turn, week, it) for it in ctx["items"]],
        "statuses": [{"value": o.value, "label": turn.text(o.label)} for o in STATUSES],
        "texted": sorted(_texted(week.flow)),
    }


def _texted(flow: Flow) -> frozenset[str]:
    """The statuses whose card asks for text; none for a week with no open problem (its
    flow begins with the new-problems question, not a card)."""
    kind = flow.steps[0].kind if flow.steps else None
    return frozenset(kind.texted) if isinstance(kind, StatusCard) else frozenset()


def _week_item(
    turn: Turn, registry: Registry, call: Call, raw: str
) -> tuple[_Week, ItemSnapshot] | PageAnswer:
    """The week in progress and one of its problems (by id as the URL gives it), or 404."""
    found = _week_of(turn, registry, call, begin=False)
    if isinstance(found, PageAnswer):
        return found
    _, week = found
    item = next((it for it in week.context["items"] if str(it["id"]) == raw), None)
    if item is None:
        return refused_here(turn, 404, msg("app.not_in_week"))
    return week, item


def week_page(turn: Turn, registry: Registry, call: Call) -> PageAnswer:
    """The week as the page shows it (its draft begun here if the person has none), refused
    as /weekly is."""
    found = _week_of(turn, registry, call, begin=True)
    if isinstance(found, PageAnswer):
        return found
    return PageAnswer(200, _week_json(turn, found[1]))


@checked_route
async def show_week(request: web.Request, call: Call) -> web.Response:
    """GET: the week, refused as /weekly is."""
    return await in_turn(request, call, lambda turn: week_page(turn, registry_of(request), call))


@checked_route
async def answer_item(request: web.Request, call: Call) -> web.Response:
    """PUT: one item's answers as typed, each checked by its step; what was refused, said."""
    registry = registry_of(request)
    given = await json_body(request)
    raw = request.match_info["item"]

    def body(turn: Turn) -> PageAnswer:
        found = _week_item(turn, registry, call, raw)
        if isinstance(found, PageAnswer):
            return found
        week, item = found
        read = read_item(week.flow, week.context, week.draft.values, item["id"], given, _env(turn))
        week.save(turn, with_answers(week.flow, week.draft, read.values))
        out = _item_json(turn, week, item)
        out["errors"] = {k: turn.text(v) for k, v in read.errors.items()}
        return PageAnswer(200, out)

    return await in_turn(request, call, body)


@checked_route
async def add_evidence_route(request: web.Request, call: Call) -> web.Response:
    """POST: a photo or file for a problem reported done, uploaded from the phone; kept on
    Telegram (sent to the person's private chat) and added to the draft as a chat file is."""
    registry = registry_of(request)
    first = await answer_done_before(request, call)
    if first is not None:  # sent again: the file is not sent to Telegram twice
        return first
    upload = await read_upload(request)
    raw = request.match_info["item"]

    def check(turn: Turn) -> PageAnswer:
        found = _week_item(turn, registry, call, raw)
        if isinstance(found, PageAnswer):
            return found
        week, item = found
        if week.draft.values.get(item_answer(item["id"], "status")) != DONE:
            return refused_here(turn, 409, msg("app.evidence_when_done"))
        caption = turn.text(msg("app.evidence_caption", code=item["code"], name=upload.name))
        return PageAnswer(200, {"caption": caption})

    stored = await store_file(request, call, upload, check)
    if not isinstance(stored, StoredFile):
        return stored

    def add(turn: Turn) -> PageAnswer:
        found = _week_item(turn, registry, call, raw)
        if isinstance(found, PageAnswer):
            return found
        week, item = found
        change, error = add_file(week.flow, week.draft, item["id"], stored.file, _env(turn))
        if error is not None:
            return refused_here(turn, 422, error)
        week.save(turn, with_answers(week.flow, week.draft, change))
        return PageAnswer(200, _item_json(turn, week, item))

    return await in_turn(request, call, add)


@checked_route
async def remove_evidence(request: web.Request, call: Call) -> web.Response:
    """DELETE: one of a problem's evidence files, taken back before the week is submitted."""
    registry = registry_of(request)
    raw, index = request.match_info["item"], request.match_info["index"]

    def body(turn: Turn) -> PageAnswer:
        found = _week_item(turn, registry, call, raw)
        if isinstance(found, PageAnswer):
            return found
        week, item = found
        if not index.isdigit():
            return refused_here(turn, 404, msg("app.not_in_week"))
        change = drop_file(week.draft, item["id"], int(index))
        week.save(turn, with_answers(week.flow, week.draft, change))
        return PageAnswer(200, _item_json(turn, week, item))

    return await in_turn(request, call, body)


@checked_route
async def preview_week(request: web.Request, call: Call) -> web.Response:
    """POST {items: {id: answers}}: the whole week's answers in one call, each item checked by
    its steps and saved in the draft (as one PUT per item would), and the week as it will be
    submitted: per item its status, progress, result, reason, new date and files."""
    registry = registry_of(request)
    given = await json_body(request, WEEK_LIMIT)
    raw = given.get("items")
    sent: Mapping[str, object] = raw if isinstance(raw, dict) else {}

    def body(turn: Turn) -> PageAnswer:
        found = _week_of(turn, registry, call, begin=False)
        if isinstance(found, PageAnswer):
            return found
        _, week = found
        errors: dict[str, dict[str, str]] = {}
        values: dict[str, JSONValue] = {}
        for item in week.context["items"]:
            answers = sent.get(str(item["id"]))
            if not isinstance(answers, dict) or closing_of(week.draft.values, item["id"]):
                continue
            now = {**week.draft.values, **values}
            read = read_item(week.flow, week.context, now, item["id"], answers, _env(turn))
            values.update(read.values)
            if read.errors:
                errors[str(item["id"])] = {k: turn.text(v) for k, v in read.errors.items()}
        week.save(turn, with_answers(week.flow, week.draft, values))
        shown = [_preview_json(turn, week, it) for it in week.context["items"]]
        for one in shown:
            one["errors"] = errors.get(str(one["id"]), {})
        ready = not any(one["missing"] or one["errors"] for one in shown)
        return PageAnswer(200, {"items": shown, "ready": ready})

    return await in_turn(request, call, body)


@checked_route
async def week_submit(request: web.Request, call: Call) -> web.Response:
    """POST: the week saved as the chat saves it, once nothing is missing; its one summary
    goes to the unit's groups."""
    registry = registry_of(request)

    def body(turn: Turn) -> PageAnswer:
        found = _week_of(turn, registry, call, begin=False)
        if isinstance(found, PageAnswer):
            return found
        _, week = found
        values = {**week.draft.values}
        values.setdefault("new", "no")  # new problems have their own form
        needs = missing(week.flow, replace(week.draft, values=values))
        if needs:
            shown = {str(k): [turn.text(m) for m in v] for k, v in needs.items()}
            return PageAnswer(422, {"error": turn.text(msg("app.incomplete")), "missing": shown})
        with acting(turn) as act:
            weeks.drop_week_draft(act, week.row)
            turn.keep_draft(None)
            weeks.submit_week(act, week.context, WeekAnswers(values), to_groups=True, in_page=True)
        return PageAnswer(200, {"done": True})

    return await in_turn(request, call, body)


ROUTES: tuple[PageRoute, ...] = (
    PageRoute("GET", "api/week", show_week),
    PageRoute("PUT", "api/week/items/{item}", answer_item),
    PageRoute("POST", "api/week/items/{item}/files", add_evidence_route),
    PageRoute("DELETE", "api/week/items/{item}/files/{index}", remove_evidence),
    PageRoute("POST", "api/week/preview", preview_week),
    PageRoute("POST", "api/week/submit", week_submit),
)
