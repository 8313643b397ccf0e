"""What a use case hands back besides its changes: a refusal to say, or a message to plan."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.keys import in_chat
from workflows.messages import Msg


@dataclass(frozen=True)
class Refused:
    """The action is not taken; `reason` is said to the person."""

    reason: Msg


@dataclass(frozen=True)
class Notice:
    """One message to plan for a set of chats; the chat id is appended to `key` per chat."""

    key: str
    kind: str
    text: Msg

    def key_in(self, chat_id: int) -> str:
        """The notice's key in one chat: one notification a chat, made once."""
        return in_chat(self.key, chat_id)
