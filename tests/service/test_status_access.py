"""Who may see ``/status``: the caller keys by ``X-API-Key``, HTTP Basic or the signed session
cookie of the sign-in form; open when no keys are set; the key never echoed."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from _status_harness import CALLER, CALLER_KEY, Bed, bed, status_json

from hyperbuds_sync.service._status import _access as access


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Bed]:
    async with bed(tmp_path) as service:
        yield service


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def _get(bed: Bed, path: str = "/status", **headers: str) -> tuple[int, str, dict[str, str]]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{bed.url}{path}", headers=headers, allow_redirects=False) as answer,
    ):
        return answer.status, await answer.text(), dict(answer.headers)


async def test_without_a_key_a_browser_gets_the_form_and_a_client_a_challenge(
    running: Bed,
) -> None:
    status, _, headers = await _get(running, Accept="text/html")
    assert status == 303
    assert headers["Location"] == "/status/sign-in"
    assert "WWW-Authenticate" not in headers  # no browser dialog over the form
    status, html, _ = await _get(running, "/status/sign-in")
    assert status == 200
    assert 'action="/status/sign-in"' in html
    assert 'type="password"' in html
    status, body = await status_json(running, **{"X-API-Key": ""})
    assert status == 401
    assert body["success"] is False
    _, _, headers = await _get(running, Accept="application/json")
    assert headers["WWW-Authenticate"].startswith("Basic realm=")


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("Authorization", _basic("anyone", CALLER_KEY), 200),
        ("Authorization", _basic("", CALLER_KEY), 200),
        ("Authorization", _basic("ops", "wrong-key"), 401),
        ("Authorization", "Basic !!!not-base64", 401),
        ("Authorization", f"Bearer {CALLER_KEY}", 401),
        ("X-API-Key", CALLER_KEY, 200),
        ("X-API-Key", CALLER_KEY + "x", 401),
    ],
)
async def test_basic_or_the_api_key_lets_in(
    running: Bed, header: str, value: str, expected: int
) -> None:
    status, html, headers = await _get(running, **{header: value, "Accept": "text/html"})
    assert status == (303 if expected == 401 else expected)  # a browser: to the sign-in form
    assert CALLER_KEY not in html
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


async def test_the_sign_in_form_sets_a_signed_strict_http_only_cookie(running: Bed) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(
            f"{running.url}/status/sign-in", data={"key": "nope"}, allow_redirects=False
        ) as wrong:
            assert wrong.status == 401
            assert "not one of this service&#x27;s caller keys" in await wrong.text()
            assert "Set-Cookie" not in wrong.headers
        async with http.post(
            f"{running.url}/status/sign-in", data={"key": CALLER_KEY}, allow_redirects=False
        ) as right:
            assert right.status == 303
            assert right.headers["Location"] == "/status"
            cookie = right.headers["Set-Cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Path=/status" in cookie
        assert CALLER_KEY not in cookie
        async with http.get(f"{running.url}/status") as page:
            assert page.status == 200
            html = await page.text()
        assert '<h2 id="providers-h">Providers</h2>' in html
        assert CALLER_KEY not in html
        assert "Sign out" in html
        assert '<meta http-equiv="refresh" content="60">' in html  # it refreshes itself
        async with http.post(f"{running.url}/status/sign-out", allow_redirects=False) as out:
            assert out.status == 303
        async with http.get(f"{running.url}/status", allow_redirects=False) as after:
            assert after.status == 303


def test_a_tampered_expired_or_orphaned_cookie_is_refused() -> None:
    keys = {CALLER: CALLER_KEY, "other": "another-caller-key-0000"}
    now = time.time()
    good = access.session_cookie(keys, CALLER, now=now)
    assert access._from_cookie(keys, good, now) == CALLER
    label, expires, mac = good.split(".")
    other = access.session_cookie(keys, "other", now=now).split(".")[0]
    assert access._from_cookie(keys, f"{other}.{expires}.{mac}", now) is None  # another name
    assert access._from_cookie(keys, f"{label}.{int(expires) + 60}.{mac}", now) is None
    assert access._from_cookie(keys, good, now + access.SESSION_SECONDS + 1) is None
    assert access._from_cookie({"other": keys["other"]}, good, now) is None  # key removed
    assert access._from_cookie(keys, "garbage", now) is None


async def test_no_keys_configured_the_page_is_open(tmp_path: Path) -> None:
    async with bed(tmp_path, keys={}) as service:
        status, _, _ = await _get(service)
        assert status == 200
        css_status, css, headers = await _get(service, "/status/static/status.css")
        assert css_status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert "font" in css
