"""How a supervisor's decision reads wherever it is shown (/item, /case, the board): what was
decided, by whom, when, and why."""

from __future__ import annotations

from datetime import datetime

from workflows.messages import Msg, msg


def decision_line(what: str, by: str, at: datetime, reason: str = "") -> Msg:
    """同意销号：督办赵，1月10日（周三）10:00 — with its reason when one was given."""
    said = msg(f"decision.what.{what}")
    if reason:
        return msg("decision.line_why", what=said, by=by, at=at, reason=reason)
    return msg("decision.line", what=said, by=by, at=at)
