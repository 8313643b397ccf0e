"""The tests drive the real bot through the package's sandbox."""

from bot.sandbox.sandbox import ADMIN_ID, Clock, Sandbox

Harness = Sandbox

__all__ = ["ADMIN_ID", "Clock", "Harness"]
