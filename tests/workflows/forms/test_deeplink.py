"""Deep-link payloads: within Telegram's alphabet and length, signed, bound, expiring."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from workflows.forms.deeplink import (
    LIFETIME,
    LinkError,
    WeeklyLink,
    link_key,
    make_payload,
    read_payload,
)

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
KEY = link_key("123456:SECRET")
LINK = WeeklyLink(987654321012, 7, date(2026, 11, 30), NOW + LIFETIME)


def test_a_payload_fits_telegrams_rules_and_reads_back() -> None:
    payload = make_payload(KEY, LINK)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert read_payload(KEY, payload, NOW) == replace(LINK, expires=LINK.expires)


def test_each_person_unit_and_week_gets_its_own_payload() -> None:
    payloads = {
        make_payload(KEY, LINK),
        make_payload(KEY, replace(LINK, user_id=1)),
        make_payload(KEY, replace(LINK, unit_id=8)),
        make_payload(KEY, replace(LINK, period=date(2026, 12, 7))),
    }
    assert len(payloads) == 4


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "w",
        "hello",
        "w" + "A" * 40,
        "w" + "A" * 70,
        "w!!!!",
        "x" + make_payload(KEY, LINK)[1:],
    ],
)
def test_forged_payloads_are_refused(forged: str) -> None:
    with pytest.raises(LinkError) as err:
        read_payload(KEY, forged, NOW)
    assert err.value.reason == "forged"


def test_a_payload_changed_in_one_character_or_signed_by_another_bot_is_refused() -> None:
    payload = make_payload(KEY, LINK)
    flipped = payload[:10] + ("B" if payload[10] != "B" else "C") + payload[11:]
    for bad in (flipped, make_payload(link_key("other-bot"), LINK)):
        with pytest.raises(LinkError) as err:
            read_payload(KEY, bad, NOW)
        assert err.value.reason == "forged"


def test_an_expired_payload_is_refused_as_expired() -> None:
    payload = make_payload(KEY, LINK)
    assert read_payload(KEY, payload, NOW + LIFETIME - timedelta(minutes=1)) == LINK
    with pytest.raises(LinkError) as err:
        read_payload(KEY, payload, NOW + LIFETIME)
    assert err.value.reason == "expired"
