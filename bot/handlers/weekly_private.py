"""私聊填写: a weekly update moved from the group to the private chat, by a deep link.

A long update costs a group one message per item; in the private chat it runs at the
private chat's pace, and the group gets one summary at the end. The 私聊填写 button answers
the press with a `t.me/<bot>?start=<payload>` link bound to the person who pressed it, the
unit and the week; it opens the private chat even for a liaison who never wrote to the bot.
"""

from __future__ import annotations

from bot.delivery.acts import act_of, acting
from bot.telegram.feature import Feature
from bot.telegram.turn import Turn
from bot.telegram.weekly_start import begin_weekly
from bot.usecases.callers import unit_by_id
from bot.usecases.week import carry_over_week, report_index, weekly_context, weekly_report
from storage.models import Unit, saved_id
from workflows.forms.buttons import Action, Verb
from workflows.forms.deeplink import (
    LIFETIME,
    PREFIX,
    LinkError,
    WeeklyLink,
    link_key,
    make_payload,
    read_payload,
)
from workflows.messages import msg


def _key(turn: Turn) -> bytes:
    return link_key(turn.services.settings.telegram_bot_token or "")


def offer(turn: Turn, pressed: Action) -> None:
    """The 私聊填写 press: a toast for those who may not, the private chat's link for a liaison."""
    unit = turn.unit
    if turn.campaign is None or unit is None or unit.id is None:
        turn.notice = turn.text(msg("form.stale_button"))
        return
    if not turn.actor.reports_for(unit.id):
        turn.notice = turn.text(msg("submit.not_liaison", unit=unit.name))
        return
    _, period, _ = weekly_report(act_of(turn), pressed.ref, unit.id)
    link = WeeklyLink(turn.person.user_id, unit.id, period, turn.stamp.at + LIFETIME)
    username = turn.source.bot_username
    turn.notice = ""
    turn.notice_url = f"https://t.me/{username}?start={make_payload(_key(turn), link)}"


def start_from_link(turn: Turn, payload: str) -> None:
    """`/start <payload>` in private: check the link, then run the week's update here."""
    if turn.is_group:
        turn.say(msg("command.private_only", command="start"))
        return
    try:
        link = read_payload(_key(turn), payload, turn.stamp.at)
    except LinkError as err:
        expired = err.reason == "expired"
        turn.say(msg("weekly.link_expired") if expired else msg("weekly.link_forged"))
        return
    unit = unit_by_id(turn.session, link.unit_id)
    if link.user_id != turn.person.user_id:
        turn.say(msg("weekly.link_not_yours"))
        return
    if turn.campaign is None or unit is None or unit.campaign_id != turn.campaign.id:
        turn.say(msg("weekly.link_expired"))
        return
    if not turn.actor.reports_for(saved_id(unit)):
        turn.say(msg("submit.not_liaison", unit=unit.name))
        return
    if _carry_over(turn, unit):
        return
    with acting(turn) as act:
        context = weekly_context(act, unit, report_index(act, link.period), link.period)
    if context is not None:
        begin_weekly(turn, unit, context)


def _carry_over(turn: Turn, unit: Unit) -> bool:
    """An update begun in the group goes on here, where it stands (nothing typed is lost)."""
    if turn.draft() is not None:
        return False  # something is open here already: beginning says so
    moved = carry_over_week(act_of(turn), unit, turn.source.message_id)
    if moved is None:
        return False
    turn.keep_draft(moved)
    turn.say(msg("weekly.moved_here", unit=unit.name))
    turn.resume()
    return True


FEATURE = Feature("weekly_private", presses={Verb.WPRIV: offer}, starts={PREFIX: start_from_link})
