"""A campaign on a real SQLite file and the `Act` a door would make, for use-case tests that
run without Telegram."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.serve.campaign_file import TEMPLATES
from bot.usecases.act import Act
from locales import Translator
from storage import campaigns, people
from storage.audit import Stamp
from storage.models import Campaign, Person, Unit, saved_id
from workflows.campaign import read_campaign_yaml
from workflows.messages import Msg
from workflows.people.roles import Actor, Role

NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # Monday 6 May 2024, 10:00 in Beijing
TZ = ZoneInfo("Asia/Shanghai")
TRANSLATOR = Translator.load()


@dataclass
class World:
    """The bazhou-2024 campaign saved, and one of its units."""

    session: Session
    campaign: Campaign
    unit: Unit

    def act(
        self,
        user_id: int,
        roles: Iterable[Role] = (Role.ADMIN,),
        units: Iterable[int] = (),
        *,
        at: datetime = NOW,
        campaign: Campaign | bool | None = True,
    ) -> Act:
        """What a door makes for `user_id` acting now with these roles (campaign=None: none
        loaded yet)."""
        person = self.person(user_id)
        camp = self.campaign if campaign is True else None
        return Act(
            self.session,
            Stamp(at, user_id, user_id),
            TZ,
            camp,
            person,
            Actor(user_id, frozenset(roles), frozenset(units)),
            user_id,
            lambda m: TRANSLATOR.text(m, "zh_CN", tz=TZ, year=at.year),
        )

    def person(self, user_id: int, name: str = "") -> Person:
        """The person with this Telegram id, written down once."""
        return people.touch_person(
            self.session,
            user_id=user_id,
            username=f"u{user_id}",
            display_name=name or f"人{user_id}",
            stamp=Stamp(NOW),
        )

    def unit_named(self, name: str) -> Unit:
        """One of the campaign's units."""
        unit = campaigns.unit_named(self.session, saved_id(self.campaign), name)
        assert unit is not None
        return unit


def world(session: Session) -> World:
    """The bazhou-2024 campaign saved in `session`, with 轮台县 at hand."""
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    camp, _ = campaigns.save_campaign(session, spec, Stamp(NOW))
    unit = campaigns.unit_named(session, saved_id(camp), "轮台县")
    assert unit is not None
    return World(session, camp, unit)


def said(act: Act, text: Msg | str) -> str:
    """A message as the one acting reads it."""
    return act.text(text)


def calls(path: Path, name: str) -> int:
    """How many calls of a function or method named `name` the module at `path` makes."""
    return sum(
        1
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(n, ast.Call)
        and (
            (isinstance(n.func, ast.Name) and n.func.id == name)
            or (isinstance(n.func, ast.Attribute) and n.func.attr == name)
        )
    )
