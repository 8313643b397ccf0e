"""Starting and the roster: /start, /help, /bind, /role, /register, /roster, /lang, navigation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from bot.delivery.acts import act_of, acting, say_result
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from bot.usecases.register import register_as_liaison, roster_in_view
from bot.usecases.setup import (
    Someone,
    assign_role,
    bind_chat,
    choose_language,
    note_members,
    role_name,
)
from bot.usecases.units import campaign_units
from storage.models import saved_id
from workflows.forms.contexts import (
    BindAnswers,
    BindContext,
    RegisterAnswers,
    RegisterContext,
    reader,
)
from workflows.forms.engine import Nav
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import UNITS, Option, TextAnswer
from workflows.messages import Msg, lines, msg
from workflows.people.binding import SUPERVISORS, bind_flow, unit_options
from workflows.people.registration import REGISTER
from workflows.people.roles import CommandName, commands_for


def cmd_start(turn: Turn, args: list[str]) -> None:
    """Greet, and say what to do next (a deep link's payload goes, by the registry, to the
    feature whose link it is: `Feature.starts`)."""
    turn.say(
        msg("start.group" if turn.is_group else "start.private", name=turn.person.display_name)
    )
    cmd_help(turn, args)


def cmd_help(turn: Turn, args: list[str]) -> None:
    """The commands this person may use here."""
    out: list[Msg | str] = [
        msg(
            "help.header",
            roles=[role_name(r) for r in sorted(turn.actor.roles)] or [role_name(None)],
        )
    ]
    for command in commands_for(turn.actor):
        if command.where == "group" and not turn.is_group:
            continue
        out.append(msg("help.line", command=command.name, text=msg(f"help.cmd.{command.name}")))
    turn.say(lines(out))


def _units_for(turn: Turn) -> Mapping[str, Sequence[Option]]:
    if turn.campaign is None or turn.campaign.id is None:
        return {}
    names = [u.name for u in campaign_units(act_of(turn))]
    return {UNITS: [*unit_options(names), Option(SUPERVISORS, msg("bind.supervisors"))]}


def cmd_bind(turn: Turn, args: list[str]) -> None:
    """Bind this group to a unit: `/bind 轮台县`, or `/bind` and pick a button."""
    if turn.campaign is None:
        turn.say(msg("bind.no_campaign"))
        return
    current = turn.unit
    bound = current is not None or turn.chat.supervisors
    shown = current.name if current else (turn.text(msg("bind.supervisors")) if bound else "")
    context = BindContext(rebinding=bound, current=shown)
    prefill = {"unit": TextAnswer(" ".join(args))} if args else None
    turn.begin(FlowName.BIND, context=context, prefill=prefill)


def _finish_bind(turn: Turn, binding: BindContext, given: BindAnswers) -> None:
    chosen = given["unit"]
    say_result(turn, bind_chat(act_of(turn), turn.chat, chosen))


def cmd_register(turn: Turn, args: list[str]) -> None:
    """Register as a liaison of this group's unit."""
    unit = turn.unit
    if unit is None:
        turn.say(msg("register.not_bound"))
        return
    turn.begin(FlowName.REGISTER, context=RegisterContext(unit=unit.name, unit_id=saved_id(unit)))


def _finish_register(turn: Turn, registering: RegisterContext, given: RegisterAnswers) -> None:
    unit_id = int(registering["unit_id"])
    with acting(turn) as act:
        register_as_liaison(
            act,
            name=given["name"],
            position=given["position"],
            phone=given["phone"],
            unit_id=unit_id,
            unit_name=registering["unit"],
        )


def cmd_roster(turn: Turn, args: list[str]) -> None:
    """The roster: one's own unit, or every unit for admins and supervisors."""
    if turn.campaign is None or turn.campaign.id is None:
        turn.say(msg("bind.no_campaign"))
        return
    out: list[Msg | str] = [msg("roster.header", campaign=turn.campaign.name)]
    for listed in roster_in_view(act_of(turn)):
        members = listed.liaisons
        out.append(msg("roster.unit", unit=listed.unit.name, count=len(members)))
        if not members:
            out.append(msg("roster.none"))
        for person in members:
            out.append(
                msg(
                    "roster.line",
                    name=person.name or "",
                    position=person.position or "",
                    phone=person.phone or "",
                )
            )
    turn.say(lines(out))


def _replied(turn: Turn) -> Someone | None:
    """The author of the message replied to, unless it is a bot's."""
    replied = turn.source.replied
    if replied is None or replied.sender is None or replied.from_bot:
        return None
    sender = replied.sender
    return Someone(sender.user_id, sender.username, sender.full_name)


def cmd_role(turn: Turn, args: list[str]) -> None:
    """`/role <user id | @username | as a reply> liaison|supervisor|admin|none [unit]`."""
    say_result(turn, assign_role(act_of(turn), _replied(turn), args, turn.unit))


def cmd_lang(turn: Turn, args: list[str]) -> None:
    """`/lang zh_CN|en`: the language of this chat (or of the person, in private)."""
    known = turn.services.translator.catalogs
    group = turn.chat if turn.is_group else None
    say_result(turn, choose_language(act_of(turn), args[0] if args else "", known, group=group))


def members_changed(turn: Turn, joined: list[int], gone: list[int]) -> None:
    """People added to the group, or gone from it: kept as who is in it, so that a supervisor
    in the supervisors' group hears there only (`storage/sightings.py`)."""
    note_members(turn.session, turn.chat.chat_id, joined, gone, turn.stamp.at)


def nav(kind: Nav) -> Callable[[Turn, list[str]], None]:
    """/back, /skip or /cancel on the speaker's open flow."""

    def command(turn: Turn, args: list[str]) -> None:
        turn.navigate(kind)

    return command


FEATURE = Feature(
    "start_and_roster",
    commands={
        CommandName.START: cmd_start,
        CommandName.HELP: cmd_help,
        CommandName.BIND: cmd_bind,
        CommandName.REGISTER: cmd_register,
        CommandName.ROSTER: cmd_roster,
        CommandName.ROLE: cmd_role,
        CommandName.LANG: cmd_lang,
        CommandName.BACK: nav("back"),
        CommandName.SKIP: nav("skip"),
        CommandName.CANCEL: nav("cancel"),
    },
    flows={
        FlowName.BIND: FlowBinding(
            lambda ctx: bind_flow(rebinding=bool(ctx.get("rebinding"))),
            _finish_bind,
            _units_for,
            context=BindContext,
            answers=reader(BindAnswers),
        ),
        FlowName.REGISTER: FlowBinding(
            lambda ctx: REGISTER,
            _finish_register,
            context=RegisterContext,
            answers=reader(RegisterAnswers),
        ),
    },
)
