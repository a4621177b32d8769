"""Webhook signing, verification, delivery with retries, and change detection."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest
from _hook_server import Serve, serve  # noqa: F401  (the fixture)
from aiohttp import web

from hyperbuds_sync.errors import HyperbudsSyncError, InvalidInput
from hyperbuds_sync.models import PlatformData
from hyperbuds_sync.webhooks import (
    WebhookSignatureError,
    changed,
    deliver,
    encode,
    sign,
    verify,
)

SECRET_OLD = "whsec-old-0123456789"
SECRET_NEW = "whsec-new-9876543210"
BODY = b'{"creator_id":"user-42","platform":"tiktok","followers":1200}'
TS = 1_735_689_600


def test_signature_is_hmac_of_timestamp_dot_body() -> None:
    headers = sign(BODY, SECRET_NEW, timestamp=TS)
    expected = hmac.new(SECRET_NEW.encode(), b"1735689600." + BODY, hashlib.sha256).hexdigest()
    assert headers == {
        "X-HyperBuds-Timestamp": "1735689600",
        "X-HyperBuds-Signature": f"sha256={expected}",
    }


def test_round_trip_and_case_insensitive_headers() -> None:
    headers = sign(BODY, SECRET_NEW, timestamp=TS)
    verify(BODY, headers, SECRET_NEW, now=TS + 10)
    lowered = {k.lower(): v for k, v in headers.items()}
    verify(BODY, lowered, SECRET_NEW, now=TS)
    verify(BODY, {k.upper(): v for k, v in headers.items()}, SECRET_NEW, now=TS)


def test_rotation_lists_both_signatures_and_either_secret_verifies() -> None:
    headers = sign(BODY, [SECRET_OLD, SECRET_NEW], timestamp=TS)
    assert headers["X-HyperBuds-Signature"].count("sha256=") == 2
    verify(BODY, headers, SECRET_OLD, now=TS)
    verify(BODY, headers, SECRET_NEW, now=TS)
    # a receiver that rotated already holds both, the sender still signs with the old one
    verify(BODY, sign(BODY, SECRET_OLD, timestamp=TS), [SECRET_NEW, SECRET_OLD], now=TS)
    with pytest.raises(WebhookSignatureError):
        verify(BODY, sign(BODY, SECRET_OLD, timestamp=TS), SECRET_NEW, now=TS)


@pytest.mark.parametrize(
    ("body", "change"),
    [
        (BODY + b" ", {}),
        (BODY, {"X-HyperBuds-Timestamp": str(TS + 1)}),
        (BODY, {"X-HyperBuds-Signature": "sha256=" + "0" * 64}),
        (BODY, {"X-HyperBuds-Signature": "md5=abc"}),
        (BODY, {"X-HyperBuds-Signature": ""}),
        (BODY, {"X-HyperBuds-Timestamp": "soon"}),
    ],
)
def test_tampering_is_refused(body: bytes, change: dict[str, str]) -> None:
    headers = {**sign(BODY, SECRET_NEW, timestamp=TS), **change}
    with pytest.raises(WebhookSignatureError) as caught:
        verify(body, headers, SECRET_NEW, now=TS)
    assert isinstance(caught.value, InvalidInput)
    assert isinstance(caught.value, HyperbudsSyncError)
    assert SECRET_NEW not in str(caught.value)
    assert SECRET_NEW not in repr(caught.value)


def test_missing_headers_are_refused() -> None:
    headers = sign(BODY, SECRET_NEW, timestamp=TS)
    for name in headers:
        partial = {k: v for k, v in headers.items() if k != name}
        with pytest.raises(WebhookSignatureError, match="no signature or no timestamp"):
            verify(BODY, partial, SECRET_NEW, now=TS)


def test_tolerance_refuses_old_and_future_timestamps() -> None:
    headers = sign(BODY, SECRET_NEW, timestamp=TS)
    verify(BODY, headers, SECRET_NEW, now=TS + 300)
    with pytest.raises(WebhookSignatureError, match="300 s window"):
        verify(BODY, headers, SECRET_NEW, now=TS + 301)
    with pytest.raises(WebhookSignatureError):
        verify(BODY, headers, SECRET_NEW, now=TS - 301)
    verify(BODY, headers, SECRET_NEW, tolerance=3600, now=TS + 3000)


def test_default_timestamp_is_now() -> None:
    verify(BODY, sign(BODY, SECRET_NEW), SECRET_NEW)


@pytest.mark.parametrize("secret", ["", [], [""], [SECRET_NEW, 3]])
def test_bad_secret_is_invalid_input(secret: Any) -> None:
    with pytest.raises(InvalidInput, match="webhook secret"):
        sign(BODY, secret)


# --- delivery against a real server on 127.0.0.1 -------------------------------------------------


class Receiver:
    """A webhook receiver that answers ``statuses`` in turn (then 200) and verifies each body."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[dict[str, Any]] = []
        self.ids: list[str | None] = []
        self.verified = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        verify(body, dict(request.headers), SECRET_NEW)
        self.verified += 1
        self.received.append(json.loads(body))
        self.ids.append(request.headers.get("X-HyperBuds-Event-Id"))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.Response(status=status)


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


EVENT = {"type": "stats.changed", "creator_id": "user-42", "platform": "tiktok", "followers": 7}


async def test_delivery_fails_twice_then_is_accepted(serve: Any) -> None:
    receiver = Receiver([500, 503])
    url = await serve(receiver)
    waits = Waits()
    failed: list[Mapping[str, Any]] = []
    async with aiohttp.ClientSession() as session:
        ok = await deliver(session, url, EVENT, SECRET_NEW, sleep=waits, on_failed=failed.append)
    assert ok is True
    assert receiver.verified == 3
    first = receiver.received[0]
    assert first == {**EVENT, "id": first["id"]}  # an id given to the event, for every try
    assert receiver.received == [first] * 3
    assert receiver.ids == [first["id"]] * 3  # in the header too
    assert waits.seconds == [10.0, 30.0]
    assert sum(waits.seconds) + 3 * 5 <= 60
    assert failed == []


async def test_delivery_gives_up_after_three_tries_and_reports(serve: Any) -> None:
    receiver = Receiver([500, 502, 503, 200])
    url = await serve(receiver)
    failed: list[Mapping[str, Any]] = []

    async def keep(event: Mapping[str, Any]) -> None:
        failed.append(event)

    async with aiohttp.ClientSession() as session:
        ok = await deliver(session, url, EVENT, SECRET_NEW, sleep=Waits(), on_failed=keep)
    assert ok is False
    assert receiver.verified == 3
    assert failed == [{**EVENT, "id": receiver.received[0]["id"]}]  # kept with its id


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
async def test_delivery_does_not_retry_nor_keep_a_final_refusal(serve: Any, status: int) -> None:
    receiver = Receiver([status])
    url = await serve(receiver)
    waits = Waits()
    failed: list[Mapping[str, Any]] = []
    async with aiohttp.ClientSession() as session:
        ok = await deliver(session, url, EVENT, SECRET_NEW, sleep=waits, on_failed=failed.append)
    assert ok is False
    assert receiver.verified == 1
    assert waits.seconds == []
    assert failed == []  # never kept: no replay would change the answer


async def test_another_4xx_is_not_retried_but_kept(serve: Any) -> None:
    receiver = Receiver([422])
    url = await serve(receiver)
    failed: list[Mapping[str, Any]] = []
    async with aiohttp.ClientSession() as session:
        ok = await deliver(session, url, EVENT, SECRET_NEW, sleep=Waits(), on_failed=failed.append)
    assert ok is False
    assert receiver.verified == 1
    assert len(failed) == 1


async def test_delivery_retries_a_connection_fault() -> None:
    waits = Waits()
    failed: list[Mapping[str, Any]] = []
    async with aiohttp.ClientSession() as session:  # nothing listens on port 9 of loopback
        ok = await deliver(
            session, "http://127.0.0.1:9/hook", EVENT, SECRET_NEW, sleep=waits,
            on_failed=failed.append,
        )  # fmt: skip
    assert ok is False
    assert waits.seconds == [10.0, 30.0]
    assert [{k: v for k, v in e.items() if k != "id"} for e in failed] == [EVENT]


def test_encode_is_compact_json() -> None:
    assert encode({"a": 1, "b": "é"}) == '{"a":1,"b":"é"}'.encode()


# --- change detection ----------------------------------------------------------------------------


def record(followers: int, engagement: float) -> PlatformData:
    return PlatformData("tiktok", "maya", followers=followers, average_engagement=engagement)


def test_changed_thresholds() -> None:
    base = record(10_000, 4.0)
    assert changed(None, base)
    assert not changed(base, record(10_050, 4.1), followers_pct=1, engagement_pct=5)
    assert changed(base, record(10_100, 4.0), followers_pct=1, engagement_pct=5)
    assert changed(base, record(9_900, 4.0), followers_pct=1, engagement_pct=5)
    assert changed(base, record(10_000, 4.2), followers_pct=1, engagement_pct=5)
    assert not changed(record(0, 0.0), record(0, 0.0))
    assert changed(record(0, 0.0), record(1, 0.0))
    with pytest.raises(InvalidInput):
        changed(base, base, followers_pct=-1)
