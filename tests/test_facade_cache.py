"""SocialSync's cache path: hits without a load, the username memo, the default cache size."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from hyperbuds_sync import InvalidUsername, MemoryCache, SocialSync
from hyperbuds_sync import metrics as m
from hyperbuds_sync.cache import DEFAULT_MAXSIZE
from hyperbuds_sync.models import PlatformData
from hyperbuds_sync.platforms import TwitchScraper2Adapter
from hyperbuds_sync.testing import RapidAPIEmulator


@attrs.frozen(kw_only=True)
class OneChannel:
    """A twitch adapter that maps every name to one channel."""

    inner: TwitchScraper2Adapter = attrs.field(factory=TwitchScraper2Adapter)
    channel: str = "smallstreamer"

    @property
    def platform(self) -> str:
        return self.inner.platform

    @property
    def provider(self) -> str:
        return self.inner.provider

    @property
    def auth(self) -> str:
        return self.inner.auth

    @property
    def host(self) -> str:
        return self.inner.host

    @property
    def path(self) -> str:
        return self.inner.path

    def canonical_username(self, username: str) -> str:
        self.inner.canonical_username(username)
        return self.channel

    def request(self, username: str) -> Any:
        return self.inner.request(username)

    def follow_up(self, username: str, answer: Any) -> Any:
        return self.inner.follow_up(username, answer)

    def parse(self, username: str, payload: Any) -> Any:
        return self.inner.parse(username, payload)


async def test_hits_are_counted_and_cost_no_load(
    social_sync: SocialSync, rapidapi_emulator: RapidAPIEmulator
) -> None:
    first = await social_sync.fetch("twitch", "pixelmaya")
    for spelling in ("pixelmaya", "@PixelMaya", " PIXELMAYA "):
        assert await social_sync.fetch("Twitch", spelling) is first
    assert rapidapi_emulator.calls == 1
    assert social_sync.metrics.get(m.CACHE_HITS, "twitch") == 3
    assert social_sync.metrics.get(m.CACHE_MISSES, "twitch") == 1


async def test_a_replaced_adapter_is_not_served_the_old_canonical_names(
    social_sync: SocialSync,
) -> None:
    assert (await social_sync.fetch("twitch", "PixelMaya")).username == "pixelmaya"
    social_sync.platforms.register(OneChannel(), replace=True)
    assert (await social_sync.fetch("twitch", "PixelMaya")).username == "smallstreamer"


async def test_the_username_memo_is_bounded(social_sync: SocialSync) -> None:
    social_sync._names.size = 3
    for spelling in ("pixelmaya", "@pixelmaya", "PixelMaya", "PIXELMAYA", " pixelmaya"):
        await social_sync.fetch("twitch", spelling)
    assert len(social_sync._names) == 3


@pytest.mark.parametrize("username", [["pixelmaya"], None, 42, "bad name"])
async def test_invalid_usernames_raise_every_time_and_are_not_kept(
    social_sync: SocialSync, username: Any
) -> None:
    for _ in range(2):
        with pytest.raises(InvalidUsername):
            await social_sync.fetch("twitch", username)
    assert not social_sync._names


async def test_the_default_cache_has_the_documented_size() -> None:
    async with SocialSync(rapidapi_key="k", redis_url="") as sync:
        assert isinstance(sync.cache, MemoryCache)
        assert sync.cache.maxsize == DEFAULT_MAXSIZE == 4_096
        assert sync.cache.metrics is sync.metrics
    async with SocialSync(rapidapi_key="k", redis_url="", cache_maxsize=20_000) as sync:
        assert isinstance(sync.cache, MemoryCache)
        assert sync.cache.maxsize == 20_000


async def test_the_facade_asks_the_cache_protocol_never_a_concrete_type(
    rapidapi_emulator: RapidAPIEmulator,
) -> None:
    class Counting:
        """A cache of one's own, no MemoryCache: it never has a hit without I/O."""

        asked = 0
        peeked = 0

        def __init__(self) -> None:
            self.inner = MemoryCache()

        def peek(self, key: str) -> PlatformData | None:
            Counting.peeked += 1
            return None

        async def get_or_load(self, *args: Any, **kwargs: Any) -> Any:
            Counting.asked += 1
            return await self.inner.get_or_load(*args, **kwargs)

        async def get_stale(self, key: str) -> PlatformData | None:
            return await self.inner.get_stale(key)

        async def invalidate(self, key: str) -> None:
            await self.inner.invalidate(key)

        async def aclose(self) -> None:
            await self.inner.aclose()

    async with SocialSync(
        rapidapi_key="k", rapidapi_endpoint=rapidapi_emulator.url, cache=Counting()
    ) as sync:
        first = await sync.fetch("twitch", "pixelmaya")
        second = await sync.fetch("twitch", "pixelmaya")
        await sync.fetch("twitch", "pixelmaya", refresh=True)  # a refresh does not peek
    assert first is second
    assert (Counting.peeked, Counting.asked) == (2, 3)
    assert rapidapi_emulator.calls == 2
