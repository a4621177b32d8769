"""The edge of the running service: keys, rate limits, CORS, request ids, bad input as JSON, and
no secret in any answer or log line."""

from __future__ import annotations

import json

from _app_fixtures import LogLines, access_log, running  # noqa: F401  (fixture)

from hyperbuds_sync.service import SETTINGS, RateLimit, ServiceSettings
from hyperbuds_sync.testing import TEST_KEY, TEST_TOKEN

KEY_WEB = "web-key-0123456789abcdef"
KEY_NODE = "node-key-fedcba9876543210"
KEYS = {"web": KEY_WEB, "node": KEY_NODE}
FETCH = "/api/v1/social/fetch"
BODY = {"platform": "tiktok", "username": "mayacooks"}
ORIGIN = "https://app.hyperbuds.example"


async def test_keys_let_in_named_callers_only(access_log: LogLines) -> None:
    async with running(keys=KEYS) as svc:
        none = await svc.call("POST", FETCH, json_body=BODY)
        wrong = await svc.call("POST", FETCH, json_body=BODY, headers={"X-API-Key": "nope"})
        web = await svc.call("POST", FETCH, json_body=BODY, headers={"X-API-Key": KEY_WEB})
        node = await svc.call("POST", FETCH, json_body=BODY, headers={"X-API-Key": KEY_NODE})
        health = await svc.call("GET", "/healthz")
        ready = await svc.call("GET", "/readyz")
        metrics = await svc.call("GET", "/metrics", headers={"X-API-Key": KEY_WEB})
    assert none[0] == 401
    assert none[2]["success"] is False
    assert none[2]["error"] == "Invalid or missing API key"
    assert wrong[0] == 401
    assert (web[0], node[0], health[0], ready[0]) == (200, 200, 200, 200)
    callers = [line["caller"] for line in access_log.lines if line["route"] == FETCH]
    assert callers == ["anonymous", "anonymous", "web", "node"]
    assert 'caller="web"' in metrics[2]
    assert 'caller="node"' in metrics[2]
    assert KEY_WEB not in metrics[2]


async def test_anonymous_callers_are_limited_per_address_with_retry_after() -> None:
    settings = ServiceSettings(anonymous_rate_limit=RateLimit(0.5, 2))
    async with running(settings=settings) as svc:
        answers = [await svc.call("GET", "/api/v1/providers") for _ in range(3)]
        health = await svc.call("GET", "/healthz")
    assert [a[0] for a in answers] == [200, 200, 429]
    limited = answers[2]
    assert limited[1]["Retry-After"] == "2"
    assert limited[2]["error"] == "Rate limit exceeded. Please try again later."
    assert health[0] == 200  # the probes are never limited


async def test_keyed_callers_are_unlimited_by_default_and_limited_each_when_set() -> None:
    async with running(settings=ServiceSettings(keys=KEYS)) as svc:
        free = [
            await svc.call("GET", "/api/v1/providers", headers={"X-API-Key": KEY_WEB})
            for _ in range(25)
        ]
    assert {a[0] for a in free} == {200}
    settings = ServiceSettings(keys=KEYS, rate_limit=RateLimit(1, 1))
    async with running(settings=settings) as svc:
        web = [
            await svc.call("GET", "/api/v1/providers", headers={"X-API-Key": KEY_WEB})
            for _ in range(2)
        ]
        node = await svc.call("GET", "/api/v1/providers", headers={"X-API-Key": KEY_NODE})
    assert [a[0] for a in web] == [200, 429]
    assert node[0] == 200  # a bucket per caller


async def test_cors_answers_allowed_origins_only_preflight_included() -> None:
    preflight = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with running(origins=[ORIGIN + "/"], keys=KEYS) as svc:
        allowed = await svc.call("OPTIONS", FETCH, headers=preflight)
        other = await svc.call(
            "OPTIONS", FETCH, headers={**preflight, "Origin": "https://evil.example"}
        )
        actual = await svc.call(
            "POST", FETCH, json_body=BODY, headers={"Origin": ORIGIN, "X-API-Key": KEY_WEB}
        )
        refused = await svc.call("POST", FETCH, json_body=BODY, headers={"Origin": ORIGIN})
        foreign = await svc.call(
            "POST",
            FETCH,
            json_body=BODY,
            headers={"Origin": "https://evil.example", "X-API-Key": KEY_WEB},
        )
    assert allowed[0] == 204  # before the key check: a browser's preflight carries no key
    assert allowed[1]["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in allowed[1]["Access-Control-Allow-Methods"]
    assert "X-API-Key" in allowed[1]["Access-Control-Allow-Headers"]
    assert other[0] == 403
    assert "Access-Control-Allow-Origin" not in other[1]
    assert actual[1]["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in actual[1]["Vary"]
    assert refused[0] == 401
    assert refused[1]["Access-Control-Allow-Origin"] == ORIGIN  # the browser can read the 401
    assert foreign[0] == 200
    assert "Access-Control-Allow-Origin" not in foreign[1]


async def test_request_ids_are_taken_or_made_echoed_and_logged(access_log: LogLines) -> None:
    async with running() as svc:
        given = await svc.call("GET", "/healthz", headers={"X-Request-ID": "abc-123"})
        made = await svc.call("GET", "/healthz")
        hostile = await svc.call("GET", "/healthz", headers={"X-Request-ID": "x" * 300})
    assert given[1]["X-Request-ID"] == "abc-123"
    assert len(made[1]["X-Request-ID"]) == 32
    assert hostile[1]["X-Request-ID"] != "x" * 300
    ids = [line["request_id"] for line in access_log.lines]
    assert ids == [given[1]["X-Request-ID"], made[1]["X-Request-ID"], hostile[1]["X-Request-ID"]]
    assert {line["route"] for line in access_log.lines} == {"/healthz"}


async def test_bad_requests_are_json(access_log: LogLines) -> None:
    async with running() as svc:
        unknown = await svc.call("GET", "/wp-admin")
        method = await svc.call("DELETE", FETCH)
        big = await svc.call(
            "POST",
            FETCH,
            data=json.dumps({**BODY, "pad": "x" * 70_000}),
            headers={"Content-Type": "application/json"},
        )
        broken = await svc.call(
            "POST", FETCH, data="{not json", headers={"Content-Type": "application/json"}
        )
        array = await svc.call("POST", FETCH, json_body=[1, 2])
        text = await svc.call(
            "POST", FETCH, data="platform=tiktok", headers={"Content-Type": "text/plain"}
        )
        binary = await svc.call(
            "POST", FETCH, data=b"\xff\xfe", headers={"Content-Type": "application/json"}
        )
    assert unknown[0] == 404
    assert unknown[2] == {"success": False, "error": "Not found"}
    assert method[0] == 405
    assert method[2]["error"] == "Method not allowed"
    assert "POST" in method[1]["Allow"]
    assert big[0] == 413
    assert big[2]["success"] is False
    assert (broken[0], broken[2]["error"]) == (400, "Invalid JSON body")
    assert (array[0], array[2]["error"]) == (400, "Invalid JSON body")
    assert text[0] == 415
    assert text[2]["error"] == "Content-Type must be application/json"
    assert binary[0] == 400
    assert {line["route"] for line in access_log.lines[:1]} == {"unmatched"}  # no raw path


async def test_no_secret_in_any_answer_or_log_line(access_log: LogLines) -> None:
    async with running(keys=KEYS) as svc:
        headers = {"X-API-Key": KEY_WEB, "Authorization": f"Bearer {TEST_TOKEN}"}
        answers = [
            await svc.call("POST", FETCH, json_body=BODY, headers=headers),
            await svc.call("POST", FETCH, json_body=BODY, headers={"X-API-Key": KEY_NODE + "x"}),
            await svc.call(
                "POST",
                "/api/v1/social/sync",
                json_body=BODY,
                headers={**headers, "Authorization": "Bearer wrong-token-123456"},
            ),
            await svc.call("GET", "/api/v1/providers", headers=headers),
            await svc.call("GET", "/metrics", headers=headers),
            await svc.call("GET", "/openapi.json", headers=headers),
        ]
        settings_repr = repr(svc.app[SETTINGS])
    texts = [json.dumps(a[2]) + json.dumps(dict(a[1])) for a in answers]
    texts += [*access_log.texts, settings_repr]
    for secret in (KEY_WEB, KEY_NODE, TEST_TOKEN, TEST_KEY, "wrong-token-123456"):
        assert not [t for t in texts if secret in t], secret
    assert len(access_log.lines) == len(answers)  # one line per request
