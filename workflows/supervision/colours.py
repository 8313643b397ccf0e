"""The three colours a unit is shown in (绿/黄/红), shared by its standing and its score."""

from __future__ import annotations

GREEN, YELLOW, RED = "green", "yellow", "red"
COLOURS = (RED, YELLOW, GREEN)  # most serious first
