"""Telegram's initData check: the documented HMAC, a day's freshness, nothing else trusted."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from bot.web.init_data import InitDataError, check, secret_key, signed

TOKEN = "123456:LOCAL-TEST-TOKEN"
NOW = datetime(2024, 1, 10, 2, 0, tzinfo=UTC)
USER = json.dumps({"id": 880001, "first_name": "李明", "language_code": "zh-hans"})


def fields(**extra: str) -> dict[str, str]:
    return {"auth_date": str(int(NOW.timestamp())), "query_id": "AAH", "user": USER, **extra}


def test_the_hash_is_telegrams_documented_one() -> None:
    data = dict(parse_qsl(signed(TOKEN, fields(start_param="abc"))))
    check_string = "\n".join(f"{k}={v}" for k, v in sorted(data.items()) if k != "hash")
    key = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    assert key == secret_key(TOKEN)
    assert data["hash"] == hmac.new(key, check_string.encode(), hashlib.sha256).hexdigest()


def test_a_signed_caller_is_read() -> None:
    caller = check(signed(TOKEN, fields(start_param="abc")), TOKEN, NOW + timedelta(hours=23))
    assert (caller.speaker.user_id, caller.speaker.full_name) == (880001, "李明")
    assert (caller.start_param, caller.language) == ("abc", "zh-hans")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "missing"),
        ("user=x&auth_date=1", "forged"),  # no hash
        (signed("999:OTHER-BOT", fields()), "forged"),
        (signed(TOKEN, fields()).replace("AAH", "AAX"), "forged"),  # a field altered
        (signed(TOKEN, fields()) + "&start_param=evil", "forged"),  # a field added
        (signed(TOKEN, fields()) + "&hash=00", "forged"),  # two hashes
        (signed(TOKEN, fields(user="not json")), "forged"),
        ("%%%", "forged"),
        (
            signed(
                TOKEN, fields(auth_date=str(int((NOW - timedelta(days=1, seconds=1)).timestamp())))
            ),
            "stale",
        ),
    ],
)
def test_what_is_refused(raw: str, reason: str) -> None:
    with pytest.raises(InitDataError) as refused:
        check(raw, TOKEN, NOW)
    assert refused.value.reason == reason


def test_the_order_of_fields_does_not_matter() -> None:
    data = list(parse_qsl(signed(TOKEN, fields())))
    assert check(urlencode(list(reversed(data))), TOKEN, NOW).speaker.user_id == 880001
