"""A new problem and a close-out request as forms: the same steps as `/new` and `/close`, all
on one page, saved by the same code.

The new problem's fields are the campaign's ledger columns (seed 001's by default), its
category a list of the campaign's categories, its dates a date picker; each answer is checked
by `/new`'s own step for it (`workflows/forms/flow_page.py`). A close-out request is sent with its
result and its evidence in one form, from the problem's page; the files are kept on Telegram
as a file sent in the chat is, then `bot.usecases.closeout.send_closeout_ask` asks as /close does.
"""

from __future__ import annotations

from aiohttp import web

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import PageRoute
from bot.telegram.turn import Turn
from bot.usecases import closeout, items
from bot.usecases.items import add_item
from bot.web.calls import (
    TURNS,
    Call,
    PageAnswer,
    answer_done_before,
    checked_route,
    in_turn,
    json_body,
    page_text,
    refusal_response,
    refused_here,
    unit_of,
)
from bot.web.evidence import StoredFile, keep_on_telegram, read_form
from storage.models import LedgerItem, Unit
from workflows.forms.contexts import CloseAnswers, CloseContext, NewItemContext, answers_of
from workflows.forms.engine import Step
from workflows.forms.flow_page import describe, fill
from workflows.forms.inputs import Attachments, FileAnswer, FormEnv, InputError
from workflows.json_types import JSONObject
from workflows.messages import msg
from workflows.week.weekly import CLOSE, new_item_flow


def _env(turn: Turn) -> FormEnv:
    return FormEnv(now=turn.stamp.at, tz=turn.zone, options=items.categories(turn.campaign))


def _new_steps(turn: Turn, unit: Unit) -> tuple[Step, ...]:
    context = NewItemContext(unit=unit.name, ledger=turn.campaign.ledger if turn.campaign else None)
    return tuple(s for s in new_item_flow(context).steps if s.field != "unit")


def _label(turn: Turn, key: str, header: str | None) -> str | None:
    """A field's label: the campaign's own column header; in a language other than the
    campaign's, that language's name for a field the seeds know (`app.field.<key>`)."""
    tr = turn.services.translator
    if tr.locale(turn.lang) == tr.default:
        return header
    return tr.catalogs[tr.locale(turn.lang)].get(f"app.field.{key}") or header


def _unit(turn: Turn, call: Call) -> Unit | PageAnswer:
    return unit_of(turn, call)


def new_page(turn: Turn, call: Call) -> PageAnswer:
    """The new problem's fields, as /new would ask them here."""
    unit = _unit(turn, call)
    if isinstance(unit, PageAnswer):
        return unit
    env = _env(turn)
    fields = []
    for step in _new_steps(turn, unit):
        shown = describe(step, env)
        header = step.params.get("field")  # the campaign's own column header, if it has one
        shown["label"] = _label(turn, step.field, header if isinstance(header, str) else None)
        shown["label"] = shown["label"] or turn.text(shown["prompt"])
        shown["prompt"] = turn.text(shown["prompt"])
        shown["options"] = [
            {"value": o["value"], "label": turn.text(o["label"])} for o in shown["options"]
        ]
        fields.append(shown)
    title = turn.text(msg("app.new_title", unit=unit.name))
    return PageAnswer(200, {"unit": unit.name, "title": title, "fields": fields})


@checked_route
async def new_form(request: web.Request, call: Call) -> web.Response:
    """GET: the new problem's form."""
    return await in_turn(request, call, lambda turn: new_page(turn, call))


@checked_route
async def add_problem(request: web.Request, call: Call) -> web.Response:
    """POST: the new problem, each field checked by /new's step; saved as /new saves it."""
    given = await json_body(request)

    def body(turn: Turn) -> PageAnswer:
        unit = _unit(turn, call)
        if isinstance(unit, PageAnswer):
            return unit
        context = NewItemContext(
            unit=unit.name, ledger=turn.campaign.ledger if turn.campaign else None
        )
        form = fill(_new_steps(turn, unit), given, _env(turn), context)
        if form.errors:
            errors = {k: turn.text(v) for k, v in form.errors.items()}
            return PageAnswer(422, {"error": turn.text(msg("app.incomplete")), "errors": errors})
        item = add_item(act_of(turn), unit, form.values)
        turn.say(msg("new.done", code=item.code))
        return PageAnswer(200, {"code": item.code})

    return await in_turn(request, call, body)


def _item(turn: Turn, call: Call, raw: str) -> LedgerItem | PageAnswer:
    unit = _unit(turn, call)
    if isinstance(unit, PageAnswer):
        return unit
    item = items.item_by_id(turn.session, int(raw)) if raw.isdigit() else None
    if item is None or item.unit_id != unit.id:
        return refused_here(turn, 404, msg("ledger.unknown", code=raw))
    return item


def item_page(turn: Turn, call: Call, raw: str) -> PageAnswer:
    """A problem's card, and whether its close-out may be asked for now."""
    item = _item(turn, call, raw)
    if isinstance(item, PageAnswer):
        return item
    history = items.history_of(turn.session, item.id or 0)
    last = items.progress_text(history[-1]) if history else ""
    refused = closeout.may_ask(
        act_of(turn), item, reports_for_unit=turn.actor.reports_for(item.unit_id)
    )
    return PageAnswer(
        200,
        {
            "code": item.code,
            "name": item.name,
            "card": page_text(
                turn,
                items.card_with_decisions(
                    turn.session, item, turn.stamp.at.astimezone(turn.zone).date(), last
                ),
            ),
            "closable": refused is None,
            "why_not": turn.text(refused.reason) if refused is not None else "",
            "title": turn.text(msg("app.close_title", code=item.code)),
        },
    )


@checked_route
async def item_page_route(request: web.Request, call: Call) -> web.Response:
    """GET: a problem's page."""
    raw = request.match_info["item"]
    return await in_turn(request, call, lambda turn: item_page(turn, call, raw))


@checked_route
async def ask_closeout_route(request: web.Request, call: Call) -> web.Response:
    """POST (a form with files): a close-out request with its result and evidence."""
    first = await answer_done_before(request, call)
    if first is not None:  # sent again: its files are not sent to Telegram twice
        return first
    form = await read_form(request)
    raw = request.match_info["item"]

    def check(turn: Turn) -> PageAnswer:
        item = _item(turn, call, raw)
        if isinstance(item, PageAnswer):
            return item
        refused = closeout.may_ask(
            act_of(turn), item, reports_for_unit=turn.actor.reports_for(item.unit_id)
        )
        if refused is not None:
            return refused_here(turn, 409, refused.reason)
        result = fill(CLOSE.steps[:1], form.fields, FormEnv(turn.stamp.at, turn.zone), {})
        if result.errors or not form.files:
            errors = {k: turn.text(v) for k, v in result.errors.items()}
            if not form.files:
                errors["evidence"] = turn.text(msg("app.missing.evidence"))
            return PageAnswer(422, {"error": turn.text(msg("app.incomplete")), "errors": errors})
        caption = turn.text(msg("app.evidence_caption", code=item.code, name=""))
        return PageAnswer(
            200,
            {
                "version": item.version,
                "caption": caption,
                "code": item.code,
                "name": item.name,
                "result": result.values["result"],
            },
        )

    turn_, checked = await request.app[TURNS].run(call.source, check, send=False)
    if turn_ is None or checked is None:
        return refusal_response(request, 403, msg("app.refused.forged"))
    if checked.status >= 400:
        return web.json_response({"ok": False, **checked.data, "said": []}, status=checked.status)
    kept: list[JSONObject] = []
    for upload in form.files:
        stored = await keep_on_telegram(request, call, upload, str(checked.data["caption"]))
        if not isinstance(stored, StoredFile):
            return stored
        kept.append(stored.file)

    def ask(turn: Turn) -> PageAnswer:
        try:
            evidence: JSONObject | None = None
            kind = Attachments(need_file=True)
            env = FormEnv(turn.stamp.at, turn.zone)
            for f in kept:
                answer = FileAnswer.of(f)
                evidence = kind.collect(evidence, answer, env)
        except InputError as err:
            return refused_here(turn, 422, err.message)
        asked = CloseContext(
            item_id=int(raw),
            version=int(checked.data["version"]),
            code=str(checked.data["code"]),
            name=str(checked.data["name"]),
        )
        given = answers_of({"result": checked.data["result"], "evidence": evidence}, CloseAnswers)
        with acting(turn) as act:
            sent = closeout.send_closeout_ask(act, asked, given)
        if not sent:
            return PageAnswer(409, {"error": turn.text(turn.replies.pop().text)})
        return PageAnswer(200, {"done": True})

    return await in_turn(request, call, ask)


ROUTES: tuple[PageRoute, ...] = (
    PageRoute("GET", "api/new", new_form),
    PageRoute("POST", "api/new", add_problem),
    PageRoute("GET", "api/items/{item}", item_page_route),
)
# the close-out asked from an item's page: the close-out feature's, as /close is
CLOSEOUT_ROUTES: tuple[PageRoute, ...] = (
    PageRoute("POST", "api/items/{item}/closeout", ask_closeout_route),
)
