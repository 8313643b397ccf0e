"""The settings `taizhang` reads (its .env file, the Bot API's file URL) and its testing clock,
without starting a process (the command line itself: tests/e2e/running/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Settings

CLOCK = "2024-04-29T08:00+08:00@600"


def test_settings_come_from_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("TELEGRAM_", "TAIZHANG_", "DATABASE_")):
            monkeypatch.delenv(key)
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=1:abc\nTAIZHANG_ADMIN_IDS=11, 22\n"
        "TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot\n"
    )
    monkeypatch.chdir(tmp_path)
    s = Settings()
    assert s.telegram_bot_token == "1:abc"
    assert s.admin_ids == frozenset({11, 22})
    assert s.file_url == "http://127.0.0.1:8081/file/bot"
    assert s.database_url == "sqlite:///taizhang.db" and s.taizhang_locale == "zh_CN"


def test_the_file_url_defaults_follow_telegram() -> None:
    assert Settings(_env_file=None).file_url == "https://api.telegram.org/file/bot"
    explicit = Settings(_env_file=None, telegram_api_file_url="http://files/bot")
    assert explicit.file_url == "http://files/bot"


def test_a_testing_clock_runs_fast_against_a_loopback_api() -> None:
    from datetime import UTC, datetime, timedelta

    from bot.serve.clock import RunningClock, clock_refusal, is_loopback, parse_clock
    from bot.serve.run import clock_of

    for url in ("http://127.0.0.1:8081/bot", "http://localhost/bot", "http://[::1]:80/bot"):
        assert is_loopback(url)
        settings = Settings(_env_file=None, telegram_api_base_url=url, taizhang_clock=CLOCK)
        assert clock_refusal(settings) is None
        clock = clock_of(settings)
        assert isinstance(clock, RunningClock)
        assert clock() >= datetime(2024, 4, 29, 0, 0, tzinfo=UTC)
    assert parse_clock(CLOCK) == (datetime(2024, 4, 29, 0, 0, tzinfo=UTC), 600.0, None)
    # with the real moment it stood at its start: processes started later share its time
    shared = f"{CLOCK}@{(datetime.now(UTC) - timedelta(seconds=10)).isoformat()}"
    settings = Settings(_env_file=None, telegram_api_base_url=url, taizhang_clock=shared)
    late = clock_of(settings)
    assert isinstance(late, RunningClock)
    ran = (late() - datetime(2024, 4, 29, 0, 0, tzinfo=UTC)).total_seconds()
    assert 6000 <= ran < 6600  # 10 real seconds at 600 times
    assert parse_clock(f"{CLOCK}@2026-12-04T04:00") is None  # a real time without its offset
    assert not is_loopback("http://127.example.com/bot")
