"""Checkpoints (seed 003's 2024年底、2025年6月、2025年底) and the 约谈名单 at each."""

from __future__ import annotations

from datetime import date

import pytest

from bot.serve.campaign_file import TEMPLATES
from workflows.campaign import CampaignInvalid, read_campaign, read_campaign_yaml
from workflows.deliverables.checkpoints import (
    CheckedItem,
    Checkpoint,
    interview_list,
    next_checkpoint,
    reached,
)

END_2024 = Checkpoint("2024年底", date(2024, 12, 31), "未按计划完成整改的县（市、区）进行约谈问责")
JUNE_2025 = Checkpoint("2025年6月", date(2025, 6, 30))
END_2025 = Checkpoint("2025年底", date(2025, 12, 31))


def item(
    unit: str, code: str, due: str | None, status: str = "open", closed: str = ""
) -> CheckedItem:
    return CheckedItem(
        unit,
        code,
        f"{code}的问题",
        date.fromisoformat(due) if due else None,
        status,
        date.fromisoformat(closed) if closed else None,
    )


LEDGER = [
    item("泽州县住建局", "泽州-001", "2024-10-31"),  # behind
    item("泽州县住建局", "泽州-002", "2024-12-31"),  # due on the day itself: behind after it
    item("泽州县住建局", "泽州-003", "2025-01-31"),  # not yet due
    item("高平市住建局", "高平-001", "2024-09-30", "closed", "2024-12-20"),  # closed in time
    item("高平市住建局", "高平-002", "2024-09-30", "closed", "2025-01-05"),  # closed too late
    item("高平市住建局", "高平-003", "2024-11-30", "closing"),  # done, awaiting 销号: behind
    item("阳城县住建局", "阳城-001", None),  # no 办结时间: never behind
    item("陵川县住建局", "陵川-001", "2024-12-01", "paused"),  # 暂缓 is not 销号
]


def test_the_interview_list_at_the_end_of_2024() -> None:
    found = interview_list(LEDGER, END_2024)
    assert [(u.unit, [i.code for i in u.items]) for u in found] == [
        ("泽州县住建局", ["泽州-001", "泽州-002"]),  # most problems first
        ("高平市住建局", ["高平-002", "高平-003"]),  # oldest due first
        ("陵川县住建局", ["陵川-001"]),
    ]


def test_the_next_checkpoint_as_it_stands_counts_only_what_is_already_late() -> None:
    # 25 December 2024: 泽州-002 (due 31 Dec) can still be finished in time
    found = interview_list(LEDGER, END_2024, today=date(2024, 12, 25))
    assert [(u.unit, [i.code for i in u.items]) for u in found] == [
        ("高平市住建局", ["高平-002", "高平-003"]),  # 高平-002 is still open on 25 Dec
        ("泽州县住建局", ["泽州-001"]),
        ("陵川县住建局", ["陵川-001"]),
    ]
    # asked after the checkpoint, the list is the checkpoint's, not today's
    later = interview_list(LEDGER, END_2024, today=date(2025, 3, 1))
    assert later == interview_list(LEDGER, END_2024)


def test_the_next_checkpoint_and_those_reached() -> None:
    points = [END_2025, END_2024, JUNE_2025]
    assert next_checkpoint(points, date(2024, 8, 22)) == END_2024
    assert next_checkpoint(points, date(2024, 12, 31)) == END_2024  # its own day
    assert next_checkpoint(points, date(2025, 1, 1)) == JUNE_2025
    assert next_checkpoint(points, date(2026, 1, 1)) is None
    assert reached(points, date(2025, 7, 1)) == [END_2024, JUNE_2025]
    assert reached(points, date(2024, 12, 31)) == []


def test_the_jincheng_template_carries_seed_003s_checkpoints() -> None:
    spec = read_campaign_yaml((TEMPLATES / "jincheng-2024.yaml").read_text(encoding="utf-8"))
    assert [(c.text, c.day) for c in spec.checkpoints] == [
        ("2024年底", date(2024, 12, 31)),
        ("2025年6月", date(2025, 6, 30)),
        ("2025年底", date(2025, 12, 31)),
    ]
    assert all("约谈" in c.check for c in spec.checkpoints)
    for other in ("bazhou-2024", "pengshui-2022", "sanmenxia-2022"):  # their seeds set none
        text = (TEMPLATES / f"{other}.yaml").read_text(encoding="utf-8")
        assert read_campaign_yaml(text).checkpoints == ()


def test_bad_checkpoint_text_is_refused_with_where_and_why() -> None:
    base = {"name": "晋城", "year": 2024, "units": ["城区住建局"]}
    with pytest.raises(CampaignInvalid) as refused:
        read_campaign(
            base
            | {
                "checkpoints": [
                    {"text": "2025年13月"},
                    "明年",
                    {"check": "约谈"},
                    "2024年底",
                    {"text": "2024年12月31日", "check": "约谈"},
                ]
            }
        )
    assert [(e.path, e.message.id, e.message.params) for e in refused.value.errors] == [
        ("checkpoints[0].text", "date.invalid", {"text": "2025年13月"}),
        ("checkpoints[1].text", "date.unreadable", {"text": "明年"}),
        ("checkpoints[2].text", "campaign.expect_text", {}),
        ("checkpoints[4].text", "campaign.duplicate", {"text": "2024年12月31日"}),
    ]
    with pytest.raises(CampaignInvalid) as not_a_list:
        read_campaign(base | {"checkpoints": "2024年底"})
    assert not_a_list.value.errors[0].path == "checkpoints"
    spec = read_campaign(base | {"checkpoints": ["2025年6月", "24年底"]})
    assert [c.day for c in spec.checkpoints] == [date(2024, 12, 31), date(2025, 6, 30)]
