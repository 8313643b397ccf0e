"""The outbox says a time left as of sending wherever it sits in a message: at the top, inside
a 补发's body, on each line of a catch-up; and a row written before several could be held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.delivery.notice_rendering import render
from bot.delivery.time_left_markers import LIVE, said_now
from bot.telegram.services import Services
from locales import Translator
from storage.db import Database
from workflows.messages import Msg, msg
from workflows.planner import Planned, catch_up, live_left

CST = ZoneInfo("Asia/Shanghai")
PLANNED_AT = datetime(2024, 1, 11, 23, 0, tzinfo=UTC)  # Friday 12 Jan 07:00 in Beijing
SENT_AT = PLANNED_AT + timedelta(hours=1)
DUE = datetime(2024, 1, 12, 13, 30, tzinfo=UTC)  # 21:30 in Beijing


def services(db: Database) -> Services:
    return Services(db, Settings(), Translator.load(strict=True), lambda: PLANNED_AT)


def reminder(deliverable: str, due: datetime) -> Msg:
    return msg(
        "deadline.reminder", deliverable=deliverable, due=due, left=live_left(due, PLANNED_AT)
    )


def test_a_late_reminder_says_its_time_left_when_sent(db: Database) -> None:
    late = msg("notify.late", body=reminder("整改情况报告", DUE))
    rendered = render(services(db), Planned("k", "deadline.reminder", -1, late, SENT_AT), None, CST)
    assert rendered.live is not None and LIVE in rendered.text
    text = said_now(services(db), rendered.text, rendered.live, SENT_AT)
    assert text.startswith("（补发）") and "还有13小时30分" in text and LIVE not in text


def test_each_line_of_a_catch_up_says_its_own_time_left_when_sent(db: Database) -> None:
    later = DUE + timedelta(hours=11, minutes=30)  # Saturday 13 Jan 09:00 in Beijing
    folded = catch_up(
        [
            Planned(
                "a", "deadline.reminder", -1, reminder("整改情况报告", DUE), SENT_AT, late=True
            ),
            Planned(
                "b", "deadline.reminder", -1, reminder("问题线索清单", later), SENT_AT, late=True
            ),
        ]
    )
    assert len(folded) == 1
    rendered = render(services(db), folded[0], None, CST)
    text = said_now(services(db), rendered.text, rendered.live, SENT_AT)
    report, clues = (line for line in text.splitlines() if "报送截止" in line)
    assert "还有13小时30分" in report and "还有1天1小时" in clues, text
    assert "\u2060" not in text


def test_a_row_held_before_the_change_is_still_said_as_of_sending(db: Database) -> None:
    live = {"due": DUE.isoformat(), "lang": "zh_CN", "tz": "Asia/Shanghai"}
    text = said_now(services(db), f"距截止{LIVE}。", live, SENT_AT)
    assert text == "距截止还有13小时30分。"
