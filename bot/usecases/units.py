"""The campaign's units as a door names them: all of them in order (a list to pick from), or
the one a person typed or a button carried."""

from __future__ import annotations

from bot.usecases.act import Act
from storage import campaigns
from storage.models import Unit, saved_id
from workflows.guards import required


def campaign_units(act: Act) -> list[Unit]:
    """The campaign's units, in order."""
    return campaigns.units_of(act.session, saved_id(required(act.campaign, "the campaign")))


def campaign_unit(act: Act, name: str) -> Unit | None:
    """The campaign's unit of that name (compared as the campaign compares names), if any."""
    camp = required(act.campaign, "the campaign")
    return campaigns.unit_named(act.session, saved_id(camp), name)
