"""A week submitted through the use case, on a real database and without Telegram; and the
three doors (the chat, the Mini App, the workbook) all ending in that one function."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

import bot.handlers.weekly
import bot.handlers.workbooks.week
import bot.web.week
from bot.serve.campaign_file import TEMPLATES
from bot.usecases.act import Act
from bot.usecases.week import SubmitOutcome, submit_week
from locales import Translator
from storage import campaigns, chats, ledger, people, submissions
from storage.audit import Stamp
from storage.db import Database
from storage.models import Campaign, LedgerItem, Person, saved_id
from tests.usecases.acting import calls
from workflows.campaign import read_campaign_yaml
from workflows.forms.contexts import WeeklyContext
from workflows.people.roles import Actor, Role
from workflows.problems.ledger import LedgerSpec, Status, item_columns
from workflows.week.week_answers import WeekAnswers
from workflows.week.weekly import DONE, PLAN

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)  # Monday 6 May 2024, 10:00 in Beijing
TZ = ZoneInfo("Asia/Shanghai")
GROUP, SUPERVISORS = -1001, -1002


def camp_unit(session: Session, camp: Campaign) -> int:
    unit = campaigns.unit_named(session, saved_id(camp), "轮台县")
    assert unit is not None
    return saved_id(unit)


def _act(session: Session, camp: Campaign, person: Person) -> Act:
    tr = Translator.load()
    return Act(
        session,
        Stamp(NOW, 7, 7),
        TZ,
        camp,
        person,
        Actor(7, frozenset({Role.LIAISON}), frozenset({camp_unit(session, camp)})),
        7,
        lambda m: tr.text(m, "zh_CN", tz=TZ, year=2024),
    )


def test_a_week_is_saved_said_and_told_to_the_units_groups(db: Database) -> None:
    spec = read_campaign_yaml((TEMPLATES / "bazhou-2024.yaml").read_text(encoding="utf-8"))
    with db.unit_of_work() as s:
        camp, _ = campaigns.save_campaign(s, spec, Stamp(NOW))
        unit = campaigns.unit_named(s, saved_id(camp), "轮台县")
        assert unit is not None
        group = chats.ensure_chat(s, chat_id=GROUP, kind="supergroup", title="轮台县")
        chats.bind(s, group, saved_id(unit), Stamp(NOW))
        supervisors = chats.ensure_chat(s, chat_id=SUPERVISORS, kind="group", title="专班")
        chats.bind_supervisors(s, supervisors, Stamp(NOW))
        person = people.touch_person(
            s, user_id=7, username="li", display_name="李", stamp=Stamp(NOW)
        )
        columns = {"name": "违规评估", "due_on": "2024-06-30", "category": "征收补偿环节"}
        a = ledger.create_item(s, unit, item_columns(columns, LedgerSpec()), Stamp(NOW, 1))
        b = ledger.create_item(s, unit, item_columns(columns, LedgerSpec()), Stamp(NOW, 1))
        week: WeeklyContext = {
            "unit": unit.name,
            "unit_id": saved_id(unit),
            "report": 0,
            "report_name": "工作台账",
            "period": "2024-05-06",
            "due": datetime(2024, 5, 6, 10, tzinfo=UTC).isoformat(),
            "ledger": camp.ledger,
            "items": [
                {"id": i.id, "code": i.code, "name": i.name, "version": i.version, "due": None}
                for i in (a, b)
            ],  # type: ignore[typeddict-item]
        }
        values = {
            f"i{a.id}.status": PLAN,
            f"i{a.id}.progress": "已约谈",
            f"i{b.id}.status": DONE,
            f"i{b.id}.result": "已交付",
            f"i{b.id}.evidence": {"files": [{"name": "a.jpg"}]},
        }
        act = _act(s, camp, person)
        done = submit_week(act, week, WeekAnswers(values), to_groups=True)

        assert done.outcome == SubmitOutcome.SAVED and done.conflicts == ()
        found = submissions.submission_of(
            s, saved_id(unit), report_name="工作台账", period_start=NOW.date()
        )
        assert found is not None and found.on_time and found.by_user_id == 7
        closing = s.get(LedgerItem, b.id)
        assert closing is not None and closing.status == Status.CLOSING
        assert len(act.said) == 1  # the week's summary, to the one who submitted
        told = {(p.kind, p.chat_id) for p in act.told}
        assert ("weekly.summary", GROUP) in told  # the same summary, to the unit's group
        asked = [p for p in act.told if p.chat_id == SUPERVISORS]
        assert len(asked) == 1 and b.code in act.text(asked[0].message)  # its close-out asked

        again = _act(s, camp, person)
        second = submit_week(again, week, WeekAnswers(values), to_groups=True)
        assert second.outcome == SubmitOutcome.ALREADY
        # nothing new for the groups: a key the outbox has already is planned once
        assert {p.key for p in again.told} <= {p.key for p in act.told}


DOORS = {
    "bot/handlers/weekly.py": bot.handlers.weekly,  # the chat's weekly flow, finished
    "bot/web/week.py": bot.web.week,  # the Mini App's submit
    "bot/handlers/workbooks/week.py": bot.handlers.workbooks.week,  # the filled workbook, confirmed
}


def _calls(path: str, name: str) -> int:
    return calls(ROOT / path, name)


def test_the_three_doors_of_a_week_end_in_one_use_case() -> None:
    # each door calls the one function, the very object the use case defines
    assert bot.handlers.weekly.submit_week is submit_week
    assert bot.handlers.workbooks.week.submit_week is submit_week
    assert bot.web.week.weeks.submit_week is submit_week
    for path in DOORS:
        assert _calls(path, "submit_week") == 1, path
    # and no door records a week's submission by itself: only the use case does
    recorders = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "bot").rglob("*.py")
        if _calls(str(p.relative_to(ROOT)), "record_submission")
    }
    assert recorders == {
        "bot/usecases/week.py",  # the week
        "bot/usecases/register.py",  # the roster, by the first registration
        "bot/usecases/submissions.py",  # a deliverable, by /submit
    }
