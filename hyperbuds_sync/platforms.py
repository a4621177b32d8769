"""The public registry: platform name -> its providers (:mod:`hyperbuds_sync.providers`).

Each platform has an ordered chain of providers (:data:`TABLE`, the issue's table order); the
registry holds each platform's default adapter (what :func:`get` returns, the first RapidAPI
provider) and every provider by its public name (:meth:`PlatformRegistry.provider`). The chain a
client walks is chosen from settings (:func:`default_chain`). Third parties
add more with :func:`register`, or by declaring an entry point in the group
``hyperbuds_sync.platforms`` whose object is a :class:`Provider` instance or a zero-argument
factory of one::

    [project.entry-points."hyperbuds_sync.platforms"]
    youtube = "my_package.youtube:YouTubeAdapter"
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Final, Protocol, cast, runtime_checkable

from .errors import ConfigError, UnknownPlatform
from .models import ProviderRequest
from .providers import (
    InstagramLooter2Adapter,
    InstagramScraperApi2Adapter,
    PostStats,
    Profile,
    Provider,
    TikTokApi23Adapter,
    TikTokApi45Adapter,
    TwitchHelixAdapter,
    TwitchScraper2Adapter,
    Twitter241Adapter,
    XApiAdapter,
    YouTube138Adapter,
    YouTubeDataApiAdapter,
)

__all__ = [
    "CREDENTIALS",
    "ENTRY_POINT_GROUP",
    "TABLE",
    "InstagramLooter2Adapter",
    "PlatformRegistry",
    "PostStats",
    "Profile",
    "Provider",
    "ProviderRequest",
    "TikTokApi23Adapter",
    "TwitchScraper2Adapter",
    "Twitter241Adapter",
    "default_chain",
    "default_provider",
    "default_registry",
    "get",
    "names",
    "register",
]

TABLE: Final[Mapping[str, tuple[str, ...]]] = {
    "tiktok": ("tiktok-api23", "tiktok-api45"),
    "twitter": ("twitter241", "x-api"),
    "twitch": ("twitch-scraper2", "twitch-helix"),
    "instagram": ("instagram-looter2", "instagram-scraper-api2"),
    "youtube": ("youtube138", "youtube-data-api"),
}
"""Platform -> its providers, in the issue's table order (RapidAPI first, then official). The
first is the platform's default provider (:func:`default_provider`): written here only."""

CREDENTIALS: Final[Mapping[str, tuple[str, ...]]] = {
    "x-bearer": ("X_BEARER_TOKEN",),
    "google-key": ("YOUTUBE_API_KEY",),
    "twitch-app": ("TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET"),
}
"""An official provider's auth kind -> the variables it needs (RapidAPI: the RapidAPI key)."""


@runtime_checkable
class _Dated(Protocol):
    """A third party's adapter written before today's :class:`Provider`: ``name`` for its
    platform (before ``platform``), or no ``provider``, ``auth`` or ``follow_up`` (before
    providers had names). The registry takes it through :class:`_Renamed`, with a warning."""

    host: str
    path: str

    def canonical_username(self, username: str) -> str: ...
    def request(self, username: str) -> ProviderRequest: ...
    def parse(self, username: str, payload: Any) -> Profile: ...


def _text(adapter: object, attribute: str) -> str | None:
    """``adapter``'s ``attribute`` when it is a non-empty string, else ``None``."""
    value = getattr(adapter, attribute, None)
    return value if isinstance(value, str) and value else None


class _Renamed:
    """A :class:`_Dated` adapter seen through today's names: ``platform`` is its ``platform``
    (or its ``name``), ``provider`` defaults to the platform, ``auth`` to ``"rapidapi"`` and
    ``follow_up`` to one request; the rest is the adapter's own. The one place those defaults
    live: a :class:`Provider` is used as is."""

    def __init__(self, adapter: _Dated, platform: str) -> None:
        self.adapter = adapter
        self.platform = platform
        self.provider = _text(adapter, "provider") or platform
        self.auth = _text(adapter, "auth") or "rapidapi"
        self.host = adapter.host
        self.path = adapter.path
        self._follow_up: Callable[[str, Any], ProviderRequest | None] | None = getattr(
            adapter, "follow_up", None
        )

    def canonical_username(self, username: str) -> str:
        return self.adapter.canonical_username(username)

    def request(self, username: str) -> ProviderRequest:
        return self.adapter.request(username)

    def follow_up(self, username: str, answer: Any) -> ProviderRequest | None:
        return None if self._follow_up is None else self._follow_up(username, answer)

    def parse(self, username: str, payload: Any) -> Profile:
        return self.adapter.parse(username, payload)

    def __repr__(self) -> str:
        return repr(self.adapter)


def _checked(adapter: object) -> Provider:
    """``adapter`` as a :class:`Provider`: as is, or wrapped in :class:`_Renamed` (with a
    ``DeprecationWarning``) when it predates ``platform``, ``provider``, ``auth`` or
    ``follow_up``.

    Raises:
        TypeError: ``adapter`` does not satisfy the :class:`Provider` protocol.
    """
    if isinstance(adapter, Provider):
        return adapter
    if isinstance(adapter, _Dated):
        platform = _text(adapter, "platform")
        if platform is not None:
            warnings.warn(
                f"{adapter!r} lacks `provider`, `auth` or `follow_up`: that is deprecated, "
                "give it all three (see the Provider protocol)",
                DeprecationWarning,
                stacklevel=3,
            )
            return _Renamed(adapter, platform)
        named = _text(adapter, "name")
        if named is not None:
            warnings.warn(
                f"{adapter!r} names its platform with `name`: that is deprecated, "
                "name it `platform`",
                DeprecationWarning,
                stacklevel=3,
            )
            return _Renamed(adapter, named)
    raise TypeError(f"{adapter!r} does not implement the Provider protocol")


def default_chain(
    registry: PlatformRegistry, platform: str, credentials: Iterable[str]
) -> tuple[Provider, ...]:
    """A platform's default chain: its official provider first when that provider's
    credentials (variables of :data:`CREDENTIALS`) are all in ``credentials`` (free and
    authoritative), then the registry's default adapter (the first RapidAPI one). A second
    RapidAPI provider is used only when named, as the key must be subscribed to it."""
    have = set(credentials)
    primary = registry.get(platform)
    chain: list[Provider] = []
    for name in TABLE.get(primary.platform, ()):
        official = registry._provider_named(name)
        if official is None or official.auth == "rapidapi":
            continue
        if set(CREDENTIALS.get(official.auth, ("?",))) <= have:
            chain.append(official)
    chain.append(primary)
    return tuple(chain)


ENTRY_POINT_GROUP = "hyperbuds_sync.platforms"
_log = logging.getLogger("hyperbuds_sync")


class PlatformRegistry:
    """A name -> :class:`Provider` mapping. Each ``SocialSync`` may hold its own.

    Beside each platform's default adapter, it holds every provider by its public name
    (:meth:`add_provider`, :meth:`provider`), the pool a chain is built from.
    """

    def __init__(self, platforms: Iterable[Provider] = (), extra: Iterable[Provider] = ()) -> None:
        self._platforms: dict[str, Provider] = {}
        self._providers: dict[str, Provider] = {}
        self._changes = 0
        for platform in platforms:
            self.register(platform)
        for provider in extra:
            self.add_provider(provider)

    def register(self, platform: Provider, *, replace: bool = False) -> Provider:
        """Add ``platform`` under the platform it serves (``platform.platform``).

        Raises:
            TypeError: ``platform`` does not satisfy the :class:`Provider` protocol.
            ValueError: the name is taken and ``replace`` is false.
        """
        adapter = _checked(platform)
        if adapter.platform in self._platforms and not replace:
            raise ValueError(f"platform {adapter.platform!r} is already registered")
        self._platforms[adapter.platform] = adapter
        self._providers[adapter.provider] = adapter
        self._changes += 1
        return platform

    def add_provider(self, provider: Provider) -> Provider:
        """Add ``provider`` to the pool chains are built from, without making it its
        platform's default (a second RapidAPI provider, an official API).

        Raises:
            TypeError: ``provider`` does not satisfy the :class:`Provider` protocol.
        """
        adapter = _checked(provider)
        self._providers[adapter.provider] = adapter
        self._changes += 1
        return provider

    @property
    def changes(self) -> int:
        """How many times providers were registered or added: what was built from the registry
        (a client's chains) is built again when this moves."""
        return self._changes

    def find(self, name: str) -> Provider | None:
        """Deprecated, use :meth:`provider` (it raises :class:`ConfigError` for an unknown name).
        The provider registered under ``name``, or ``None``."""
        warnings.warn(
            "PlatformRegistry.find is deprecated, use PlatformRegistry.provider",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._provider_named(name)

    def _provider_named(self, name: str) -> Provider | None:
        return self._providers.get(name.strip().lower()) if isinstance(name, str) else None

    def provider(self, name: str) -> Provider:
        """The provider registered under the public name ``name`` (``"tiktok-api23"``): the one
        way to look a provider up by name, as :meth:`get` looks up a platform's default.

        Raises:
            ConfigError: no provider has that name (the message lists the known ones).
        """
        found = self._provider_named(name)
        if found is None:
            known = ", ".join(sorted(self._providers))
            raise ConfigError(f"unknown provider {name!r}; known providers: {known}")
        return found

    def providers(self, platform: str | None = None) -> list[Provider]:
        """Every provider registered (for ``platform`` only, when given), by public name."""
        return [
            p
            for _, p in sorted(self._providers.items())
            if platform is None or p.platform == platform
        ]

    def get(self, name: str) -> Provider:
        """The adapter registered as ``name`` (case-insensitive), or :class:`UnknownPlatform`."""
        key = name.strip().lower() if isinstance(name, str) else name
        try:
            return self._platforms[key]
        except (KeyError, TypeError):
            raise UnknownPlatform(str(name), self._platforms) from None

    def names(self) -> list[str]:
        """The registered platform names, sorted."""
        return sorted(self._platforms)

    def copy(self) -> PlatformRegistry:
        """An independent registry with the same adapters."""
        return PlatformRegistry(self._platforms.values(), self._providers.values())

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Register the adapters that installed packages declare under ``group``.

        A broken entry point is logged and skipped; it never breaks the built-in platforms.
        """
        for ep in entry_points(group=group):
            try:
                obj = ep.load()
                platform = obj() if isinstance(obj, type) or not isinstance(obj, _Dated) else obj
                self.register(cast(Provider, platform), replace=True)
            except Exception as exc:  # a third party's bug must not break ours
                _log.warning("skipping platform entry point %r: %s", ep.name, exc)


_BUILT_IN: Final = (
    TikTokApi23Adapter,
    TikTokApi45Adapter,
    Twitter241Adapter,
    XApiAdapter,
    TwitchScraper2Adapter,
    TwitchHelixAdapter,
    InstagramLooter2Adapter,
    InstagramScraperApi2Adapter,
    YouTube138Adapter,
    YouTubeDataApiAdapter,
)
"""Every built-in adapter; :data:`TABLE` says which platform each serves and in what order."""


def default_provider(platform: str) -> str:
    """The provider ``platform``'s calls go to by default (the first of its :data:`TABLE` row),
    or ``platform`` itself for a platform not in the table (a third party's)."""
    row = TABLE.get(platform)
    return row[0] if row else platform


def _builtin() -> PlatformRegistry:
    """The registry of :data:`TABLE`: each platform's default provider first, the rest
    added to the pool."""
    by_name = {adapter.provider: adapter for adapter in _BUILT_IN}
    return PlatformRegistry(
        [by_name[first]() for first, *_ in TABLE.values()],
        [by_name[name]() for _, *rest in TABLE.values() for name in rest],
    )


default_registry = _builtin()
default_registry.load_entry_points()


def register(platform: Provider, *, replace: bool = False) -> Provider:
    """Register ``platform`` in the default registry."""
    return default_registry.register(platform, replace=replace)


def get(name: str) -> Provider:
    """The adapter registered as ``name`` in the default registry."""
    return default_registry.get(name)


_DEPRECATED: dict[str, str] = {
    "InstagramAdapter": "InstagramLooter2Adapter",
    "Platform": "Provider",
    "TikTokAdapter": "TikTokApi23Adapter",
    "TwitchAdapter": "TwitchScraper2Adapter",
    "TwitterAdapter": "Twitter241Adapter",
}
"""Old name -> new name, as in :mod:`hyperbuds_sync.providers`: adapters are named after their
provider, and the ``Provider`` protocol was called ``Platform``."""


if TYPE_CHECKING:  # type checkers see the old names as aliases; at run time they warn
    InstagramAdapter = InstagramLooter2Adapter
    Platform = Provider
    TikTokAdapter = TikTokApi23Adapter
    TwitchAdapter = TwitchScraper2Adapter
    TwitterAdapter = Twitter241Adapter
else:

    def __getattr__(name: str) -> Any:
        """A deprecated name (in ``_DEPRECATED``): its new object, with a DeprecationWarning."""
        new = _DEPRECATED.get(name)
        if new is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        warnings.warn(
            f"{__name__}.{name} is deprecated, use {__name__}.{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return globals()[new]


def names() -> list[str]:
    """The platform names in the default registry."""
    return default_registry.names()
