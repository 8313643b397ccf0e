"""The dispatcher: which feature's handler a turn goes to, and the flows it runs.

A command goes to its feature's handler once its rule (`workflows.people.roles.CommandName`)
allows it here; a press goes to its feature's handler once `bot/telegram/press_permission.py`
has checked its verb's rule (`workflows.forms.buttons.Verb`); a reply or a file goes to the
speaker's open flow (a file may be a workbook a feature reads first). A handler asks for a
flow with `Turn.begin`; `settle` starts it after the handler returns, and a finished flow's
values go to its binding's `finish`. The form engine (`bot/telegram/flows.py`) never calls a
handler itself.
"""

from __future__ import annotations

from bot.telegram import flows, press_permission
from bot.telegram.feature import OpenFlow, Registry
from bot.telegram.turn import Navigate, Resume, Turn
from storage import chats, drafts
from storage.models import FormDraft
from workflows.forms import buttons
from workflows.forms.buttons import Action, FormPress
from workflows.forms.engine import Nav
from workflows.forms.inputs import Answer, Attachments, ChoiceAnswer, File, FileAnswer, TextAnswer
from workflows.messages import msg
from workflows.people.roles import BY_NAME, may

SETTLE_ROUNDS = 8  # a finish may begin another flow; never loop for ever


def _open(turn: Turn, registry: Registry, row: FormDraft | None = None) -> OpenFlow | None:
    """The speaker's open flow here (or the draft `row`), loaded; a draft that may no longer
    go on is closed with a word to its owner, and counts as none."""
    row = row if row is not None else turn.draft()
    opened = registry.open(turn, row) if row is not None else None
    return opened if isinstance(opened, OpenFlow) else None


def settle_requests(turn: Turn, registry: Registry) -> None:
    """Begin the flows the handlers asked for (or show the one already open)."""
    for _ in range(SETTLE_ROUNDS):
        if not turn.requests:
            return
        request = turn.requests.pop(0)
        if isinstance(request, Navigate):
            if not answer(turn, registry, request.kind):
                turn.say(msg("form.nothing_open"))
            continue
        current = _open(turn, registry)
        if isinstance(request, Resume):
            if current is not None:
                env = flows.env_for(turn, current.binding.options(turn))
                flows.resume_in_chat(turn, current.flow, current.draft, env, current.row)
            continue
        if current is not None:  # one flow at a time: the open one is shown again
            env = flows.env_for(turn, current.binding.options(turn))
            turn.say(msg("form.busy", title=msg(current.flow.title)))
            flows.resume_in_chat(turn, current.flow, current.draft, env, current.row)
            continue
        registry.begin_in_chat(turn, request)
    turn.requests.clear()


def answer(turn: Turn, registry: Registry, given: Answer | Nav) -> bool:
    """Feed an answer (or /back, /skip, /cancel) to the speaker's open flow; False if none."""
    had = turn.draft() is not None
    current = _open(turn, registry)
    if current is None:
        return had  # closed as over or outdated: its word is said
    env = flows.env_for(turn, current.binding.options(turn))
    outcome = flows.advance_in_chat(turn, current.flow, current.draft, given, env, current.row)
    current.binding.settle(turn, current.draft, outcome)
    return True


def press_form(turn: Turn, registry: Registry, pressed: FormPress | None) -> None:
    """A pressed form button (None: forged or unknown data); anyone's but the draft owner's,
    or a stale one, is refused with a toast."""
    row = drafts.draft_by_id(turn.session, pressed.draft_id) if pressed is not None else None
    if pressed is None or row is None or row.chat_id != turn.chat.chat_id:
        turn.notice = turn.text(msg("form.stale_button"))
        return
    if row.user_id != turn.person.user_id:
        turn.notice = turn.text(msg("form.not_yours"))
        return
    turn.keep_draft(row)
    turn.notice = ""
    current = _open(turn, registry, row)
    if current is None:
        return
    if pressed.rev != current.draft.rev:
        turn.notice = turn.text(msg("form.stale_button"))
        return
    env = flows.env_for(turn, current.binding.options(turn))
    # The pressed message keeps its keyboard: an edit to remove it would cost the group a
    # message of its budget, and a press on a stale button is refused by its revision.
    outcome = flows.advance_in_chat(
        turn, current.flow, current.draft, ChoiceAnswer(pressed.index), env, current.row
    )
    current.binding.settle(turn, current.draft, outcome)


def waiting(turn: Turn) -> bool:
    """In a group not yet bound, say once that it waits for an admin's /bind."""
    if not turn.is_group or turn.chat.unit_id is not None or turn.chat.supervisors:
        return False
    if not turn.chat.waiting_notice_sent:
        turn.say(msg("bind.waiting"))
        chats.mark_waiting_notice(turn.session, turn.chat)
    return True


def command(turn: Turn, registry: Registry, name: str, args: list[str]) -> None:
    """Check where and by whom a command may be used, then run it."""
    if name != "bind" and waiting(turn):
        return
    spec = BY_NAME.get(name)
    handler = registry.command_handler(name, args)
    if spec is None or handler is None:
        turn.say(msg("command.unknown", command=name))
    elif not may(turn.actor, name):
        turn.say(msg("command.denied", command=name))
    elif spec.where == "group" and not turn.is_group:
        turn.say(msg("command.group_only", command=name))
    elif spec.where == "private" and turn.is_group:
        turn.say(msg("command.private_only", command=name))
    else:
        handler(turn, args)


def press(turn: Turn, registry: Registry, data: str) -> None:
    """Form buttons (`f:…`) feed the open flow; action buttons (`a:verb:ref`) run their
    feature's handler if the presser's roles allow it; forged or unknown data is stale."""
    pressed = buttons.parse(data)
    if isinstance(pressed, Action) and pressed.verb in registry.presses:
        turn.notice = ""
        if press_permission.admit(turn, pressed):
            registry.presses[pressed.verb](turn, pressed)
        return
    press_form(turn, registry, pressed if isinstance(pressed, FormPress) else None)


def _takes_files(turn: Turn, registry: Registry) -> bool | None:
    """Whether the speaker's open flow here waits for a file; None if no flow is open."""
    row = turn.draft()
    binding = registry.flows.get(row.flow) if row is not None else None
    if row is None or binding is None:
        return None
    found = binding.load(row)
    if found is None:
        return False
    draft, steps = found.draft, found.flow.steps
    return draft.step < len(steps) and isinstance(steps[draft.step].kind, Attachments | File)


def message(turn: Turn, registry: Registry, given: Answer) -> None:
    """A reply to a prompt (in groups) or any message (in private): a file a feature reads
    first (a workbook), else an answer to the open flow, else a reply a feature takes."""
    if isinstance(given, FileAnswer):
        takes = _takes_files(turn, registry)
        if any(hook(turn, given, takes) for hook in registry.files):
            return
    if waiting(turn):
        return
    row = turn.draft()
    if row is not None and flows.replied_elsewhere(turn, row):
        current = _open(turn, registry)
        if current is not None:
            turn.say(msg("form.replied_elsewhere", title=msg(current.flow.title)))
        return
    if answer(turn, registry, given):
        return
    if isinstance(given, TextAnswer) and any(hook(turn, given) for hook in registry.replies):
        return
    turn.say(msg("form.nothing_open"))


def edited(turn: Turn, registry: Registry) -> None:
    """An edited message changes no answer: with a flow open, say to reply again instead."""
    row = turn.draft()
    if row is not None and row.flow in registry.flows:
        turn.say(msg("form.edited"))
