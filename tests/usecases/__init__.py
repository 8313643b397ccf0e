"""Tests of the use cases, without Telegram."""
