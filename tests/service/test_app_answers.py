"""The kept answer bytes: a hit writes the bytes built for its record, and they are always the
bytes a fresh build would write (a miss, a hit, ``refresh: true``, a formula, a stale record)."""

from __future__ import annotations

import gc
import json
from typing import Any

from _app_fixtures import Service, running

from hyperbuds_sync.cache import DEFAULT_MAXSIZE
from hyperbuds_sync.models import PlatformData
from hyperbuds_sync.service._answers import MAXSIZE, KeptAnswers
from hyperbuds_sync.service._fetching import data_json
from hyperbuds_sync.service._state import ANSWERS

FETCH = "/api/v1/social/fetch"
JSON_TYPE = "application/json; charset=utf-8"


def _counting() -> tuple[KeptAnswers, list[PlatformData]]:
    built: list[PlatformData] = []

    def build(data: PlatformData, cached: bool) -> dict[str, Any]:
        built.append(data)
        return data_json(data, cached)

    return KeptAnswers(build, maxsize=2), built


def test_the_same_record_and_flag_is_built_once() -> None:
    kept, built = _counting()
    record = PlatformData("twitch", "someone", followers=10)
    first = kept.data_bytes(record, True)
    assert kept.data_bytes(record, True) is first
    assert first == json.dumps(data_json(record, True)).encode()
    assert len(built) == 1


def test_another_flag_or_another_object_is_built_anew() -> None:
    kept, built = _counting()
    record = PlatformData("twitch", "someone", followers=10)
    missed = kept.data_bytes(record, False)
    hit = kept.data_bytes(record, True)
    assert json.loads(missed)["cached"] is False
    assert json.loads(hit)["cached"] is True
    newer = PlatformData("twitch", "someone", followers=11)
    assert json.loads(kept.data_bytes(newer, True))["followers"] == 11
    equal = PlatformData("twitch", "someone", followers=11, last_fetched=newer.last_fetched)
    kept.data_bytes(equal, True)  # equal, but not the same object: built
    assert len(built) == 4


def test_another_formula_leaves_the_cached_records_bytes_in_place() -> None:
    kept, built = _counting()
    record = PlatformData("twitch", "someone", followers=10, formula="legacy")
    first = kept.data_bytes(record, True)
    rated = PlatformData("twitch", "someone", followers=10, formula="rate")
    assert json.loads(kept.data_bytes(rated, True))["formula"] == "rate"
    assert kept.data_bytes(record, True) is first
    assert len(built) == 2


def test_bounded_as_the_sdks_default_cache() -> None:
    assert MAXSIZE == DEFAULT_MAXSIZE


def test_bounded_and_holding_no_record_alive() -> None:
    kept, _ = _counting()
    records = [PlatformData("twitch", f"user{n}") for n in range(3)]
    for record in records:
        kept.data_bytes(record, True)
    assert len(kept) == 2  # the oldest went first
    gone = PlatformData("tiktok", "gone")
    kept.data_bytes(gone, True)
    del gone
    gc.collect()
    again = PlatformData("tiktok", "gone", followers=5)
    assert json.loads(kept.data_bytes(again, True))["followers"] == 5


async def _raw(svc: Service, body: dict[str, Any]) -> tuple[str, bytes]:
    async with svc.session.post(svc.url(FETCH), json=body) as answer:
        assert answer.status == 200
        return answer.headers["Content-Type"], await answer.read()


def _fresh(record: PlatformData, cached: bool) -> bytes:
    """The answer as built before bytes were kept: ``web.json_response`` of the dict."""
    return json.dumps({"success": True, "data": data_json(record, cached)}).encode()


async def test_fetch_answers_equal_a_fresh_build_through_every_path() -> None:
    body = {"platform": "twitch", "username": "pixelmaya"}
    async with running() as svc:
        answers = [await _raw(svc, body) for _ in range(3)]  # a miss, then two hits
        record = await svc.sync.fetch("twitch", "pixelmaya")  # the cached record itself
        rate = await _raw(svc, {**body, "formula": "rate"})
        after_rate = await _raw(svc, body)
        assert len(svc.app[ANSWERS]) == 2  # the default formula's and the rate one's
        refreshed = await _raw(svc, {**body, "refresh": True})
        newer = await svc.sync.fetch("twitch", "pixelmaya")
        hit_after_refresh = await _raw(svc, body)
        svc.rapidapi.set_quota(1)  # spent: a refresh is answered with the last value, stale
        stale = await _raw(svc, {**body, "refresh": True})
        hit_after_stale = await _raw(svc, body)
        assert len(svc.app[ANSWERS]) == 2  # one creator, two formulas
    assert {kind for kind, _ in answers} == {JSON_TYPE}
    assert answers[0][1] == _fresh(record, False)
    assert answers[1][1] == answers[2][1] == _fresh(record, True)
    rated = json.loads(rate[1])["data"]
    assert (rated["formula"], rated["cached"]) == ("rate", True)
    assert rate[1] == json.dumps(json.loads(rate[1])).encode()  # json_response's own format
    assert after_rate[1] == answers[1][1]
    assert newer is not record
    assert refreshed[1] == _fresh(newer, False)
    assert hit_after_refresh[1] == _fresh(newer, True)
    assert json.loads(stale[1])["data"] == {**data_json(newer, True), "stale": True}
    assert stale[1] == json.dumps(json.loads(stale[1])).encode()  # a stale copy, built anew
    # the refresh that failed left the cached record as it was: the next call is its hit
    assert hit_after_stale[1] == hit_after_refresh[1]


async def test_the_next_route_writes_the_same_kept_data_in_its_envelope() -> None:
    async with running() as svc:
        answers = []
        for _ in range(2):
            async with svc.session.get(svc.url("/api/platform/twitch?username=pixelmaya")) as r:
                answers.append((r.headers["Content-Type"], await r.read()))
        record = await svc.sync.fetch("twitch", "pixelmaya")
    for (kind, raw), cached in zip(answers, (False, True), strict=True):
        expected = {"success": True, "data": data_json(record, cached), "cached": cached}
        assert kind == JSON_TYPE
        assert raw == json.dumps(expected).encode()


async def test_a_cors_answer_keeps_its_per_request_headers() -> None:
    origin = "https://app.hyperbuds.com"
    body = {"platform": "twitch", "username": "pixelmaya"}
    async with running(origins=[origin]) as svc:
        seen = []
        for rid in ("one", "two"):
            headers = {"Origin": origin, "X-Request-ID": rid}
            async with svc.session.post(svc.url(FETCH), json=body, headers=headers) as answer:
                seen.append((answer.headers["X-Request-ID"], answer.headers.get("Vary")))
    assert seen == [("one", "Origin"), ("two", "Origin")]
