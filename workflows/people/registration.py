"""Registering in the roster (联络员名单): name, position, phone, confirm."""

from __future__ import annotations

from workflows.forms.engine import Flow, Step
from workflows.forms.flow_names import FlowName
from workflows.forms.inputs import Phone, Text

REGISTER = Flow(
    FlowName.REGISTER,
    title="register.title",
    steps=(
        Step("name", prompt="register.ask_name", kind=Text(max_len=20)),
        Step("position", prompt="register.ask_position", kind=Text(max_len=40)),
        Step("phone", prompt="register.ask_phone", kind=Phone()),
    ),
    summary="register.summary",
)
