"""hyperbuds_sync.testing's emulators, over real loopback sockets with a plain aiohttp client."""

from __future__ import annotations

import asyncio
import gc
import json
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from _payloads import load_payload

from hyperbuds_sync.testing import (
    TEST_KEY,
    TEST_TOKEN,
    BackendEmulator,
    Creator,
    EmulatorOptions,
    Fault,
    RapidAPIEmulator,
    no_wait,
    serve,
    set_testing,
)

HOSTS = {
    "tiktok": "tiktok-api23.p.rapidapi.com",
    "twitter": "twitter241.p.rapidapi.com",
    "twitch": "twitch-scraper2.p.rapidapi.com",
    "instagram": "instagram-looter2.p.rapidapi.com",
}
PATHS = {
    "tiktok": ("/api/user/info", "uniqueId"),
    "twitter": ("/user", "username"),
    "twitch": ("/api/channels/info", "channel"),
    "instagram": ("/profile", "username"),
}
MONTHLY = (
    "You have exceeded the MONTHLY quota for Requests on your current plan, BASIC. "
    "Upgrade your plan at https://rapidapi.com/Lundehund/api/tiktok-api23"
)
PER_SECOND = "You have exceeded the rate limit per second for your plan, BASIC, by the API provider"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def call(
    session: aiohttp.ClientSession,
    emu: RapidAPIEmulator,
    platform: str,
    username: str,
    *,
    key: str | None = TEST_KEY,
    host: str | None = None,
    path: str | None = None,
    seconds: float | None = None,
) -> tuple[int, Any, Any]:
    """One provider call: (status, headers, parsed JSON)."""
    default_path, param = PATHS[platform]
    headers = {"x-rapidapi-host": host or HOSTS[platform]}
    if key is not None:
        headers["x-rapidapi-key"] = key
    async with session.get(
        emu.url + (path or default_path),
        params={param: username},
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=seconds),
    ) as resp:
        return resp.status, resp.headers, await resp.json()


async def post(
    session: aiohttp.ClientSession,
    be: BackendEmulator,
    route: str,
    body: Any,
    *,
    token: str | None = TEST_TOKEN,
    raw: str | None = None,
) -> tuple[int, Any]:
    """One backend call: (status, parsed JSON)."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body)
    url = f"{be.url}/profiles/social-sync/{route}"
    async with session.post(url, data=data, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


# --- RapidAPI: provider answers -------------------------------------------------------------------


async def test_tiktok_answers_a_seeded_creator(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        status, _, body = await call(session, emu, "tiktok", "MayaCooks")
    assert status == 200
    assert body["statusCode"] == 0
    user, stats, v2 = (body["userInfo"][k] for k in ("user", "stats", "statsV2"))
    assert user["uniqueId"] == "mayacooks"
    assert user["nickname"] == "Maya Cooks"
    assert user["verified"] is True
    assert user["avatarLarger"].startswith("https://")
    assert v2["followerCount"] == "1204377"
    assert v2["heartCount"] == v2["heart"] == "48571902"
    assert v2["videoCount"] == "842"
    assert stats["followerCount"] == 1_200_000  # legacy stats are rounded
    assert stats["heartCount"] == 48_600_000


async def test_twitter_answers_the_2025_shape(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        status, _, body = await call(session, emu, "twitter", "@mayacooks")
    assert status == 200
    user = body["result"]["data"]["user"]["result"]
    assert user["__typename"] == "User"
    assert user["rest_id"].isdigit()
    assert user["core"] == {
        "created_at": user["core"]["created_at"],
        "name": "Maya Cooks",
        "screen_name": "mayacooks",
    }
    assert user["avatar"]["image_url"].endswith("_normal.jpg")
    assert user["is_blue_verified"] is True
    legacy = user["legacy"]
    assert (legacy["followers_count"], legacy["friends_count"]) == (256_410, 812)
    assert (legacy["statuses_count"], legacy["favourites_count"]) == (9_731, 18_342)


async def test_twitch_answers_data_user(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        _, _, body = await call(session, emu, "twitch", "pixelmaya")
        _, _, old = await call(session, emu, "twitch", "oldschool")
    user = body["data"]["user"]
    assert user["login"] == "pixelmaya"
    assert user["displayName"] == "PixelMaya"
    assert user["followers"] == {"totalCount": 184_233}
    assert user["roles"]["isPartner"] is True
    assert "view_count" not in user
    assert old["data"]["user"]["view_count"] == 1_250_000


async def test_instagram_answers_the_flat_looter2_shape(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        _, _, body = await call(session, emu, "instagram", "maya.cooks")
    assert body["status"] is True
    assert body["username"] == "maya.cooks"
    assert body["edge_followed_by"] == {"count": 93_518}
    assert body["edge_follow"] == {"count": 402}
    media = body["edge_owner_to_timeline_media"]
    assert media["count"] == 611
    nodes = [edge["node"] for edge in media["edges"]]
    assert len(nodes) == 2
    assert sum(n["edge_liked_by"]["count"] for n in nodes) == 7_850
    assert sum(n["edge_media_to_comment"]["count"] for n in nodes) == 302
    assert sum(n.get("video_view_count", 0) for n in nodes) == 48_211


# Paths the adapters read (providers.md section 7): the emulator must answer them with the type the
# payload file has ("type:"), and with the same value where the seed copies the payload's creator.
_TT, _TW, _IG = "userInfo.", "result.data.user.result.", "edge_owner_to_timeline_media."
SHAPES: dict[str, tuple[str, list[str]]] = {
    "tiktok": (
        "mayacooks",
        [f"type:{_TT}user.{k}" for k in ("avatarLarger", "avatarThumb", "secUid", "createTime")]
        + [f"{_TT}user.{k}" for k in ("uniqueId", "nickname", "signature", "verified")]
        + [f"{_TT}{s}.{k}" for s in ("stats", "statsV2") for k in ("followerCount", "heart")]
        + [f"{_TT}{s}.{k}" for s in ("stats", "statsV2") for k in ("heartCount", "videoCount")]
        + ["statusCode", f"{_TT}statsV2.followingCount"],
    ),
    "twitter": (
        "mayacooks",
        [f"type:{_TW}rest_id", f"type:{_TW}id"]
        + [
            _TW + k
            for k in (
                "__typename", "core.name", "core.screen_name", "avatar.image_url",
                "is_blue_verified", "verification.verified", "legacy.description",
                "legacy.followers_count", "legacy.friends_count", "legacy.statuses_count",
                "legacy.favourites_count",
            )
        ],
    ),
    "twitch": (
        "pixelmaya",
        ["type:data.user.id", "type:data.user.profileImageURL", "type:data.user.stream"]
        + [
            "data.user." + k
            for k in (
                "login", "displayName", "description", "followers.totalCount", "roles.isPartner",
                "roles.isAffiliate",
            )
        ],
    ),
    "instagram": (
        "maya.cooks",
        ["type:id", "type:profile_pic_url_hd"]
        + [
            f"type:{_IG}edges.{i}.node.{k}"
            for i in (0, 1)
            for k in (
                "is_video", "shortcode", "taken_at_timestamp", "edge_liked_by.count",
                "edge_media_preview_like.count", "edge_media_to_comment.count",
            )
        ]
        + [
            "status", "username", "full_name", "biography", "is_verified",
            "edge_followed_by.count", "edge_follow.count", f"{_IG}count",
            f"{_IG}edges.0.node.video_view_count",
        ],
    ),
}  # fmt: skip


def dig(obj: Any, path: str) -> Any:
    for step in path.split("."):
        obj = obj[int(step)] if step.isdigit() else obj[step]
    return obj


@pytest.mark.parametrize("platform", sorted(SHAPES))
async def test_answers_match_the_payload_files(
    session: aiohttp.ClientSession, platform: str
) -> None:
    username, paths = SHAPES[platform]
    sample = json.loads((Path(__file__).parent / "payloads" / f"{platform}-user.json").read_text())
    async with RapidAPIEmulator() as emu:
        _, _, body = await call(session, emu, platform, username)
    for path in paths:
        if path.startswith("type:"):
            path = path.removeprefix("type:")
            assert type(dig(body, path)) is type(dig(sample, path)), path
        else:
            assert dig(body, path) == dig(sample, path), path


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("twitter", {"result": {"data": {}}}),
        ("twitch", {"data": {"user": None}}),
        ("instagram", {"status": False, "errorMessage": "User does not exist"}),
    ],
)
async def test_not_found_in_each_providers_own_way(
    session: aiohttp.ClientSession, platform: str, expected: Any
) -> None:
    async with RapidAPIEmulator() as emu:
        status, _, body = await call(session, emu, platform, "nobody_here")
    assert (status, body) == (200, expected)


async def test_tiktok_not_found_is_status_code_10221(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        status, _, body = await call(session, emu, "tiktok", "nobody_here")
    assert status == 200
    assert body["statusCode"] == 10221
    assert body["userInfo"] == {}


async def test_unknown_host_and_unknown_path(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        host = await call(session, emu, "tiktok", "mayacooks", host="nope.p.rapidapi.com")
        path = await call(session, emu, "tiktok", "mayacooks", path="/x")
    assert host[0] == 404
    assert host[2] == {"message": "API doesn't exists"}
    assert path[0] == 404
    assert path[2] == {"message": "Endpoint '/x' does not exist"}


async def test_creators_can_be_added_and_autogenerated(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu, RapidAPIEmulator(autogenerate=True) as auto:
        emu.add_creator("twitch", Creator("newone", "New One", followers=7))
        auto.prerender("twitch", ["creator_0042", "missing_one"])
        _, _, added = await call(session, emu, "twitch", "NewOne")
        _, _, off = await call(session, emu, "twitch", "creator_0042")
        _, _, first = await call(session, auto, "twitch", "creator_0042")
        _, _, missing = await call(session, auto, "twitch", "missing_creator")
    assert added["data"]["user"]["followers"] == {"totalCount": 7}
    assert off == {"data": {"user": None}}
    assert first["data"]["user"]["login"] == "creator_0042"
    assert missing == {"data": {"user": None}}
    again = RapidAPIEmulator(autogenerate=True).creator("twitch", "creator_0042")
    assert again is not None
    assert first["data"]["user"]["followers"]["totalCount"] == again.followers


def test_creator_counts_are_validated() -> None:
    with pytest.raises(ValueError, match="followers"):
        Creator("someone", followers=-1)


# --- RapidAPI: gateway ----------------------------------------------------------------------------


async def test_gateway_headers_and_remaining_decreasing(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator(quota=10) as emu:
        answers = [await call(session, emu, "tiktok", "mayacooks") for _ in range(3)]
    remaining = [int(h["x-ratelimit-requests-remaining"]) for _, h, _ in answers]
    assert remaining == [9, 8, 7]
    for _, headers, _ in answers:
        assert headers["x-ratelimit-requests-limit"] == "10"
        assert int(headers["x-ratelimit-requests-reset"]) > 0
        assert headers["server"] == "RapidAPI-1.2.8"
    assert len({h["x-rapidapi-request-id"] for _, h, _ in answers}) == 3


async def test_monthly_quota_gives_the_real_429(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator(quota=2, reset_after=600) as emu:
        for _ in range(2):
            assert (await call(session, emu, "tiktok", "mayacooks"))[0] == 200
        status, headers, body = await call(session, emu, "tiktok", "mayacooks")
        other_host = await call(session, emu, "twitch", "pixelmaya")
        emu.set_quota(3)
        raised = await call(session, emu, "tiktok", "mayacooks")
        emu.reset_quota()
        refilled = await call(session, emu, "tiktok", "mayacooks")
    assert status == 429
    assert body == {"message": MONTHLY}
    assert headers["x-ratelimit-requests-remaining"] == "0"
    assert 0 < int(headers["x-ratelimit-requests-reset"]) <= 600
    assert other_host[0] == 200  # the quota is per key and host by default
    assert raised[0] == 200
    assert refilled[1]["x-ratelimit-requests-remaining"] == "2"


async def test_quota_can_span_hosts(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator(quota=1, quota_per_host=False) as emu:
        first = await call(session, emu, "tiktok", "mayacooks")
        second = await call(session, emu, "twitch", "pixelmaya")
    assert (first[0], second[0]) == (200, 429)


async def test_per_second_limit(session: aiohttp.ClientSession) -> None:
    now = [1000.0]  # the emulator's clock, moved on by hand instead of sleeping a second
    emulator = RapidAPIEmulator(
        quota=100, per_second=2, per_second_retry_after=True, clock=lambda: now[0]
    )
    async with emulator as emu:
        answers = [await call(session, emu, "twitter", "mayacooks") for _ in range(3)]
        now[0] += 0.95
        still = await call(session, emu, "twitter", "mayacooks")
        now[0] += 0.1
        later = await call(session, emu, "twitter", "mayacooks")
    assert [a[0] for a in answers] == [200, 200, 429]
    _, headers, body = answers[2]
    assert body == {"message": PER_SECOND}
    assert headers["Retry-After"] == "1"
    assert headers["x-ratelimit-requests-remaining"] == "98"  # a refused call spends nothing
    assert still[0] == 429  # the window is one second long
    assert later[0] == 200


async def test_keys_missing_and_unsubscribed(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator(valid_keys={TEST_KEY}) as emu:
        missing = await call(session, emu, "tiktok", "mayacooks", key=None)
        wrong = await call(session, emu, "tiktok", "mayacooks", key="someone-elses-key")
        right = await call(session, emu, "tiktok", "mayacooks")
    assert missing[0] == 401
    assert missing[2]["message"].startswith("Invalid API key.")
    assert (wrong[0], wrong[2]) == (403, {"message": "You are not subscribed to this API."})
    assert right[0] == 200


# --- RapidAPI: faults -----------------------------------------------------------------------------


async def test_status_fault_then_normal(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        emu.fail("mayacooks", Fault.status(502), times=1)
        emu.fail("pixelmaya", Fault.status(429, retry_after=2))
        down = await call(session, emu, "tiktok", "mayacooks")
        back = await call(session, emu, "tiktok", "mayacooks")
        limited = [await call(session, emu, "twitch", "pixelmaya") for _ in range(2)]
    assert down[0] == 502
    assert set(down[2]) == {"messages", "info"}
    assert back[0] == 200
    assert [a[0] for a in limited] == [429, 429]
    assert limited[0][1]["Retry-After"] == "2"
    assert limited[0][2] == {"message": PER_SECOND}


async def test_fault_limited_to_one_platform(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        emu.fail("mayacooks", Fault.status(500), platform="twitter")
        tiktok = await call(session, emu, "tiktok", "mayacooks")
        twitter = await call(session, emu, "twitter", "mayacooks")
        emu.clear_faults()
        cleared = await call(session, emu, "twitter", "mayacooks")
    assert (tiktok[0], twitter[0], cleared[0]) == (200, 500, 200)


async def test_delay_fault_times_out_a_client(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        emu.fail("mayacooks", Fault.delay(5.0), times=1)
        emu.fail("pixelmaya", Fault.delay(0.05), times=1)
        with pytest.raises(TimeoutError):
            await call(session, emu, "tiktok", "mayacooks", seconds=0.2)
        slow = await call(session, emu, "twitch", "pixelmaya", seconds=2.0)
    assert slow[0] == 200


async def test_disconnect_fault_is_a_client_error(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        # aiohttp itself retries a GET once after a disconnect: fail every call, then clear.
        emu.fail("mayacooks", Fault.disconnect())
        with pytest.raises(aiohttp.ClientError) as caught:
            await call(session, emu, "tiktok", "mayacooks")
        emu.clear_faults("mayacooks")
        after = await call(session, emu, "tiktok", "mayacooks")
    assert isinstance(caught.value, aiohttp.ServerDisconnectedError)
    assert after[0] == 200


async def test_truncated_fault_is_invalid_json(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        emu.fail("maya.cooks", Fault.truncated())
        with pytest.raises(json.JSONDecodeError):
            await call(session, emu, "instagram", "maya.cooks")
        headers = {"x-rapidapi-host": HOSTS["instagram"], "x-rapidapi-key": TEST_KEY}
        async with session.get(emu.url + "/profile?username=maya.cooks", headers=headers) as resp:
            raw = await resp.read()
    assert resp.status == 200
    assert "x-ratelimit-requests-remaining" in resp.headers
    assert raw.startswith(b'{"status":true')


async def test_wrong_shape_fault(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator() as emu:
        emu.fail("mayacooks", Fault.wrong_shape(), times=1)
        emu.fail("mayacooks", Fault.wrong_shape([1, 2]), times=1)
        first = await call(session, emu, "twitter", "mayacooks")
        second = await call(session, emu, "twitter", "mayacooks")
    assert (first[0], first[2]) == (200, {"unexpected": []})
    assert second[2] == [1, 2]


async def test_random_faults_are_repeatable_with_a_seed(session: aiohttp.ClientSession) -> None:
    async def statuses(seed: int) -> list[int]:
        async with RapidAPIEmulator(fault_rate=0.4, seed=seed) as emu:
            return [(await call(session, emu, "tiktok", "mayacooks"))[0] for _ in range(25)]

    first, second = await statuses(7), await statuses(7)
    assert first == second
    assert 200 in first
    assert set(first) - {200} <= {502, 503, 504}
    assert set(first) != {200}


# --- RapidAPI: counting and lifecycle -------------------------------------------------------------


async def test_calls_are_counted(session: aiohttp.ClientSession) -> None:
    async with RapidAPIEmulator(valid_keys={TEST_KEY}) as emu:
        await call(session, emu, "tiktok", "mayacooks")
        await call(session, emu, "tiktok", "MayaCooks")
        await call(session, emu, "twitter", "mayacooks")
        await call(session, emu, "twitch", "pixelmaya", key="bad")
        assert emu.calls == 4
        assert emu.calls_for(host=HOSTS["tiktok"]) == 2
        assert emu.calls_for(platform="twitter") == 1
        assert emu.calls_for(username="mayacooks") == 3
        assert emu.calls_for(HOSTS["tiktok"], "mayacooks") == 2
        assert emu.calls_for(key=TEST_KEY) == 3
        assert emu.calls_for(key="bad") == 1
        emu.reset_counts()
        assert (emu.calls, emu.calls_for(username="mayacooks")) == (0, 0)


async def test_emulators_close_cleanly(session: aiohttp.ClientSession) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        emu, be = RapidAPIEmulator(), BackendEmulator()
        await emu.start()
        await be.start()
        url = emu.url
        await call(session, emu, "tiktok", "mayacooks")  # leaves a keep-alive connection open
        with pytest.raises(RuntimeError):
            await emu.start()
        await emu.stop()
        await be.stop()
        await emu.stop()  # twice is fine
        gc.collect()
    assert [w for w in seen if issubclass(w.category, ResourceWarning)] == []
    with pytest.raises(RuntimeError):
        _ = emu.url
    with pytest.raises(aiohttp.ClientConnectionError):
        await session.get(url, headers={"Connection": "close"})
    with pytest.raises(RuntimeError, match="cannot start again"):
        await emu.start()


async def test_serve_runs_both_until_cancelled(session: aiohttp.ClientSession) -> None:
    urls: list[str | None] = []
    ready = asyncio.Event()

    def on_ready(rapidapi_url: str | None, backend_url: str | None) -> None:
        urls.extend([rapidapi_url, backend_url])
        ready.set()

    task = asyncio.create_task(serve(rapidapi_port=0, backend_port=0, ready=on_ready))
    await asyncio.wait_for(ready.wait(), 5)
    rapidapi_url, backend_url = urls
    assert rapidapi_url is not None
    assert backend_url is not None
    assert backend_url.endswith("/api/v1")
    headers = {"x-rapidapi-host": HOSTS["twitch"], "x-rapidapi-key": TEST_KEY}
    async with session.get(
        f"{rapidapi_url}/api/channels/info?channel=pixelmaya", headers=headers
    ) as r:
        assert r.status == 200
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# --- backend --------------------------------------------------------------------------------------


async def test_backend_needs_the_bearer_token(session: aiohttp.ClientSession) -> None:
    async with BackendEmulator() as be:
        none = await post(session, be, "tiktok", {"followers": 1}, token=None)
        wrong = await post(session, be, "tiktok", {"followers": 1}, token="nope")
        batch = await post(session, be, "batch", {"tiktok": {"followers": 1}}, token="nope")
    unauthorized = (401, {"success": False, "message": "Unauthorized"})
    assert none == wrong == batch == unauthorized
    assert be.profile()["stats"]["totalFollowers"] == 0


def joi(message: str, key: str | None, kind: str) -> dict[str, Any]:
    """A Joi validation answer as the real backend sends it (see tests/payloads/backend-400-joi)."""
    context = {"key": key, "label": key} if key else {"label": "value"}
    detail = {"message": message, "path": [key] if key else [], "type": kind, "context": context}
    return {"message": "Validation failed", "details": [detail]}


def test_joi_helper_matches_the_real_capture() -> None:
    assert joi('"followers" is required', "followers", "any.required") == load_payload(
        "backend-400-joi"
    )


NEGATIVE = "must be greater than or equal to 0"
ONE_OF = '"value" must contain at least one of [followers, engagement]'
NOT_OBJECT = joi('"value" must be of type object', None, "object.base")


def number_rule(key: str, rule: str, kind: str) -> dict[str, Any]:
    return joi(f'"{key}" {rule}', key, kind)


@pytest.mark.parametrize(
    ("body", "raw", "answer"),
    [
        ({"followers": -1}, None, number_rule("followers", NEGATIVE, "number.min")),
        ({"followers": True}, None, number_rule("followers", "must be a number", "number.base")),
        ({"followers": "12"}, None, number_rule("followers", "must be a number", "number.base")),
        (
            {"followers": 1.5},
            None,
            number_rule("followers", "must be an integer", "number.integer"),
        ),
        ({"engagement": -0.1}, None, number_rule("engagement", NEGATIVE, "number.min")),
        ({"engagement": False}, None, number_rule("engagement", "must be a number", "number.base")),
        ({"engagement": "2.5"}, None, number_rule("engagement", "must be a number", "number.base")),
        (None, '{"engagement": NaN}', number_rule("engagement", "must be a number", "number.base")),
        (
            None,
            '{"engagement": Infinity}',
            number_rule("engagement", "cannot be infinity", "number.infinity"),
        ),
        ({}, None, joi(ONE_OF, None, "object.missing")),
        ({"likes": 3}, None, joi(ONE_OF, None, "object.missing")),
        ([1, 2], None, NOT_OBJECT),
        (None, "{not json", NOT_OBJECT),
    ],
)
async def test_backend_validates_the_body_as_joi_does(
    session: aiohttp.ClientSession, body: Any, raw: str | None, answer: dict[str, Any]
) -> None:
    async with BackendEmulator() as be:
        got = await post(session, be, "twitch", body, raw=raw)
    assert got == (400, answer)


@pytest.mark.parametrize("platform", ["myspace", "batch"])
async def test_backend_rejects_unknown_platforms(
    session: aiohttp.ClientSession, platform: str
) -> None:
    async with BackendEmulator() as be:
        refused = await post(session, be, platform, {"followers": 1})
        youtube = await post(session, be, "youtube", {"followers": 1})
    assert refused == (400, {"success": False, "message": "Invalid platform type"})
    assert youtube[0] == 200


async def test_backend_answers_as_the_real_capture(session: aiohttp.ClientSession) -> None:
    real = load_payload("backend-sync-success")
    async with BackendEmulator() as be:
        for platform, entry in real["profile"]["stats"]["platformBreakdown"].items():
            if platform != "tiktok":
                await post(session, be, platform, entry)
        status, answer = await post(session, be, "tiktok", {"followers": 1000, "engagement": 0})
    assert (status, answer["success"], answer["message"]) == (200, True, real["message"])
    stats = answer["profile"]["stats"]
    for entry in stats["platformBreakdown"].values():
        del entry["lastSynced"]
    assert stats == real["profile"]["stats"]  # 24025 followers, 1.39 = round(5.57 / 4, 2)


async def test_backend_aggregates_per_user(session: aiohttp.ClientSession) -> None:
    async with BackendEmulator(tokens={"alice", "bob"}) as be:
        await post(session, be, "tiktok", {"followers": 100, "engagement": 2.0}, token="alice")
        status, body = await post(
            session, be, "twitch", {"followers": 50, "engagement": 4}, token="alice"
        )
        _, update = await post(session, be, "tiktok", {"followers": 120}, token="alice")
        await post(session, be, "instagram", {"followers": 9}, token="bob")
    message = "Social media Twitch synced successfully"
    assert (status, body["success"], body["message"]) == (200, True, message)
    stats = body["profile"]["stats"]
    assert (stats["totalFollowers"], stats["avgEngagement"]) == (150, 3.0)
    assert stats["platformBreakdown"]["twitch"]["lastSynced"].endswith("Z")
    tiktok = update["profile"]["stats"]["platformBreakdown"]["tiktok"]
    assert (tiktok["followers"], tiktok["engagement"]) == (120, 2.0)  # engagement kept
    assert update["profile"]["stats"]["totalFollowers"] == 170
    assert be.profile("bob")["stats"]["totalFollowers"] == 9


async def test_backend_batch_when_asked(session: aiohttp.ClientSession) -> None:
    async with BackendEmulator(batch=True) as be:
        be.fail("twitch", 503, times=1)
        body = {
            "tiktok": {"followers": 10, "engagement": 1.0},
            "twitch": {"followers": 20},
            "twitter": {"followers": -5},
            "instagram": {"followers": 30, "engagement": 3.0},
        }
        status, answer = await post(session, be, "batch", body)
    assert status == 200
    assert answer["success"] is True
    assert answer["message"] == "2 of 4 platforms synced"
    results = answer["results"]
    assert results["tiktok"] == {
        "success": True,
        "message": "Social media Tiktok synced successfully",
    }
    assert results["twitch"]["status"] == 503
    assert results["twitter"] == {
        "success": False,
        "message": '"followers" must be greater than or equal to 0',
        "status": 400,
    }
    stats = answer["profile"]["stats"]
    assert (stats["totalFollowers"], stats["avgEngagement"]) == (40, 2.0)
    assert set(stats["platformBreakdown"]) == {"tiktok", "instagram"}


async def test_backend_faults_and_recorded_requests(session: aiohttp.ClientSession) -> None:
    async with BackendEmulator() as be:
        be.fail("tiktok", 500, times=1)
        be.fail("twitch", Fault.disconnect(), times=1)
        failed = await post(session, be, "tiktok", {"followers": 5})
        with pytest.raises(aiohttp.ClientConnectionError):
            await post(session, be, "twitch", {"followers": 5})
        synced = await post(session, be, "tiktok", {"followers": 5})
    assert failed == (500, {"success": False, "message": "Internal Server Error"})
    assert synced[1]["profile"]["stats"]["totalFollowers"] == 5  # the failed call stored nothing
    assert [r.path for r in be.requests] == [
        "/api/v1/profiles/social-sync/" + p for p in ("tiktok", "twitch", "tiktok")
    ]
    assert be.requests[0].body == {"followers": 5}
    assert all("authorization" not in {k.lower() for k in r.headers} for r in be.requests)
    assert TEST_TOKEN not in repr(be.requests)


# --- testing switches and fixtures ----------------------------------------------------------------


def test_set_testing_is_deprecated_and_says_what_to_do_instead() -> None:
    with pytest.warns(DeprecationWarning, match="quick_loop"):
        set_testing()


async def test_plugin_fixtures(
    rapidapi_emulator: RapidAPIEmulator,
    backend_emulator: BackendEmulator,
    no_backoff: object,
    session: aiohttp.ClientSession,
) -> None:
    assert no_backoff is no_wait
    assert rapidapi_emulator.url.startswith("http://127.0.0.1:")
    assert backend_emulator.url.endswith("/api/v1")
    status, _, body = await call(session, rapidapi_emulator, "twitch", "pixelmaya")
    assert (status, body["data"]["user"]["login"]) == (200, "pixelmaya")
    synced = await post(session, backend_emulator, "twitch", {"followers": 1})
    assert synced[0] == 200


async def test_serve_takes_the_options_of_the_one_table() -> None:
    with pytest.raises(TypeError):
        await serve(rapidapi_port=0, backend_port=0, no_such_option=1)
    options = EmulatorOptions(rapidapi_port=None, backend_port=0, tokens={"t"})
    assert options.rapidapi() is None
    backend = options.backend()
    assert backend is not None
    assert backend.tokens == frozenset({"t"})
