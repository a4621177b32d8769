"""Quota and Retry-After headers are read into bounded values or ignored, whatever they hold:
a table of garbage per header kind, and arbitrary values through a real answer (issue 10.5)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from aioresponses import aioresponses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyperbuds_sync import HyperbudsSyncError, SocialSync
from hyperbuds_sync.testing import TEST_KEY
from hyperbuds_sync.transport import parse_retry_after
from hyperbuds_sync.transport._headers import (
    MAX_COUNT,
    MAX_RESET,
    MAX_RETRY_AFTER,
    parse_count,
    parse_reset,
)

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
GARBAGE = ["", "  ", "soon", "NaN", "nan", "inf", "-inf", "1e400", "-5", "-0.5", "0x10", "\x00\xff"]
TIKTOK = json.loads((Path(__file__).parent / "payloads" / "tiktok-user.json").read_text())
ANY_TIKTOK = re.compile(r"^https://tiktok-api23\.p\.rapidapi\.com/.*$")
QUOTA_HEADERS = (
    "x-ratelimit-requests-limit",
    "x-ratelimit-requests-remaining",
    "x-ratelimit-requests-reset",
)


@pytest.mark.parametrize("value", [None, *GARBAGE, "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_garbage_counts_and_resets_are_ignored(value: str | None) -> None:
    assert parse_count(value) is None
    assert parse_reset(value) is None


@pytest.mark.parametrize(
    ("value", "count", "reset"),
    [
        ("0", 0, 0.0),
        (" 487 ", 487, 487.0),
        ("5.7", 5, 5.7),
        ("1e300", MAX_COUNT, MAX_RESET),
        ("99999999999999999999", MAX_COUNT, MAX_RESET),
        ("2163603", 2163603, 2163603.0),
    ],
)
def test_counts_and_resets_are_bounded(value: str, count: int, reset: float) -> None:
    assert parse_count(value) == count
    assert parse_reset(value) == reset


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *((g, None) for g in GARBAGE),
        (None, None),
        ("30", 30.0),
        ("1e300", MAX_RETRY_AFTER),
        ("99999999999999999999", MAX_RETRY_AFTER),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Mon, 01 Jan 0001 00:00:00 GMT", 0.0),
        ("Tue, 24 Nov 2026 12:00:30 GMT", 30.0),
        ("Tue, 24 Nov 99999 12:00:30 GMT", None),  # no such year in a datetime
    ],
)
def test_retry_after_is_bounded(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


HEADER_VALUES = st.one_of(
    st.text(max_size=40),
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: format_datetime(d, usegmt=True)),
    st.sampled_from(["1e300", "99999999999999999999", "-5", "NaN", "inf", "soon"]),
)


async def _fetch_and_read_quota(status: int, headers: dict[str, str]) -> None:
    async with SocialSync(rapidapi_key=TEST_KEY, max_tries=2, redis_url="") as sync:
        with aioresponses() as mock:
            mock.get(ANY_TIKTOK, status=status, payload=TIKTOK, headers=headers, repeat=True)
            with contextlib.suppress(HyperbudsSyncError):
                await sync.fetch("tiktok", "someone")
            for status_of_host in sync.quota().values():
                repr(status_of_host)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    status=st.sampled_from([200, 429, 503]),
    values=st.lists(st.one_of(st.none(), HEADER_VALUES), min_size=4, max_size=4),
)
def test_no_header_value_escapes_the_error_tree(status: int, values: list[str | None]) -> None:
    names = (*QUOTA_HEADERS, "retry-after")
    headers = {name: value for name, value in zip(names, values, strict=True) if value is not None}
    asyncio.run(_fetch_and_read_quota(status, headers))  # raises only outside the error tree
