"""Issue 10 point 6: only a provider's own not-found answer is ``UsernameNotFound``.

Telling a creator their account does not exist because a provider glitched is the worst error we
can give, so every other answer that lacks the data is ``MalformedPayload``. One table per
provider, the rules from ``providers.md``.
"""

from __future__ import annotations

from typing import Any

import pytest
from _payloads import load_payload

from hyperbuds_sync.errors import MalformedPayload, UsernameNotFound
from hyperbuds_sync.platforms import (
    InstagramLooter2Adapter,
    Provider,
    TikTokApi23Adapter,
    TwitchScraper2Adapter,
    Twitter241Adapter,
)

NF, BAD = UsernameNotFound, MalformedPayload


def _tiktok_info() -> Any:
    return load_payload("tiktok-user")["userInfo"]


def _tw(user: Any) -> dict[str, Any]:
    return {"result": {"data": {"user": {"result": user}}}}


TIKTOK: list[tuple[Any, type[Exception]]] = [
    (load_payload("tiktok-notfound"), NF),
    ({"statusCode": 10202, "userInfo": _tiktok_info()}, NF),
    ({"statusCode": "10221"}, NF),
    ({"statusCode": 10221, "userInfo": []}, NF),
    ({"statusCode": 0, "userInfo": {}}, NF),
    ({"userInfo": {"user": None}}, NF),
    ({"userInfo": {"user": {}}}, NF),
    ({"userInfo": {"user": {"uniqueId": ""}, "stats": {"followerCount": 1}}}, NF),
    ({}, BAD),
    ({"statusCode": 0}, BAD),
    ({"data": 42}, BAD),
    ({"data": {}}, BAD),
    ({"userInfo": None}, BAD),
    ({"userInfo": []}, BAD),
    ({"userInfo": 42}, BAD),
    ({"userInfo": {"user": ["mayacooks"]}}, BAD),
    ({"userInfo": {"user": "mayacooks"}}, BAD),
    ({"userInfo": {"user": {"uniqueId": "maya"}}}, BAD),
]

TWITTER: list[tuple[Any, type[Exception]]] = [
    (load_payload("twitter-notfound"), NF),
    (load_payload("twitter-suspended"), NF),
    ({"result": {"__typename": "UserUnavailable", "unavailable_reason": "Suspended"}}, NF),
    ({"error": True, "code": "error_msg", "message": "No user matches for specified terms."}, NF),
    (_tw({"__typename": "UserUnavailable"}), NF),
    ({}, BAD),
    ({"data": 42}, BAD),
    ({"data": {}}, BAD),
    ({"result": None}, BAD),
    ({"result": 42}, BAD),
    ({"result": []}, BAD),
    ({"result": {"data": 42}}, BAD),
    ({"result": {"data": {"user": {}}}}, BAD),
    ({"result": {"data": {"user": "maya"}}}, BAD),
    (_tw(None), BAD),
    (_tw({}), BAD),
    (_tw("User"), BAD),
    (_tw({"__typename": "User", "core": {"screen_name": "x"}}), BAD),
    ({"message": "Internal error"}, BAD),
    ({"error": True, "message": "Something went wrong"}, BAD),
    ({"errors": [{"message": "Timeout"}]}, BAD),
]

TWITCH: list[tuple[Any, type[Exception]]] = [
    (load_payload("twitch-notfound"), NF),
    ({}, BAD),
    ({"data": 42}, BAD),
    ({"data": {}}, BAD),
    ({"data": None}, BAD),
    ({"data": []}, BAD),
    ({"data": {"user": "pixelmaya"}}, BAD),
    ({"data": {"user": 42}}, BAD),
    ({"data": {"user": {"login": "pixelmaya"}}}, BAD),
]

INSTAGRAM: list[tuple[Any, type[Exception]]] = [
    (load_payload("instagram-notfound"), NF),
    ({"status": False}, NF),
    ({"status": False, "data": {}}, NF),
    ({}, BAD),
    ({"status": True}, BAD),
    ({"status": "false"}, BAD),
    ({"data": 42}, BAD),
    ({"data": {}}, BAD),
    ({"data": []}, BAD),
    ({"data": {"user": None}}, BAD),
]

CASES = [
    (adapter, payload, expected)
    for adapter, table in (
        (TikTokApi23Adapter(), TIKTOK),
        (Twitter241Adapter(), TWITTER),
        (TwitchScraper2Adapter(), TWITCH),
        (InstagramLooter2Adapter(), INSTAGRAM),
    )
    for payload, expected in table
]


@pytest.mark.parametrize(
    ("adapter", "payload", "expected"),
    CASES,
    ids=[f"{a.platform}-{i}" for i, (a, _, _) in enumerate(CASES)],
)
def test_only_the_providers_own_answer_is_not_found(
    adapter: Provider, payload: Any, expected: type[Exception]
) -> None:
    with pytest.raises(expected) as info:
        adapter.parse("someone", payload)
    assert type(info.value) is expected
    assert (info.value.platform, info.value.host) == (adapter.platform, adapter.host)  # type: ignore[attr-defined]


def test_a_list_answer_is_malformed() -> None:
    for adapter in (
        TikTokApi23Adapter(),
        Twitter241Adapter(),
        TwitchScraper2Adapter(),
        InstagramLooter2Adapter(),
    ):
        with pytest.raises(MalformedPayload):
            adapter.parse("someone", [{"data": {}}])
