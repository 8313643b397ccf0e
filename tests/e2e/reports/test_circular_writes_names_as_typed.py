"""The circular (.docx) of a campaign with checkpoints lists problems by name: a hostile name
is written as typed, and a control character already stored (before names were cleaned at
the door) no longer stops the circular for everyone."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from docx import Document

from storage import campaigns, ledger
from storage.audit import Stamp
from tests.harness import Harness, MakeWorld
from workflows.problems.ledger import ItemColumns

NAME = '<w:t>金村</w:t>&amp;</script><a href="javascript:alert(1)">棚改</a>\u202e😀'


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[Harness]:
    """The jincheng-2024 campaign (checkpoint 2024年底), on 30 December 2024."""
    harness = Harness(db_url, template="jincheng-2024", start=datetime(2024, 12, 30, 2, tzinfo=UTC))
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_a_hostile_problem_name_is_written_into_the_circular_as_typed(
    bot: Harness, make_world: MakeWorld
) -> None:
    world = await make_world(units=["泽州县住建局"], supervisors=["督办赵"])
    with bot.db.unit_of_work() as s:
        camp = campaigns.active_campaign(s)
        unit = campaigns.unit_named(s, camp.id, "泽州县住建局")
        stamp = Stamp(bot.clock())
        ledger.create_item(s, unit, ItemColumns(name=NAME, due_on=date(2024, 11, 30)), stamp)
        old = ledger.create_item(
            s, unit, ItemColumns(name="旧\x0b数据", due_on=date(2024, 11, 30)), stamp
        )
        assert old.name == "旧\x0b数据"  # as an older version stored it
    sup = world["督办赵"]
    # a notice the planner sends him meanwhile may come first (30 December is a Monday: the
    # weekly digest is due), so the answer is the document that follows the command
    before = len(bot.api.bot_messages(sup.private))

    def documents() -> list[dict[str, Any]]:
        return [m for m in bot.api.bot_messages(sup.private)[before:] if "document" in m]

    await bot.api.send(sup.private, sup, "/summary 通报")
    await bot.api.until(lambda: bool(documents()), timeout=20)
    circular = documents()[0]
    assert circular["document"]["file_name"].endswith(".docx")
    doc = Document(io.BytesIO(circular["payload"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert NAME in text and "旧\n数据" in text
