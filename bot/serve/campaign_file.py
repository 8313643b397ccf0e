"""Campaign files: a path, or a template shipped with the package, read into a spec."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.config import Settings
from workflows.campaign import CampaignSpec, read_campaign_yaml

TEMPLATES = resources.files("workflows") / "templates"


def template_names() -> list[str]:
    """The shipped campaign templates."""
    return sorted(
        f.name.removesuffix(".yaml") for f in TEMPLATES.iterdir() if f.name.endswith(".yaml")
    )


def read_campaign_file(name: str, settings: Settings) -> CampaignSpec:
    """A campaign file by path, or a shipped template by name."""
    path = Path(name)
    if not path.exists() and name in template_names():
        text = (TEMPLATES / f"{name}.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return read_campaign_yaml(text, default_timezone=settings.taizhang_timezone)
