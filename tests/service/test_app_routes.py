"""Every route of the service on a real loopback socket, over the emulators."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from _app_fixtures import running

from hyperbuds_sync.models import PlatformData, to_dict
from hyperbuds_sync.service import ACTIVITY
from hyperbuds_sync.service._fetching import data_json
from hyperbuds_sync.testing import TEST_TOKEN, Fault

CONTRACT_PLATFORMS = "tiktok, instagram, youtube, twitter, twitch"
INVALID_PLATFORM = f"Invalid platform. Supported platforms: {CONTRACT_PLATFORMS}"
INVALID_TYPE = f"Invalid platform type. Supported platforms: {CONTRACT_PLATFORMS}"
FETCH = "/api/v1/social/fetch"
BEARER = {"Authorization": f"Bearer {TEST_TOKEN}"}


async def test_fetch_answers_the_contract_with_the_record_in_camel_case() -> None:
    async with running() as svc:
        body = {"platform": "tiktok", "username": "mayacooks"}
        status, _, first = await svc.call("POST", FETCH, json_body=body)
        _, _, second = await svc.call("POST", FETCH, json_body={**body, "username": "@mayacooks"})
        calls = svc.rapidapi.calls
        _, _, refreshed = await svc.call("POST", FETCH, json_body={**body, "refresh": True})
    assert status == 200
    assert first["success"] is True
    data = first["data"]
    assert data["followers"] == 1_204_377
    assert data["engagement"] == data["averageEngagement"]
    assert data["engagement"] > 0
    for field in ("displayName", "profileImage", "bio", "verified", "following", "totalContent"):
        assert field in data
    assert data["provider"] == "tiktok-api23"
    assert data["formula"] == "legacy"
    assert data["stale"] is False
    assert data["platform"] == "tiktok"
    datetime.fromisoformat(data["lastFetched"])
    assert "raw" not in data
    assert data["cached"] is False
    assert second["data"]["cached"] is True
    assert refreshed["data"]["cached"] is False
    assert svc.rapidapi.calls > calls


def test_the_wire_data_is_the_records_camel_case_dict_without_raw() -> None:
    """The service's ``data`` is ``to_dict`` (same keys, values and order) less ``raw``, plus
    ``engagement`` and ``cached``: the plain function and the cattrs converter agree."""
    record = PlatformData(
        "twitch",
        "someone",
        display_name="Some One",
        profile_image="https://img/1.png",
        bio="hi",
        verified=True,
        followers=10,
        following=2,
        total_content=3,
        total_engagement=None,
        average_engagement=None,
        last_fetched=datetime(2026, 12, 7, 12, 30, 5, 123456, tzinfo=UTC),
        raw={"deep": {"n": [1, 2]}},
        stale=True,
        provider="twitch-scraper2",
        rounded=True,
        formula="rate",
    )
    expected = to_dict(record)
    del expected["raw"]
    expected.update(engagement=None, cached=True)
    wire = data_json(record, True)
    assert wire == expected
    assert list(wire) == list(expected)
    assert json.loads(json.dumps(wire))["lastFetched"] == "2026-12-07T12:30:05.123456+00:00"


async def test_fetch_takes_a_formula_from_the_body_or_the_settings() -> None:
    async with running() as svc:
        body = {"platform": "tiktok", "username": "mayacooks", "formula": "rate"}
        _, _, answer = await svc.call("POST", FETCH, json_body=body)
        status, _, unknown = await svc.call("POST", FETCH, json_body={**body, "formula": "nope"})
    assert answer["data"]["formula"] == "rate"
    assert 0 < answer["data"]["engagement"] < 100
    assert status == 400
    assert unknown["error"] == "Unknown formula"


async def test_fetch_errors_follow_the_contract() -> None:
    async with running() as svc:
        svc.rapidapi.fail("gone_user", Fault.status(404))
        cases = {
            "bad platform": {"platform": "myspace", "username": "a"},
            "platform not a string": {"platform": 3, "username": "a"},
            "no username": {"platform": "tiktok", "username": "  "},
            "hostile username": {"platform": "tiktok", "username": "<script>/../x"},
            "refresh not bool": {"platform": "tiktok", "username": "a", "refresh": "yes"},
            "not found": {"platform": "twitch", "username": "nobody_here_zz"},
        }
        answers = {name: await svc.call("POST", FETCH, json_body=b) for name, b in cases.items()}
    assert answers["bad platform"][0] == 400
    assert answers["bad platform"][2] == {"success": False, "error": INVALID_PLATFORM}
    assert answers["platform not a string"][2]["error"] == INVALID_PLATFORM
    assert answers["no username"][:1] == (400,)
    assert answers["no username"][2]["error"] == "Username is required"
    assert answers["hostile username"][0] == 400
    assert answers["hostile username"][2]["error"] == "Invalid username"
    assert answers["refresh not bool"][0] == 400
    assert answers["not found"][0] == 404
    assert answers["not found"][2]["error"] == "Username not found on platform"


async def test_next_route_answers_its_own_contract_quirks_included() -> None:
    async with running() as svc:
        ok = await svc.call("GET", "/api/platform/twitch?username=pixelmaya")
        again = await svc.call("GET", "/api/platform/twitch?username=pixelmaya")
        missing = await svc.call("GET", "/api/platform/twitch?username=nobody_here_zz")
        bad_type = await svc.call("GET", "/api/platform/myspace?username=a")
        no_name = await svc.call("GET", "/api/platform/twitch?username=%20")
        post = await svc.call("POST", "/api/platform/twitch", json_body={})
    assert ok[0] == 200
    assert ok[2]["success"] is True
    assert ok[2]["cached"] is False
    assert ok[2]["data"]["username"] == "pixelmaya"
    assert again[2]["cached"] is True
    assert missing[0] == 200  # their route's quirk: a failed fetch is a 200
    assert missing[2] == {"success": False, "error": "Username not found on platform"}
    assert bad_type[0] == 400
    assert bad_type[2] == {"success": False, "error": INVALID_TYPE}
    assert no_name[0] == 400
    assert no_name[2] == {"success": False, "error": "Username is required"}
    assert post[0] == 400
    assert post[2] == {
        "success": False,
        "error": "Use GET for single platform or POST /api/platform/batch for multiple",
    }


async def test_batch_fetches_at_once_with_null_for_each_failure() -> None:
    async with running() as svc:
        entries = [
            {"type": "tiktok", "username": "mayacooks"},
            {"type": "twitch", "username": "nobody_here_zz"},
            {"type": "myspace", "username": "a"},
        ]
        status, _, body = await svc.call(
            "POST", "/api/platform/batch", json_body={"platforms": entries}
        )
        eleven = [{"type": "tiktok", "username": f"u{i}"} for i in range(11)]
        too_many = await svc.call("POST", "/api/platform/batch", json_body={"platforms": eleven})
        empty = await svc.call("POST", "/api/platform/batch", json_body={"platforms": []})
        absent = await svc.call("POST", "/api/platform/batch", json_body={})
    assert status == 200
    assert body["success"] is True
    assert body["data"]["tiktok"]["followers"] == 1_204_377
    assert body["data"]["twitch"] is None
    assert body["data"]["myspace"] is None
    assert too_many[0] == 400
    assert "10" in too_many[2]["error"]
    required = {"success": False, "error": "Platforms array is required"}
    assert empty[:1] == (400,)
    assert empty[2] == required
    assert absent[2] == required


async def test_sync_forwards_the_creators_bearer_and_refuses_a_drop() -> None:
    async with running() as svc:
        body = {"platform": "tiktok", "username": "mayacooks"}
        ok = await svc.call("POST", "/api/v1/social/sync", json_body=body, headers=BEARER)
        wrong = {"Authorization": "Bearer not-the-creators-token"}
        refused = await svc.call("POST", "/api/v1/social/sync", json_body=body, headers=wrong)
        no_bearer = await svc.call("POST", "/api/v1/social/sync", json_body=body)
        manual = {"platform": "tiktok", "followers": 0, "engagement": 1.5}
        drop = await svc.call("POST", "/api/v1/social/sync", json_body=manual, headers=BEARER)
        forced = await svc.call(
            "POST", "/api/v1/social/sync", json_body={**manual, "force": True}, headers=BEARER
        )
        bad = {"platform": "tiktok", "followers": -1}
        invalid = await svc.call("POST", "/api/v1/social/sync", json_body=bad, headers=BEARER)
    assert ok[0] == 200
    assert ok[2]["success"] is True
    assert ok[2]["data"]["platform"] == "tiktok"
    # the client has no token of its own: the backend accepted the one forwarded, and no other
    assert refused[0] == 401
    assert refused[2]["error"] == "HyperBuds rejected the Authorization token"
    assert no_bearer[0] == 401
    assert drop[0] == 409
    assert drop[2]["success"] is False
    assert drop[2]["drop"]["previous"] == 1_204_377
    assert drop[2]["drop"]["current"] == 0
    assert forced[0] == 200
    assert invalid[0] == 400
    assert invalid[2]["error"] == "Invalid stats"


async def test_history_and_growth_read_the_history_store() -> None:
    async with running() as svc:
        await svc.call("POST", FETCH, json_body={"platform": "tiktok", "username": "mayacooks"})
        query = "platform=tiktok&username=mayacooks"
        history = await svc.call("GET", f"/api/v1/social/history?{query}&days=7")
        growth = await svc.call("GET", f"/api/v1/social/growth?{query}&days=7,30")
        bad_days = await svc.call("GET", f"/api/v1/social/history?{query}&days=zero")
        no_name = await svc.call("GET", "/api/v1/social/growth?platform=tiktok")
    snapshots = history[2]["data"]["snapshots"]
    assert history[0] == 200
    assert len(snapshots) == 1
    assert snapshots[0]["followers"] == 1_204_377
    assert growth[0] == 200
    assert set(growth[2]["data"]["windows"]) == {"7", "30"}
    assert growth[2]["data"]["end"]["followers"] == 1_204_377
    assert bad_days[0] == 400
    assert no_name[0] == 400


async def test_history_without_a_store_is_a_config_fault_naming_what_is_missing() -> None:
    async with running(history_url="") as svc:
        status, _, body = await svc.call(
            "GET", "/api/v1/social/history?platform=tiktok&username=mayacooks"
        )
    assert status == 500
    assert body["error"] == "Service configuration error"
    assert "HYPERBUDS_HISTORY_URL" in body["message"]


async def test_providers_lists_each_chain_with_its_state() -> None:
    async with running() as svc:
        status, _, body = await svc.call("GET", "/api/v1/providers")
    assert status == 200
    tiktok = body["data"]["platforms"]["tiktok"]
    assert tiktok[0] == {
        "provider": "tiktok-api23",
        "platform": "tiktok",
        "available": True,
        "benchedUntil": None,
        "reason": "",
    }
    assert body["data"]["formula"] == "legacy"


async def test_roster_routes_manage_the_roster_or_say_there_is_none() -> None:
    async with running() as svc:
        none = await svc.call("GET", "/api/v1/roster")
    assert none[0] == 404
    assert none[2]["error"] == "No roster"
    async with running(with_roster=True) as svc:
        path = "/api/v1/roster/creators/c1"
        await svc.call("PUT", path, json_body={"usernames": {"tiktok": "mayacooks"}})
        unplanned = await svc.call("GET", "/api/v1/roster")
    assert unplanned[0] == 200
    assert unplanned[2]["data"]["plan"] is None
    assert "budget" in unplanned[2]["data"]["planError"]
    async with running(with_roster=True, budgets={"tiktok-api23": 10_000}) as svc:
        put = await svc.call("PUT", path, json_body={"usernames": {"tiktok": "mayacooks"}})
        listed = await svc.call("GET", "/api/v1/roster")
        bad = await svc.call("PUT", path, json_body={"usernames": {"myspace": "a"}})
        deleted = await svc.call("DELETE", path)
        again = await svc.call("DELETE", path)
    assert put[0] == 200
    assert put[2]["data"]["creatorId"] == "c1"
    creators = listed[2]["data"]["creators"]
    assert [c["creatorId"] for c in creators] == ["c1"]
    assert creators[0]["platforms"]["tiktok"]["username"] == "mayacooks"
    assert "entries" in listed[2]["data"]["plan"]
    assert "freshness" in listed[2]["data"]["status"]
    assert bad[0] == 400
    assert bad[2]["error"].startswith("Invalid platform.")
    assert deleted[0] == 200
    assert again[0] == 404


async def test_healthz_readyz_and_metrics() -> None:
    async with running() as svc:
        health = await svc.call("GET", "/healthz")
        ready = await svc.call("GET", "/readyz")
        await svc.call("GET", "/api/platform/twitch?username=pixelmaya")
        metrics = await svc.call("GET", "/metrics")
    assert health[:1] == (200,)
    assert health[2] == {"status": "ok"}
    assert ready[0] == 200
    assert ready[2] == {"status": "ready", "checks": {"history": True}}
    text = metrics[2]
    assert metrics[0] == 200
    assert metrics[1]["Content-Type"].startswith("text/plain")
    assert 'route="/api/platform/{type}"' in text
    assert "pixelmaya" not in text
    assert 'hyperbuds_service_requests_total{caller="anonymous",method="GET"' in text
    assert "hyperbuds_service_request_duration_seconds_bucket" in text
    assert 'hyperbuds_sync_upstream_calls_total{platform="twitch"' in text


async def test_a_method_the_service_does_not_serve_is_counted_as_other() -> None:
    """The client picks the method. aiohttp's C parser knows ~35 of them (WebDAV's among them)
    and its pure-Python parser takes any token: a label taken as sent would grow with them."""
    webdav = ["PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH"]
    async with running() as svc:
        statuses = [(await svc.call(method, "/healthz"))[0] for method in webdav]
        await svc.call("DELETE", "/healthz")
        metrics = await svc.call("GET", "/metrics")
    assert set(statuses) <= {400, 405}
    text = metrics[2]
    assert not any(f'method="{method}"' in text for method in webdav)
    methods = {part.split('"')[1] for part in text.split("method=")[1:]}
    assert methods <= {"GET", "DELETE", "other"}
    assert 'hyperbuds_service_requests_total{caller="anonymous",method="other"' in text
    assert 'caller="anonymous",method="DELETE",route="unmatched",status="405"' in text


async def test_readyz_is_503_when_redis_or_the_database_does_not_answer() -> None:
    dead_redis = "redis://127.0.0.1:1/0"
    dead_db = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    async with running(redis_url=dead_redis) as svc:
        redis_down = await svc.call("GET", "/readyz")
    async with running(history_url=dead_db) as svc:
        db_down = await svc.call("GET", "/readyz")
    assert redis_down[0] == 503
    assert redis_down[2]["checks"] == {"redis": False, "history": True}
    assert db_down[0] == 503
    assert db_down[2]["checks"] == {"history": False}


async def test_fetches_feed_the_activity_recorder() -> None:
    async with running() as svc:
        await svc.call("POST", FETCH, json_body={"platform": "tiktok", "username": "mayacooks"})
        await svc.call("POST", FETCH, json_body={"platform": "tiktok", "username": "mayacooks"})
        await svc.call("GET", "/api/platform/twitch?username=nobody_here_zz")
        await svc.call("POST", FETCH, json_body={"platform": "myspace", "username": "a"})
        snapshot = svc.app[ACTIVITY].snapshot()
    rows = {row.platform: row for row in snapshot.platforms}
    assert set(rows) == {"tiktok", "twitch"}  # an unknown platform is not recorded
    assert rows["tiktok"].requests_hour == 2
    assert (rows["tiktok"].cache_hits_day, rows["tiktok"].cache_misses_day) == (1, 1)
    assert dict(rows["twitch"].outcomes_day) == {"UsernameNotFound": 1}
    (error,) = snapshot.recent_errors
    assert (error.platform, error.username, error.error) == (
        "twitch",
        "nobody_here_zz",
        "UsernameNotFound",
    )
