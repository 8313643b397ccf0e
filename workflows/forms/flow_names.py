"""Every flow's name: the key of its binding in the registry and the name stored with a draft
(`Draft.flow`, `FormDraft.flow`), so the values never change once drafts hold them."""

from __future__ import annotations

from enum import StrEnum


class FlowName(StrEnum):
    """A flow a person walks through step by step."""

    REGISTER = "register"  # /register: into the roster
    BIND = "bind"  # /bind: a group to its unit
    WEEKLY = "weekly"  # the week's ledger update
    NEW = "new"  # /new: a problem added
    CLOSE = "close"  # /close: a problem closed out (销号)
    CLOSEOUT_REJECT = "closeout_reject"  # a close-out sent back, with the reason
    SUBMIT = "submit"  # /submit: a deliverable marked submitted
    DEADLINE = "deadline"  # /deadline: a deadline set or moved
    DEADLINE_CANCEL = "deadline_cancel"  # a deadline cancelled
    WORKDAY_IMPORT = "workday_import"  # a year's working days read from the State Council
    FEEDBACK = "feedback"  # a forwarded case answered (反馈)
    EXTENSION = "extension"  # more time asked for a case
    EXTENSION_REJECT = "extension_reject"  # more time refused, with the reason
    CORRECTION_REJECT = "correction_reject"  # a correction refused, with the reason
    LEAVE = "leave"  # /leave: a liaison away for some days, and who covers
