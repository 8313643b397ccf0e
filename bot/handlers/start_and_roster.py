"""Starting and the roster: /start, /help, /bind, /role, /register, /roster, /lang, navigation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from bot.delivery.acts import acting
from bot.handlers import weekly_private
from bot.telegram.feature import Feature, FlowBinding
from bot.telegram.turn import Turn
from bot.usecases.register import register_as_liaison
from storage import campaigns, chats, people, sightings
from storage.models import Person, saved_id
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
from workflows.guards import required
from workflows.messages import Msg, lines, msg
from workflows.people.binding import SUPERVISORS, bind_flow, unit_options
from workflows.people.registration import REGISTER
from workflows.people.roles import CommandName, Role, commands_for
from workflows.words import LANGUAGE_WORDS, ROLE_WORDS, TELEGRAM_ID, whole_number


def role_name(role: Role | None) -> Msg:
    """The localised name of a role."""
    return msg(f"role.name.{role.value if role else 'none'}")


def cmd_start(turn: Turn, args: list[str]) -> None:
    """Greet, and say what to do next; a deep link's payload opens its task instead."""
    if weekly_private.is_weekly_payload(args):
        weekly_private.start_from_link(turn, args[0])
        return
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
    names = [u.name for u in campaigns.units_of(turn.session, turn.campaign.id)]
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
    campaign_id = required(required(turn.campaign, "the active campaign").id, "the campaign's id")
    if chosen == SUPERVISORS:
        chats.bind_supervisors(turn.session, turn.chat, turn.stamp)
        turn.say(msg("bind.done_supervisors"))
        return
    unit = campaigns.unit_named(turn.session, campaign_id, chosen)
    if unit is None or unit.id is None:
        turn.say(msg("bind.unknown_unit", text=chosen))
        return
    chats.bind(turn.session, turn.chat, unit.id, turn.stamp)
    turn.say(msg("bind.done", unit=unit.name))


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
    if turn.actor.oversees_all:
        rows = people.roster(turn.session, turn.campaign.id)
        units = campaigns.units_of(turn.session, turn.campaign.id)
    else:
        rows = [
            r for r in people.roster(turn.session, turn.campaign.id) if r[0].id in turn.actor.units
        ]
        units = [
            u
            for u in campaigns.units_of(turn.session, turn.campaign.id)
            if u.id in turn.actor.units
        ]
    out: list[Msg | str] = [msg("roster.header", campaign=turn.campaign.name)]
    for unit in units:
        members = [p for u, p in rows if u.id == unit.id]
        out.append(msg("roster.unit", unit=unit.name, count=len(members)))
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


def _target(turn: Turn, args: list[str]) -> tuple[Person | None, list[str]]:
    """The person a /role command is about: a replied-to message, a user id, or @username."""
    replied = turn.source.replied
    if replied is not None and replied.sender is not None and not replied.from_bot:
        u = replied.sender
        person = people.touch_person(
            turn.session,
            user_id=u.user_id,
            username=u.username,
            display_name=u.full_name,
            stamp=turn.stamp,
        )
        return person, args
    if not args:
        return None, args
    who, rest = args[0], args[1:]
    user_id = whole_number(who, TELEGRAM_ID)
    if user_id is not None:
        known = people.person_by_user(turn.session, user_id)
        if known is None:
            known = people.touch_person(
                turn.session, user_id=user_id, username=None, display_name="", stamp=turn.stamp
            )
        return known, rest
    if who.startswith("@"):
        return people.person_by_username(turn.session, who), rest
    return None, args


def cmd_role(turn: Turn, args: list[str]) -> None:
    """`/role <user id | @username | as a reply> liaison|supervisor|admin|none [unit]`."""
    person, rest = _target(turn, args)
    if person is None:
        turn.say(
            msg(
                "role.who" if args and args[0].startswith("@") else "role.usage",
                text=args[0] if args else "",
            )
        )
        return
    if not rest or rest[0].lower() not in ROLE_WORDS:
        turn.say(msg("role.usage"))
        return
    role = ROLE_WORDS[rest[0].lower()]
    unit_id = None
    unit_name = ""
    if role is Role.LIAISON:
        unit = turn.unit
        if len(rest) > 1 and turn.campaign is not None and turn.campaign.id is not None:
            unit = campaigns.unit_named(turn.session, turn.campaign.id, " ".join(rest[1:]))
            if unit is None:
                turn.say(msg("bind.unknown_unit", text=" ".join(rest[1:])))
                return
        if unit is None:
            turn.say(msg("role.needs_unit"))
            return
        unit_id, unit_name = unit.id, unit.name
    if person.user_id == turn.person.user_id:  # an admin must not lock themselves out by accident
        turn.say(msg("role.not_self"))
        return
    people.set_role(turn.session, person, role, unit_id, turn.stamp)
    who = (
        person.name
        or person.display_name
        or (f"@{person.username}" if person.username else str(person.user_id))
    )
    turn.say(
        msg(
            "role.done",
            who=who,
            role=role_name(role),
            unit=msg("role.of_unit", unit=unit_name) if unit_name else "",
        )
    )


def cmd_lang(turn: Turn, args: list[str]) -> None:
    """`/lang zh_CN|en`: the language of this chat (or of the person, in private)."""
    wanted = args[0] if args else ""
    lang = LANGUAGE_WORDS.get(wanted.lower(), wanted)
    if lang not in turn.services.translator.catalogs:
        turn.say(msg("lang.usage"))
        return
    if turn.is_group:
        if not turn.actor.reports_for(turn.chat.unit_id):
            turn.say(msg("lang.group_denied"))
            return
        chats.set_chat_language(turn.session, turn.chat, lang, turn.stamp)
    else:
        people.set_language(turn.session, turn.person, lang, turn.stamp)
    turn.say(msg("lang.done"))


def members_changed(turn: Turn, joined: list[int], gone: list[int]) -> None:
    """People added to the group, or gone from it: kept as who is in it, so that a supervisor
    in the supervisors' group hears there only (`storage/sightings.py`)."""
    sightings.saw(turn.session, turn.chat.chat_id, joined, turn.stamp.at)
    for user_id in gone:
        sightings.left(turn.session, turn.chat.chat_id, user_id)


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
