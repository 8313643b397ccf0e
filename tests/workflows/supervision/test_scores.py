"""Scores and rankings reproduced by hand from a fixed world (the README's worked example)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar.working_days import OfficialDays, WorkCalendar
from workflows.deliverables.checkpoints import CheckedItem
from workflows.supervision.scores import (
    MONTH,
    QUARTER,
    WEEK,
    Period,
    ScoreRule,
    UnitRecord,
    last_complete,
    period_of,
    ranking,
    report_deadlines,
    rule_from,
    rule_problems,
    score,
    unit_record,
)

BEIJING = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(OfficialDays.from_package())
WEEK_OF_2_MARCH = Period(WEEK, date(2026, 3, 2), date(2026, 3, 9))
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=BEIJING)  # the Tuesday after


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def item(unit: str, due: date, status: str = "open", closed: date | None = None) -> CheckedItem:
    return CheckedItem(unit, f"{unit}-{due.day:03d}", "问题", due, status, closed)


MONDAY_REPORT = report_deadlines(WEEK_OF_2_MARCH, 0, time(18), BEIJING)


def record(**kw: object) -> UnitRecord:
    return unit_record(WEEK_OF_2_MARCH, NOW, BEIJING, CAL, **kw)  # type: ignore[arg-type]


def world() -> list[tuple[str, UnitRecord]]:
    """The README's example: the week of 2 March 2026, seen on Tuesday 10 March."""
    luntai = record(
        reports=[(MONDAY_REPORT[0], True)],
        problems=[
            item("轮台", date(2026, 3, 4), "closed", date(2026, 3, 3)),  # in time
            item("轮台", date(2026, 3, 5)),  # past its 办结时间, open
            item("轮台", date(2026, 2, 20), "closed", date(2026, 2, 25)),  # an older one, closed
            item("轮台", date(2026, 3, 20)),  # not yet due: not counted
        ],
        cases=[(at("2026-03-04 18:00"), at("2026-03-04 10:00"))],
    )
    yuli = record(reports=[(MONDAY_REPORT[0], True)])
    korla = record(
        reports=[(MONDAY_REPORT[0], None)],  # not sent
        problems=[item("库尔勒", date(2026, 3, 6), "closed", date(2026, 3, 6))],
        cases=[(at("2026-03-05 18:00"), at("2026-03-06 09:00"))],  # answered a day late
    )
    hejing = record(reports=[], cases=[(at("2026-03-12 18:00"), None)])  # nothing due yet
    return [("轮台县", luntai), ("尉犁县", yuli), ("库尔勒市", korla), ("和静县", hejing)]


def test_a_units_record_counts_only_what_fell_due() -> None:
    luntai = dict(world())["轮台县"]
    assert luntai.parts() == {
        "reports": (1, 1),
        "problems": (1, 2),
        "closed": (2, 3),
        "cases": (1, 1),
    }


def test_score_by_hand_with_the_default_weights() -> None:
    # 30×1 + 30×1/2 + 20×2/3 + 20×1 = 78.33… out of 100
    assert score(dict(world())["轮台县"], ScoreRule()) == 78.3
    # only the report was due: its part alone makes the 100
    assert score(dict(world())["尉犁县"], ScoreRule()) == 100.0
    # (30×0 + 30×1 + 20×1 + 20×0) / 100
    assert score(dict(world())["库尔勒市"], ScoreRule()) == 50.0


def test_ranking_and_bands_and_no_rank_when_nothing_was_due() -> None:
    rows = ranking(world(), ScoreRule())
    assert [(r.rank, r.unit, r.score, r.colour) for r in rows] == [
        (1, "尉犁县", 100.0, "green"),
        (2, "轮台县", 78.3, "yellow"),
        (3, "库尔勒市", 50.0, "red"),
        (None, "和静县", None, None),
    ]


def test_equal_scores_share_a_place() -> None:
    done = UnitRecord(reports_due=1, reports_on_time=1)
    rows = ranking([("甲", done), ("乙", UnitRecord(1, 0)), ("丙", done)], ScoreRule())
    assert [(r.unit, r.rank) for r in rows] == [("甲", 1), ("丙", 1), ("乙", 3)]


def test_a_report_on_a_holiday_is_not_counted_and_the_unit_is_not_ranked() -> None:
    national_day = Period(WEEK, date(2026, 10, 5), date(2026, 10, 12))  # Monday 5 Oct: 国庆
    deadlines = report_deadlines(national_day, 0, time(18), BEIJING)
    rec = unit_record(
        national_day,
        datetime(2026, 10, 13, 9, tzinfo=BEIJING),
        BEIJING,
        CAL,
        reports=[(d, None) for d in deadlines],
    )
    assert rec == UnitRecord()
    assert score(rec, ScoreRule()) is None


def test_nothing_before_the_campaign_starts() -> None:
    assert report_deadlines(WEEK_OF_2_MARCH, 0, time(18), BEIJING, starts_on=date(2026, 3, 3)) == []


def test_campaign_weights_change_the_score() -> None:
    rule = rule_from({"weights": {"reports": 0, "cases": 60}})
    # reports weigh nothing: (30×1/2 + 20×2/3 + 60×1) / 110
    assert score(dict(world())["轮台县"], rule) == 80.3
    assert rule_problems({"weights": {"reports": -1, "bogus": 3}, "green": 60, "yellow": 80}) == [
        ("scores.weights.reports", "-1"),
        ("scores.weights.bogus", "3"),
    ]
    assert rule_problems({"green": 60, "yellow": 80}) == [("scores.yellow", "80")]


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (WEEK, date(2026, 3, 8), date(2026, 3, 2), date(2026, 3, 9)),
        (MONTH, date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
        (QUARTER, date(2026, 11, 2), date(2026, 10, 1), date(2027, 1, 1)),
        (QUARTER, date(2026, 5, 31), date(2026, 4, 1), date(2026, 7, 1)),
    ],
)
def test_periods(kind: str, day: date, start: date, end: date) -> None:
    assert period_of(kind, day) == Period(kind, start, end)


def test_the_last_complete_period_is_the_one_before_today() -> None:
    assert last_complete(MONTH, date(2026, 4, 1)) == Period(
        MONTH, date(2026, 3, 1), date(2026, 4, 1)
    )
    assert last_complete(QUARTER, date(2026, 4, 1)).start == date(2026, 1, 1)


def test_the_campaign_file_may_set_the_weights_and_bands() -> None:
    from workflows.campaign import CampaignInvalid, read_campaign_yaml

    base = "name: 测试\nyear: 2026\nunits: [轮台县]\n"
    assert read_campaign_yaml(base).scores == ScoreRule()
    spec = read_campaign_yaml(base + "scores: {weights: {cases: 40}, green: 85}\n")
    assert dict(spec.scores.weights) == {"reports": 30, "problems": 30, "closed": 20, "cases": 40}
    assert (spec.scores.green, spec.scores.yellow) == (85, 75)
    with pytest.raises(CampaignInvalid) as err:
        read_campaign_yaml(base + "scores: {weights: {speed: 10}}\n")
    assert [e.path for e in err.value.errors] == ["scores.weights.speed"]


def test_a_problem_closed_after_its_day_is_not_in_time_though_closed_by_the_periods_end() -> None:
    february = period_of(MONTH, date(2026, 2, 1))
    late = item("轮台", date(2026, 2, 20), "closed", date(2026, 2, 25))
    rec = unit_record(february, NOW, BEIJING, CAL, problems=[late])
    assert rec.parts()["problems"] == (0, 1) and rec.parts()["closed"] == (1, 1)


def test_the_interview_list_reads_the_same_scores() -> None:
    from workflows.deliverables.checkpoints import Checkpoint, UnitBehind
    from workflows.documents.circular import NextCheckpoint, RankingState, checkpoint_section
    from workflows.messages import Msg

    rows = ranking(world(), ScoreRule())
    point = Checkpoint("2026年6月", date(2026, 6, 30))
    behind = [UnitBehind("轮台县", (item("轮台县", date(2026, 3, 5)),))]
    state = NextCheckpoint(point, behind, True, RankingState(WEEK_OF_2_MARCH, rows, ScoreRule()))
    said = checkpoint_section(state, date(2026, 3, 10)).paragraphs
    on_list = [p for p in said if isinstance(p, Msg) and p.id.startswith("scores.")]
    assert [(p.id, p.params.get("score"), p.params.get("units")) for p in on_list] == [
        ("scores.checkpoint.unit", "78.3", None),  # 轮台县, behind, with its score
        ("scores.checkpoint.red", None, ["库尔勒市"]),  # red by its score, not yet behind
    ]


def test_the_ranking_section_names_the_units_not_ranked_apart() -> None:
    from workflows.documents.circular import RankingState, ranking_section

    section = ranking_section(
        RankingState(WEEK_OF_2_MARCH, ranking(world(), ScoreRule()), ScoreRule())
    )
    assert [p.id for p in section.paragraphs] == [
        "scores.intro",
        "scores.band.red",
        "scores.band.yellow",
        "scores.band.green",
        "scores.unranked",
    ]
    assert section.paragraphs[-1].params["units"] == ["和静县"]
    assert section.table is not None and [row[1] for row in section.table.rows] == [
        "尉犁县",
        "轮台县",
        "库尔勒市",
    ]
    nobody = ranking([("和静县", UnitRecord())], ScoreRule())
    empty = ranking_section(RankingState(WEEK_OF_2_MARCH, nobody, ScoreRule()))
    assert [p.id for p in empty.paragraphs] == [
        "scores.intro",
        "scores.none",
    ] and empty.table is None


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["通报"], WEEK),
        (["通报", "月"], MONTH),
        (["circular", "quarter"], QUARTER),
        (["月调度"], MONTH),
        (["季通报"], QUARTER),
        (["轮台县"], None),
        ([], None),
    ],
)
def test_summary_asks_for_the_weekly_monthly_or_quarterly_circular(
    args: list[str], kind: str | None
) -> None:
    from workflows.supervision.scores import circular_cadence
    from workflows.words import CIRCULAR_WORDS

    assert circular_cadence(args, CIRCULAR_WORDS) == kind
