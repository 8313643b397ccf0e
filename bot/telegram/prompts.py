"""The prompts the bot has sent, remembered in batches: a reply to one feeds its draft.

Sending a prompt happens after the turn's unit of work committed, so its message id is not
known inside it. Instead of a second unit of work per turn, each sent prompt is noted here
and written with the send log on the next delivery tick (and when the bot stops); until
then a draft answers any reply newer than the message that led to its step.
"""

from __future__ import annotations

import threading

from storage.drafts import SentPrompt


class PromptLog:
    """Prompts sent and not yet written to their drafts (thread-safe)."""

    def __init__(self) -> None:
        self._sent: list[SentPrompt] = []
        self._lock = threading.Lock()

    def note(self, prompt: SentPrompt) -> None:
        """Remember a prompt just sent."""
        with self._lock:
            self._sent.append(prompt)

    def drain(self) -> list[SentPrompt]:
        """The prompts noted since the last drain, oldest first."""
        with self._lock:
            out, self._sent = self._sent, []
        return out
