"""The one check before a button's handler runs: may this person press it at all?"""

from __future__ import annotations

from bot.telegram.turn import Turn
from workflows.forms.buttons import Action


def admit(turn: Turn, pressed: Action) -> bool:
    """Whether the presser's roles allow the button; if not, the refusal is the press's toast.

    Only roles are checked here (the verb's rule, `workflows.forms.buttons.Verb`); a button whose
    rule has a scope (this unit's liaisons, the draft's owner) has its handler check that
    against the row.
    """
    rule = pressed.verb.rule
    if rule.allows(turn.actor):
        return True
    unit = turn.unit
    turn.notice = turn.text(rule.refused(unit.name if unit is not None else None))
    return False
