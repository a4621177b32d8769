"""Security: no credential in any repr, str, error or log record; usernames checked before any
I/O; a plain-http backend only on loopback or when asked for.

The whole suite is also swept for the test keys and tokens (see ``tests/conftest.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from hyperbuds_sync import (
    AuthenticationError,
    BackendConfigError,
    BackendUnavailable,
    HyperbudsSyncError,
    InvalidUsername,
    ManualEntry,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    SocialSync,
    SyncClient,
)
from hyperbuds_sync.config import Settings
from hyperbuds_sync.quota import KeyPool
from hyperbuds_sync.testing import BackendEmulator, Fault, RapidAPIEmulator
from hyperbuds_sync.transport import Gateway

KEY = "sk-sec-9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa"
KEY_B = "sk-sec-0a1b2c3d4e5f60718293a4b5c6d7e8f9aabbccddeeff"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.sec-backend-session-token.c2lnbmF0dXJl"
SECRETS = (KEY, KEY_B, TOKEN)
PLATFORMS = ("tiktok", "twitter", "twitch", "instagram")
QUOTA_BODY = {"message": "You have exceeded the MONTHLY quota for Requests on your current plan."}


def _clean(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"a secret leaked into: {text[:200]!r}"


def _error_texts(exc: BaseException) -> list[str]:
    texts = []
    current: BaseException | None = exc
    while current is not None:
        texts += [repr(current), str(current), repr(vars(current))]
        current = current.__cause__ or current.__context__
    return texts


# --- reprs ---------------------------------------------------------------------------------------


async def test_no_secret_in_any_repr() -> None:
    settings = Settings.from_env(
        {"RAPIDAPI_KEYS": f"{KEY},{KEY_B}", "HYPERBUDS_TOKEN": TOKEN, "RAPIDAPI_KEY": KEY}
    )
    async with SocialSync(rapidapi_keys=[KEY, KEY_B], token=TOKEN) as sync:
        objects: list[object] = [
            sync,
            sync.backend,
            sync._gateway,
            sync._key_pool,
            settings,
            SyncClient("https://api.example.com/v1", TOKEN),
            SyncClient("https://user:pw-not-secret@api.example.com/v1", lambda: TOKEN),
            KeyPool([KEY, KEY_B]),
            Gateway(keys=[KEY]),
        ]
        for obj in objects:
            _clean(repr(obj), str(obj))
        _clean(repr(sync.quota()))


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.status(401), ProviderAuthError),
        (Fault.status(403), ProviderAuthError),
        (Fault.status(429, retry_after=1), RateLimited),
        (Fault.status(429, body=QUOTA_BODY), QuotaExceeded),
        (Fault.status(500), ProviderUnavailable),
    ],
)
async def test_provider_errors_carry_no_key(fault: Fault, expected: type[Exception]) -> None:
    async with RapidAPIEmulator(autogenerate=True) as rapidapi:
        rapidapi.fail("victim", fault)
        async with SocialSync(rapidapi_keys=[KEY, KEY_B], rapidapi_endpoint=rapidapi.url) as sync:
            with pytest.raises(expected) as caught:
                await sync.fetch("tiktok", "victim")
            _clean(*_error_texts(caught.value), repr(sync.quota()))


@pytest.mark.parametrize(
    ("status", "expected"), [(401, AuthenticationError), (500, BackendUnavailable)]
)
async def test_backend_errors_carry_no_token(status: int, expected: type[Exception]) -> None:
    async with BackendEmulator(tokens=[TOKEN]) as backend:
        backend.fail("twitch", status)
        async with SocialSync(rapidapi_key=KEY, token=TOKEN, api_url=backend.url) as sync:
            with pytest.raises(expected) as caught:
                await sync.sync("twitch", ManualEntry(followers=10))
            _clean(*_error_texts(caught.value))


async def test_a_wrong_token_is_not_echoed() -> None:
    async with (
        BackendEmulator(tokens=["the-right-one-xxxxxxxx"]) as backend,
        SocialSync(rapidapi_key=KEY, token=TOKEN, api_url=backend.url) as sync,
    ):
        with pytest.raises(AuthenticationError) as caught:
            await sync.sync("tiktok", ManualEntry(followers=1))
    _clean(*_error_texts(caught.value))


# --- logs ----------------------------------------------------------------------------------------


async def test_debug_log_of_a_full_run_holds_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hyperbuds_sync")
    async with (
        RapidAPIEmulator(autogenerate=True) as rapidapi,
        BackendEmulator(tokens=[TOKEN]) as backend,
    ):
        rapidapi.fail("flaky", Fault.status(503), times=1)  # a retry, logged
        rapidapi.fail("nobody", Fault.status(404))
        backend.fail("twitter", 503, times=1)
        async with SocialSync(
            rapidapi_keys=[KEY, KEY_B],
            token=lambda: TOKEN,
            rapidapi_endpoint=rapidapi.url,
            api_url=backend.url,
        ) as sync:
            report = await sync.sync_all(
                {"tiktok": "flaky", "twitter": "someone", "twitch": "nobody", "instagram": "x.y"}
            )
    assert report.outcomes["tiktok"].error is None
    assert caplog.records, "DEBUG logging produced nothing to check"
    for record in caplog.records:
        _clean(record.getMessage(), caplog.text)
        if record.exc_info and record.exc_info[1] is not None:
            _clean(*_error_texts(record.exc_info[1]))


# --- usernames -----------------------------------------------------------------------------------

BAD_USERNAMES = [
    "a/b",
    "../etc",
    "a?b=1",
    "a#frag",
    "a%2Fb",
    "a..b",
    "..",
    "a b",
    "a\tb",
    "a\nb",
    "a\x00b",
    "a\x7fb",
    "caf\u00e9",
    "\u540d\u524d",
    "a\u200bb",
    "a&b",
]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("username", BAD_USERNAMES)
async def test_unsafe_usernames_are_refused_before_io(
    platform: str, username: str, rapidapi_emulator: RapidAPIEmulator
) -> None:
    async with SocialSync(rapidapi_key=KEY, rapidapi_endpoint=rapidapi_emulator.url) as sync:
        with pytest.raises(InvalidUsername):
            await sync.fetch(platform, username)
        report = await sync.sync_all({platform: username})
        assert isinstance(report.outcomes[platform].error, InvalidUsername)
    assert rapidapi_emulator.calls == 0


# --- backend URL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/api", "http://localhost/api", "http://[::1]:8080/api", "https://h.io/v1"],
)
def test_https_or_loopback_backend_is_accepted(url: str) -> None:
    assert SocialSync(api_url=url).backend.base_url == url


@pytest.mark.parametrize(
    "url", ["http://api.example.com/v1", "http://10.0.0.8/v1", "ftp://api.example.com/v1"]
)
def test_insecure_backend_is_refused(url: str) -> None:
    with pytest.raises(BackendConfigError):
        SocialSync(api_url=url)


def test_insecure_backend_needs_the_explicit_flag() -> None:
    sync = SocialSync(api_url="http://api.example.com/v1", allow_insecure_http=True)
    assert sync.backend.base_url == "http://api.example.com/v1"


def test_secret_sweep_is_active(secret_sweep: Callable[[str], None], the_sweep: Any) -> None:
    """This module's secrets are in the session-wide sweep, and every error built is kept."""
    for secret in SECRETS:
        secret_sweep(secret)
    assert set(SECRETS) <= the_sweep.secrets
    before = len(the_sweep.texts)
    HyperbudsSyncError("a marker the sweep keeps")
    assert any("a marker the sweep keeps" in text for _, text in the_sweep.texts[before:])


# --- the official APIs' credentials (issue 12) ---------------------------------------------------

KEY_YOUTUBE = "AIzaSy-sec-youtube-key-5b4a39281706f5e4d3c2"
TOKEN_X = "AAAAAAAAAAAAAAAAAAAAAsec-x-bearer-token-0a1b2c3d4e5f"
SECRET_TWITCH = "sec-twitch-client-secret-9f8e7d6c5b4a3"


def test_official_credentials_are_hidden_in_reprs() -> None:
    from hyperbuds_sync.transport import Credentials

    creds = Credentials(TOKEN_X, KEY_YOUTUBE, "client-id", SECRET_TWITCH)
    env = Settings(x_bearer_token=TOKEN_X, youtube_api_key=KEY_YOUTUBE)
    sync = SocialSync(
        x_bearer_token=TOKEN_X,
        youtube_api_key=KEY_YOUTUBE,
        twitch_client_id="client-id",
        twitch_client_secret=SECRET_TWITCH,
        redis_url="",
    )
    for text in (repr(creds), repr(env), repr(sync), repr(sync._gateway)):
        for secret in (KEY_YOUTUBE, TOKEN_X, SECRET_TWITCH):
            assert secret not in text


async def test_official_errors_and_logs_carry_no_credential(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unreachable endpoint: aiohttp's error names the URL; none carries the credentials,
    and no chained cause either (the YouTube key is a header, never in the URL)."""
    from redis_server import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    hosts = {h: dead for h in ("www.googleapis.com", "api.x.com", "id.twitch.tv")}
    chains = {
        "youtube": ["youtube-data-api"],
        "twitter": ["x-api"],
        "twitch": ["twitch-helix"],
    }
    with caplog.at_level(logging.DEBUG, logger="hyperbuds_sync"):
        async with SocialSync(
            providers=chains,
            endpoints=hosts,
            x_bearer_token=TOKEN_X,
            youtube_api_key=KEY_YOUTUBE,
            twitch_client_id="client-id",
            twitch_client_secret=SECRET_TWITCH,
            max_tries=1,
            redis_url="",
        ) as sync:
            for platform, name in (("youtube", "mayacooks"), ("twitter", "xx"), ("twitch", "xx")):
                with pytest.raises(ProviderError) as info:
                    await sync.fetch(platform, name)
                error: BaseException | None = info.value
                while error is not None:
                    for secret in (KEY_YOUTUBE, TOKEN_X, SECRET_TWITCH):
                        assert secret not in f"{error} {error!r}"
                    error = error.__cause__ or error.__context__
    for secret in (KEY_YOUTUBE, TOKEN_X, SECRET_TWITCH):
        assert secret not in caplog.text
