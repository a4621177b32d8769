"""Webhooks held to the SDK's rules (issue 20): the backend URL's policy, an id on every event,
``verify`` refusing a bad tolerance and a replayed id, final refusals neither retried nor kept,
kept deliveries given up after ``max_replays``, and a slow receiver never sent an event thrice.

Deliveries go to receivers on 127.0.0.1 over real sockets; the roster's store is a real SQLite
file.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from _hook_server import Serve, serve  # noqa: F401  (the fixture)
from aiohttp import web

from hyperbuds_sync import BackendConfigError, ConfigError, Roster, SocialSync, SyncClient
from hyperbuds_sync.errors import InvalidInput
from hyperbuds_sync.models import PlatformData
from hyperbuds_sync.webhooks import (
    EVENT_ID_HEADER,
    MemorySeenIds,
    WebhookReplayError,
    WebhookSignatureError,
    check_webhook_url,
    deliver,
    encode,
    sign,
    verify,
    with_id,
)

SECRET = "whsec-delivery-test"
TS = 1_800_000_000

# --- one URL policy, the backend's -------------------------------------------------------------

ALWAYS_REFUSED = [
    "file:///etc/passwd",
    "ftp://example.com/hook",
    "https://",
    "http://169.254.169.254/latest/meta-data/",
    "https://169.254.169.254/",
    "https://169.254.10.1/hook",
    "https://[fe80::1]/hook",
    "https://[fd00:ec2::254]/",
    "https://100.100.100.200/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://METADATA.google.internal./",
    "http://0xA9FEA9FE/",  # 169.254.169.254 as a resolver reads it
    "http://2852039166/",
    "https://[::ffff:169.254.169.254]/",
]


@pytest.mark.parametrize("url", ALWAYS_REFUSED)
@pytest.mark.parametrize("insecure", [False, True])
def test_link_local_metadata_and_non_http_urls_are_refused_even_with_the_flag(
    url: str, insecure: bool
) -> None:
    with pytest.raises(ConfigError):
        check_webhook_url(url, allow_insecure_webhooks=insecure)
    with pytest.raises(BackendConfigError):  # the same policy, the same function
        SyncClient(url, "tok", allow_insecure_http=insecure)


@pytest.mark.parametrize(
    ("url", "plain", "insecure"),
    [
        ("https://hooks.example.com/hyperbuds", True, True),
        ("https://10.0.0.5/hook", True, True),  # a private address over https
        ("http://127.0.0.1:8080/hook", True, True),
        ("http://localhost/hook", True, True),
        ("http://[::1]/hook", True, True),
        ("http://hooks.example.com/hook", False, True),  # plain http needs the flag
        ("http://10.0.0.5/hook", False, True),
        ("http://192.168.1.20/hook", False, True),
    ],
)
def test_https_or_loopback_http_unless_the_flag(url: str, plain: bool, insecure: bool) -> None:
    for allowed, flag in ((plain, False), (insecure, True)):
        if allowed:
            assert check_webhook_url(url, allow_insecure_webhooks=flag) == url
        else:
            with pytest.raises(ConfigError, match="allow_insecure_webhooks=True"):
                check_webhook_url(url, allow_insecure_webhooks=flag)


async def test_deliver_refuses_a_metadata_url_before_any_request() -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ConfigError, match="metadata"):
            await deliver(session, "http://169.254.169.254/", {"a": 1}, SECRET)


# --- verify: tolerance and seen ids --------------------------------------------------------------


def _signed(event: Mapping[str, Any], ts: int = TS) -> tuple[bytes, dict[str, str]]:
    body = encode(event)
    headers = {**sign(body, SECRET, timestamp=ts), EVENT_ID_HEADER: str(event.get("id", ""))}
    return body, headers


@pytest.mark.parametrize("tolerance", [math.nan, math.inf, -math.inf, 0, -1, "300", True, None])
def test_verify_refuses_a_tolerance_that_is_not_a_finite_positive_number(tolerance: Any) -> None:
    body, headers = _signed({"id": "e1"})
    with pytest.raises(InvalidInput, match="tolerance") as info:
        verify(body, headers, SECRET, tolerance, now=TS)
    assert not isinstance(
        info.value, WebhookSignatureError
    )  # the caller's mistake, not the request's


def test_verify_with_seen_refuses_a_replayed_id_inside_the_window() -> None:
    seen = MemorySeenIds(clock=lambda: TS)
    body, headers = _signed({"id": "e1", "x": 1})
    verify(body, headers, SECRET, now=TS, seen=seen)
    with pytest.raises(WebhookReplayError) as info:
        verify(body, headers, SECRET, now=TS + 5, seen=seen)  # the identical delivery again
    assert info.value.event_id == "e1"
    resigned = _signed({"id": "e1", "x": 1}, ts=TS + 10)  # signed afresh, as a retry is
    with pytest.raises(WebhookReplayError):
        verify(*resigned, SECRET, now=TS + 10, seen=seen)
    verify(*_signed({"id": "e2", "x": 1}), SECRET, now=TS, seen=seen)  # another event passes
    verify(body, headers, SECRET, now=TS)  # without seen= nothing is remembered


def test_the_seen_id_is_the_signed_one() -> None:
    seen = MemorySeenIds(clock=lambda: TS)
    body, headers = _signed({"id": "e1"})
    with pytest.raises(WebhookSignatureError, match="does not match its body"):
        verify(body, {**headers, EVENT_ID_HEADER: "forged"}, SECRET, now=TS, seen=seen)
    no_id_body, no_id_headers = _signed({"x": 1})
    with pytest.raises(WebhookSignatureError, match="no event id"):
        verify(no_id_body, no_id_headers, SECRET, now=TS, seen=seen)
    bad = dict(headers)
    del bad[EVENT_ID_HEADER]
    verify(body, bad, SECRET, now=TS, seen=seen)  # the header is optional; the body's id counts
    with pytest.raises(WebhookReplayError):
        verify(body, headers, SECRET, now=TS, seen=seen)


def test_a_refused_signature_is_not_remembered() -> None:
    seen = MemorySeenIds(clock=lambda: TS)
    body, headers = _signed({"id": "e1"})
    with pytest.raises(WebhookSignatureError):
        verify(body, headers, "another-secret", now=TS, seen=seen)
    assert len(seen) == 0
    verify(body, headers, SECRET, now=TS, seen=seen)


def test_memory_seen_ids_expire_forget_and_stay_bounded() -> None:
    now = [100.0]
    seen = MemorySeenIds(maxsize=3, clock=lambda: now[0])
    assert seen.add("a", 110.0)
    assert not seen.add("a", 110.0)
    seen.discard("a")  # its processing failed: the retry must get through
    assert seen.add("a", 110.0)
    now[0] = 111.0
    assert seen.add("a", 120.0)  # over: a new delivery (verify refuses it as too old anyway)
    for name in "bcde":
        seen.add(name, 200.0)
    assert len(seen) == 3
    with pytest.raises(InvalidInput):
        MemorySeenIds(maxsize=0)


def test_with_id_keeps_an_id_and_gives_one_otherwise() -> None:
    assert with_id({"id": "kept", "a": 1}) == {"id": "kept", "a": 1}
    made = with_id({"a": 1})
    assert made["a"] == 1
    assert isinstance(made["id"], str)
    assert len(made["id"]) == 32
    assert with_id({"id": " "})["id"] != " "


# --- the retry rule: final refusals and slow receivers -------------------------------------------


class Receiver:
    """Answers ``status`` after ``delay`` seconds; counts every request it gets."""

    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.ids: list[str] = []
        self.seen = MemorySeenIds()
        self.duplicates = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.ids.append(request.headers[EVENT_ID_HEADER])
        try:
            verify(body, dict(request.headers), SECRET, seen=self.seen)
        except WebhookReplayError:
            self.duplicates += 1  # dropped, answered 2xx
            return web.Response(status=200)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status >= 300:
            self.seen.discard(json.loads(body)["id"])  # not taken: its retry must pass
        return web.Response(status=self.status)


async def _no_sleep(_: float) -> None:
    return None


async def test_a_slow_receiver_gets_the_event_once_and_it_is_kept(serve: Serve) -> None:
    receiver = Receiver(delay=0.6)
    url = await serve(receiver)
    kept: list[Mapping[str, Any]] = []
    async with aiohttp.ClientSession() as session:
        ok = await deliver(
            session, url, {"a": 1}, SECRET, try_timeout=0.2, sleep=_no_sleep, on_failed=kept.append
        )
    assert ok is False
    assert len(receiver.ids) == 1  # one try: a timeout is not retried at once
    assert [event["id"] for event in kept] == receiver.ids  # kept, with its id, for a replay


async def test_a_retried_event_keeps_its_id_so_the_receiver_drops_the_duplicate(
    serve: Serve,
) -> None:
    receiver = Receiver()
    url = await serve(receiver)
    event = with_id({"a": 1})
    async with aiohttp.ClientSession() as session:
        assert await deliver(session, url, event, SECRET)
        assert await deliver(session, url, event, SECRET)  # at least once: sent again
    assert receiver.ids == [event["id"]] * 2
    assert receiver.duplicates == 1


# --- the roster: not kept, given up --------------------------------------------------------------


@pytest.fixture
async def roster_for(tmp_path: Path) -> AsyncIterator[Callable[..., Roster]]:
    sync = SocialSync(history_url=str(tmp_path / "h.db"), redis_url="")
    rosters: list[Roster] = []

    def build(**options: Any) -> Roster:
        roster = Roster(sync, webhook_secret=SECRET, webhook_waits=(0.0, 0.0), **options)
        rosters.append(roster)
        return roster

    async with sync:
        yield build
        for roster in rosters:
            await roster.aclose()


def _after(followers: int) -> PlatformData:
    return PlatformData("tiktok", "maya", followers=followers, average_engagement=1.0)


async def test_a_roster_refuses_a_webhook_url_outside_the_policy(
    roster_for: Callable[..., Roster],
) -> None:
    for url in ("file:///tmp/hook", "http://169.254.169.254/", "http://hooks.example.com/"):
        with pytest.raises(ConfigError):
            roster_for(webhook_url=url)
    with pytest.raises(ConfigError, match="metadata"):
        roster_for(webhook_url="http://169.254.169.254/", allow_insecure_webhooks=True)
    roster = roster_for(webhook_url="http://hooks.example.com/", allow_insecure_webhooks=True)
    assert roster.hooks.url == "http://hooks.example.com/"
    with pytest.raises(ConfigError, match="max_replays"):
        roster_for(webhook_url="https://hooks.example.com/", webhook_max_replays=0)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
async def test_a_final_refusal_is_not_kept(
    roster_for: Callable[..., Roster], serve: Serve, status: int
) -> None:
    receiver = Receiver(status=status)
    roster = roster_for(webhook_url=await serve(receiver))
    assert await roster.hooks.after_sync("user-1", "tiktok", None, _after(1000))
    await roster.hooks.drain()
    assert len(receiver.ids) == 1  # not retried
    assert await roster.store.deliveries() == []  # not kept for replay


async def test_kept_deliveries_are_replayed_then_given_up(
    roster_for: Callable[..., Roster], serve: Serve
) -> None:
    receiver = Receiver(status=503)
    roster = roster_for(webhook_url=await serve(receiver), webhook_max_replays=2)
    await roster.hooks.after_sync("user-1", "tiktok", None, _after(1000))
    await roster.hooks.drain()
    assert len(receiver.ids) == 3  # three tries, then kept
    [kept] = await roster.store.deliveries()
    assert await roster.replay_webhooks() == 0
    assert [d.tries for d in await roster.store.deliveries()] == [4]  # replay 1 of 2 failed
    assert await roster.replay_webhooks() == 0  # replay 2 of 2: given up
    assert await roster.store.deliveries() == []
    assert receiver.ids == [kept.event["id"]] * 5  # one id from the first try to the last


async def test_a_replay_refused_for_good_is_forgotten_and_one_taken_is_counted(
    roster_for: Callable[..., Roster], serve: Serve
) -> None:
    gone, taken = Receiver(status=410), Receiver()
    roster = roster_for(webhook_url=await serve(taken))
    await roster.store.keep_delivery(await serve(gone), with_id({"a": 1}), 3)
    await roster.store.keep_delivery(await serve(taken), with_id({"b": 2}), 3)
    await roster.store.keep_delivery("http://169.254.169.254/", with_id({"c": 3}), 3)  # old row
    assert await roster.replay_webhooks() == 1
    assert await roster.store.deliveries() == []
    assert (len(gone.ids), len(taken.ids)) == (1, 1)
