"""One vocabulary: the old public names still import, warn, and are the new objects; settings
passed as an object; the blocking client's arguments taken from SocialSync's."""

from __future__ import annotations

import contextlib
import importlib
import inspect
from typing import Any

import attrs
import pytest

import hyperbuds_sync
from hyperbuds_sync import BlockingSocialSync, Settings, SocialSync
from hyperbuds_sync.errors import ApiConfigError
from hyperbuds_sync.metrics import Metrics
from hyperbuds_sync.models import ProviderRequest
from hyperbuds_sync.platforms import PlatformRegistry, Profile, TwitchScraper2Adapter
from hyperbuds_sync.testing import TEST_KEY, RapidAPIEmulator

# ``hyperbuds_sync.__all__`` as released before the renames: each must keep importing.
RELEASED = [
    "ApiConfigError", "AuthenticationError", "BackendConfigError", "BackendError",
    "BackendUnavailable", "BackendValidationError", "BlockingSocialSync", "Cache", "ConfigError",
    "Engagement", "Growth", "GrowthWindow", "HistoryUnavailable", "HyperbudsSyncError",
    "InvalidInput", "InvalidStats", "InvalidUsername", "KeyQuota", "MalformedPayload",
    "ManualEntry", "MemoryCache", "Metrics", "Platform", "PlatformData", "PlatformRegistry",
    "PlatformStats", "Profile", "ProfileStats", "Provider", "ProviderAuthError", "ProviderError",
    "ProviderRequest", "ProviderState", "ProviderUnavailable", "QuotaExceeded", "QuotaStatus",
    "RateLimited", "RetryPolicy", "Roster", "Settings", "Snapshot", "SocialSync",
    "SuspiciousDrop", "SyncClient", "SyncOutcome", "SyncPayload", "SyncReport", "SyncResult",
    "UnknownFormula", "UnknownPlatform", "UsernameNotFound", "__version__", "from_dict",
    "to_dict", "to_pandas",
]  # fmt: skip

# (module, old name, new name)
ALIASES = [
    ("hyperbuds_sync", "Platform", "Provider"),
    *[
        (module, old, new)
        for module in ("hyperbuds_sync.platforms", "hyperbuds_sync.providers")
        for old, new in [
            ("Platform", "Provider"),
            ("TikTokAdapter", "TikTokApi23Adapter"),
            ("TwitterAdapter", "Twitter241Adapter"),
            ("TwitchAdapter", "TwitchScraper2Adapter"),
            ("InstagramAdapter", "InstagramLooter2Adapter"),
        ]
    ],
    ("hyperbuds_sync.providers.base", "Platform", "Provider"),
    ("hyperbuds_sync.providers.tiktok_api23", "TikTokAdapter", "TikTokApi23Adapter"),
    ("hyperbuds_sync.providers.twitter241", "TwitterAdapter", "Twitter241Adapter"),
    ("hyperbuds_sync.providers.twitch_scraper2", "TwitchAdapter", "TwitchScraper2Adapter"),
    ("hyperbuds_sync.providers.instagram_looter2", "InstagramAdapter", "InstagramLooter2Adapter"),
]


@pytest.mark.parametrize("name", sorted(set(RELEASED) | set(hyperbuds_sync.__all__)))
def test_every_public_name_still_imports(name: str) -> None:
    deprecated = name == "Platform"  # elsewhere any warning is an error (filterwarnings=error)
    with pytest.warns(DeprecationWarning, match="use") if deprecated else contextlib.nullcontext():
        assert getattr(hyperbuds_sync, name) is not None


@pytest.mark.parametrize(("module", "old", "new"), ALIASES, ids=lambda v: str(v))
def test_each_old_name_warns_and_is_the_new_object(module: str, old: str, new: str) -> None:
    found = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated, use .*{new}"):
        value = getattr(found, old)
    assert value is getattr(found, new)
    assert old not in getattr(found, "__all__", ())  # a star import does not warn


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        hyperbuds_sync.providers.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def test_adapter_name_warns_and_is_the_platform() -> None:
    adapter = TwitchScraper2Adapter()
    with pytest.warns(DeprecationWarning, match="name is deprecated, use .platform"):
        assert adapter.name == "twitch"
    assert (adapter.platform, adapter.provider) == ("twitch", "twitch-scraper2")


def test_registry_find_warns_and_finds_what_provider_finds() -> None:
    registry = PlatformRegistry([TwitchScraper2Adapter()])
    with pytest.warns(DeprecationWarning, match="use PlatformRegistry.provider"):
        found = registry.find("twitch-scraper2")
    assert found is registry.provider("twitch-scraper2")
    with pytest.warns(DeprecationWarning, match="find is deprecated"):
        assert registry.find("nope") is None


@attrs.frozen
class _OldStyle:
    """A third party's adapter written when ``name`` held the platform."""

    name: str = "vimeo"
    host: str = "vimeo.example.com"
    path: str = "/user"

    def canonical_username(self, username: str) -> str:
        return username.lower()

    def request(self, username: str) -> ProviderRequest:
        return ProviderRequest(self.host, self.path, {"u": username})

    def parse(self, username: str, payload: Any) -> Profile:
        return Profile(platform=self.name, username=username, followers=int(payload["n"]))


def test_an_old_style_adapter_registers_with_a_warning_and_serves_its_platform() -> None:
    registry = PlatformRegistry()
    old: Any = _OldStyle()  # not a Provider to the type checker: it predates ``platform``
    with pytest.warns(DeprecationWarning, match="name it `platform`"):
        assert registry.register(old) is old
    served = registry.get("vimeo")
    assert (served.platform, served.provider, served.auth) == ("vimeo", "vimeo", "rapidapi")
    assert served.follow_up("ana", {}) is None
    assert served.request("ana") == old.request("ana")
    assert served.parse("ana", {"n": 3}).followers == 3
    assert registry.provider("vimeo") is served
    assert repr(served) == repr(old)


@attrs.frozen
class _BeforeProviders:
    """A third party's adapter written with ``platform`` but before ``provider``, ``auth`` and
    ``follow_up``."""

    platform: str = "vimeo"
    host: str = "vimeo.example.com"
    path: str = "/user"

    def canonical_username(self, username: str) -> str:
        return username.lower()

    def request(self, username: str) -> ProviderRequest:
        return ProviderRequest(self.host, self.path, {"u": username})

    def parse(self, username: str, payload: Any) -> Profile:
        return Profile(platform=self.platform, username=username, followers=int(payload["n"]))


def test_an_adapter_without_provider_auth_or_follow_up_registers_with_a_warning() -> None:
    registry = PlatformRegistry()
    dated: Any = _BeforeProviders()  # not a Provider to the type checker: it lacks three members
    with pytest.warns(DeprecationWarning, match="lacks `provider`, `auth` or `follow_up`"):
        assert registry.register(dated) is dated
    served = registry.get("vimeo")
    assert served is not dated
    assert (served.platform, served.provider, served.auth) == ("vimeo", "vimeo", "rapidapi")
    assert served.follow_up("ana", {}) is None
    assert served.parse("ana", {"n": 4}).followers == 4
    assert registry.provider("vimeo") is served


# --- settings ------------------------------------------------------------------------------------

DEAD = "http://127.0.0.1:9"  # the discard port: nothing answers there


async def test_settings_are_read_instead_of_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAPIDAPI_KEY", TEST_KEY)
    monkeypatch.setenv("HYPERBUDS_RAPIDAPI_ENDPOINT", DEAD)
    async with RapidAPIEmulator() as rapidapi:
        settings = Settings(rapidapi_keys=(TEST_KEY,), rapidapi_endpoint=rapidapi.url)
        async with SocialSync(settings=settings, redis_url="", max_tries=1) as sync:
            assert (await sync.fetch("twitch", "pixelmaya")).username == "pixelmaya"
        assert rapidapi.calls == 1
        # the environment is not read at all: its key does not fill the settings' missing one
        async with SocialSync(settings=Settings(), redis_url="") as sync:
            with pytest.raises(ApiConfigError):
                await sync.fetch("twitch", "pixelmaya")


async def test_an_explicit_argument_wins_over_settings() -> None:
    async with RapidAPIEmulator() as rapidapi:
        settings = Settings(rapidapi_keys=(TEST_KEY,), rapidapi_endpoint=DEAD)
        async with SocialSync(
            settings=settings, rapidapi_endpoint=rapidapi.url, redis_url="", max_tries=1
        ) as sync:
            assert (await sync.fetch("twitch", "pixelmaya")).username == "pixelmaya"
        assert rapidapi.calls == 1


# --- the blocking client's arguments -------------------------------------------------------------


def test_blocking_takes_settings_and_passes_every_argument_through() -> None:
    settings = Settings(rapidapi_keys=(TEST_KEY,))
    with BlockingSocialSync(settings=settings, formula="rate", redis_url="") as sync:
        assert sync.client.formula == "rate"


def test_blocking_refuses_a_session_and_unknown_arguments() -> None:
    with pytest.raises(TypeError, match="takes no session"):
        BlockingSocialSync(session=None)
    with pytest.raises(TypeError, match="no_such_argument"):
        BlockingSocialSync(no_such_argument=1)  # type: ignore[call-arg]


def test_blocking_shows_socialsyncs_arguments_to_help() -> None:
    shown = inspect.signature(BlockingSocialSync)
    assert "session" not in shown.parameters
    assert shown.parameters["settings"].annotation == "Settings | None"
    assert BlockingSocialSync.__init__.__signature__.parameters.keys() - {"self"} == (  # type: ignore[attr-defined]
        inspect.signature(SocialSync).parameters.keys() - {"session"}
    )


def test_metrics_snapshot_warns_and_is_totals() -> None:
    metrics = Metrics()
    metrics.incr("cache_hits", "twitch")
    with pytest.warns(DeprecationWarning, match="use Metrics.totals"):
        assert metrics.snapshot() == metrics.totals() == {"cache_hits": {"twitch": 1}}
