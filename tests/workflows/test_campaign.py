"""Campaign files: the shipped templates, and errors that name the field and the problem."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from bot.serve.campaign_file import TEMPLATES, template_names
from locales import Translator
from workflows.campaign import CampaignInvalid, parse_offset, read_campaign, read_campaign_yaml

GOOD = {
    "name": "房屋拆迁安置补偿领域违纪违法突出问题专项整治",
    "year": 2024,
    "units": ["库尔勒市", "轮台县", "尉犁县"],
    "phases": [{"name": "安排部署阶段", "text": "2月1日至2月20日"}],
    "deadlines": [
        {"text": "2月6日18：00前报送联络员名单"},
        {"due": "5月5日18:00", "deliverable": "自查自纠阶段总结及相关印证材料"},
    ],
    "weekly_report": {"weekday": "周一", "time": "18:00", "name": "工作台账"},
    "reminders": ["7d", "3d", "1d", "2h"],
    "feedback": {"working_days": 2, "cutoff": "18:00"},
    "categories": ["交办未落实类", "违规征收类", "违规降低补偿类"],
}


def errors_of(data: dict) -> list[str]:
    """The errors as an admin reads them in Chinese."""
    tr = Translator.load()
    with pytest.raises(CampaignInvalid) as err:
        read_campaign(data)
    return [f"{e.path}: {tr.text(e.message)}" for e in err.value.errors]


def test_the_design_example_reads() -> None:
    spec = read_campaign(GOOD)
    assert spec.units == ("库尔勒市", "轮台县", "尉犁县")
    assert [(d.deliverable, d.due) for d in spec.deadlines] == [
        ("联络员名单", datetime(2024, 2, 6, 18)),
        ("自查自纠阶段总结及相关印证材料", datetime(2024, 5, 5, 18)),
    ]
    assert spec.weekly_reports[0].weekday == 0 and spec.weekly_reports[0].at == time(18)
    assert spec.reminders == (
        timedelta(days=7),
        timedelta(days=3),
        timedelta(days=1),
        timedelta(hours=2),
    )


def test_an_impossible_deadline_is_named_by_its_field() -> None:
    data = {**GOOD, "deadlines": [*GOOD["deadlines"], {"text": "2月30日18:00前报送整改报告"}]}
    assert errors_of(data) == ["deadlines[2].text: 无法识别的日期“2月30日”"]


def test_every_problem_is_listed_at_once() -> None:
    data = {
        **GOOD,
        "year": "二〇二四",
        "units": ["轮台县", "轮台县"],
        "phases": [{"name": "自查", "text": "尽快"}],
        "deadlines": [{"due": "5月5日", "deliverable": "总结", "units": ["若羌县"]}],
        "weekly_report": {"weekday": "周八", "time": "18:00", "name": "台账"},
        "reminders": ["7 days"],
        "feedback": {"working_days": 0},
        "colour": "red",
    }
    assert errors_of(data) == [
        "colour: 未知字段",
        "year: 年份“二〇二四”无效，应为如 2024 的四位年份",
        "units[1]: 重复：“轮台县”",
        "phases[0].text: 未能识别日期“尽快”，请按“6月30日”“2024-06-30”或“下周一”这样的格式输入",
        "deadlines[0].units[0]: 单位“若羌县”不在 units 名单中",
        "weekly_report.weekday: 无法识别的星期“周八”，应如 周一",
        "reminders[0]: 无法识别的提醒提前量“7 days”，应如 7d、2h、30m",
        "feedback.working_days: 数值“0”无效",
    ]


def test_missing_name_and_units() -> None:
    assert errors_of({"year": 2024}) == ["name: 缺少此项", "units: 至少需要一个单位"]


def test_broken_yaml_is_reported_with_its_line() -> None:
    with pytest.raises(CampaignInvalid) as err:
        read_campaign_yaml("name: x\nunits: [a, b\n")
    assert err.value.errors[0].path.startswith("line ")


def test_unquoted_times_in_yaml_still_read() -> None:
    text = (
        "name: x\nyear: 2024\nunits: [a]\nweekly_report: {weekday: 周一, time: 18:00, name: 台账}\n"
    )
    assert read_campaign_yaml(text).weekly_reports[0].at == time(18)


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("7d", timedelta(days=7)),
        ("2h", timedelta(hours=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("30s", timedelta(seconds=30)),
    ],
)
def test_offsets(text: str, delta: timedelta) -> None:
    assert parse_offset(text) == delta


EXPECTED_TEMPLATES = {
    "bazhou-2024": (10, 4, 4, 3),
    "pengshui-2022": (8, 2, 2, 11),
    "sanmenxia-2022": (7, 3, 1, 7),
    "jincheng-2024": (7, 4, 1, 5),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TEMPLATES))
def test_shipped_templates_are_valid(name: str) -> None:
    spec = read_campaign_yaml((TEMPLATES / f"{name}.yaml").read_text(encoding="utf-8"))
    counts = (len(spec.units), len(spec.phases), len(spec.deadlines), len(spec.categories))
    assert counts == EXPECTED_TEMPLATES[name]
    assert spec.feedback.working_days == 2


def test_all_templates_are_tested() -> None:
    assert set(template_names()) == set(EXPECTED_TEMPLATES)


def test_seed_000_template_has_its_four_deadlines() -> None:
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    assert [(d.due, d.deliverable) for d in spec.deadlines] == [
        (datetime(2024, 2, 6, 18), "联络员名单"),
        (datetime(2024, 5, 5, 18), "自查自纠阶段总结及相关印证材料"),
        (datetime(2024, 7, 5, 18), "集中整治阶段总结及相关印证材料"),
        (datetime(2024, 9, 5, 18), "专项整治工作总结、建立健全的制度措施、专项整治工作档案"),
    ]
    assert [p.name for p in spec.phases] == [
        "安排部署阶段",
        "自查自纠阶段",
        "集中整治阶段",
        "建章立制阶段",
    ]


def test_units_differing_only_in_case_or_width_are_duplicates() -> None:
    with pytest.raises(CampaignInvalid) as err:
        read_campaign_yaml("name: x\nyear: 2026\nunits: [Zone A, zone a, Ｚｏｎｅ Ａ]\n")
    assert [e.path for e in err.value.errors] == ["units[1]", "units[2]"]
