"""A reply as a handler says it: text, buttons, files, the prompt it asks; sent after commit."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.forms.engine import Ask
from workflows.json_types import JSONObject
from workflows.messages import Msg


@dataclass(frozen=True)
class Button:
    """An inline button: its label and its callback data, or a link it opens (`url`), or the
    Mini App page it opens in a private chat (`web_app`)."""

    label: Msg | str
    data: str = ""
    url: str = ""
    web_app: str = ""


@dataclass
class Reply:
    """A message to send once the unit of work has committed."""

    text: Msg | str
    chat_id: int | None = None  # None: the chat of the update
    buttons: list[list[Button]] = field(default_factory=list)
    force_reply: bool = False
    mention: bool = False  # address the speaker by name (selective prompts in groups)
    error: Msg | None = None
    ask: Ask | None = None
    draft_id: int | None = None  # the draft whose prompt this is: its message id is kept
    rev: int = 0  # the draft's revision the prompt asks for
    edit: bool = False  # replace the pressed message instead of sending a new one
    files: list[JSONObject] = field(default_factory=list)  # stored files sent back by id
    photo: bytes | None = None  # a generated picture (the /summary chart), the text its caption
    document: tuple[str, bytes] | None = None  # a generated file (the export): name, content
