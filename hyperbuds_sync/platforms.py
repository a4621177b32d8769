"""The public registry: platform name -> its provider (:mod:`hyperbuds_sync.providers`).

Four adapters ship built in: ``tiktok``, ``twitter``, ``twitch`` and ``instagram``. Third parties
add more with :func:`register`, or by declaring an entry point in the group
``hyperbuds_sync.platforms`` whose object is a :class:`Platform` instance or a zero-argument
factory of one::

    [project.entry-points."hyperbuds_sync.platforms"]
    youtube = "my_package.youtube:YouTubeAdapter"
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points

from .errors import UnknownPlatform
from .models import ProviderRequest
from .providers import (
    InstagramAdapter,
    Platform,
    PostStats,
    Profile,
    Provider,
    TikTokAdapter,
    TwitchAdapter,
    TwitterAdapter,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "InstagramAdapter",
    "Platform",
    "PlatformRegistry",
    "PostStats",
    "Profile",
    "Provider",
    "ProviderRequest",
    "TikTokAdapter",
    "TwitchAdapter",
    "TwitterAdapter",
    "default_registry",
    "get",
    "names",
    "register",
]

ENTRY_POINT_GROUP = "hyperbuds_sync.platforms"
_log = logging.getLogger("hyperbuds_sync")


class PlatformRegistry:
    """A name -> :class:`Platform` mapping. Each ``SocialSync`` may hold its own."""

    def __init__(self, platforms: Iterable[Platform] = ()) -> None:
        self._platforms: dict[str, Platform] = {}
        for platform in platforms:
            self.register(platform)

    def register(self, platform: Platform, *, replace: bool = False) -> Platform:
        """Add ``platform`` under ``platform.name``.

        Raises:
            TypeError: ``platform`` does not satisfy the :class:`Platform` protocol.
            ValueError: the name is taken and ``replace`` is false.
        """
        if not isinstance(platform, Platform):
            raise TypeError(f"{platform!r} does not implement the Platform protocol")
        if platform.name in self._platforms and not replace:
            raise ValueError(f"platform {platform.name!r} is already registered")
        self._platforms[platform.name] = platform
        return platform

    def get(self, name: str) -> Platform:
        """The adapter registered as ``name`` (case-insensitive), or :class:`UnknownPlatform`."""
        key = name.strip().lower() if isinstance(name, str) else name
        try:
            return self._platforms[key]
        except (KeyError, TypeError):
            raise UnknownPlatform(str(name), self._platforms) from None

    def names(self) -> list[str]:
        """The registered platform names, sorted."""
        return sorted(self._platforms)

    def as_mapping(self) -> Mapping[str, Platform]:
        """A read-only view of the registry."""
        return dict(self._platforms)

    def copy(self) -> PlatformRegistry:
        """An independent registry with the same adapters."""
        return PlatformRegistry(self._platforms.values())

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Register the adapters that installed packages declare under ``group``.

        A broken entry point is logged and skipped; it never breaks the built-in platforms.
        """
        for ep in entry_points(group=group):
            try:
                obj = ep.load()
                platform = obj() if isinstance(obj, type) or not isinstance(obj, Platform) else obj
                self.register(platform, replace=True)
            except Exception as exc:  # a third party's bug must not break ours
                _log.warning("skipping platform entry point %r: %s", ep.name, exc)


def _builtin() -> PlatformRegistry:
    return PlatformRegistry(
        [TikTokAdapter(), TwitterAdapter(), TwitchAdapter(), InstagramAdapter()]
    )


default_registry = _builtin()
default_registry.load_entry_points()


def register(platform: Platform, *, replace: bool = False) -> Platform:
    """Register ``platform`` in the default registry."""
    return default_registry.register(platform, replace=replace)


def get(name: str) -> Platform:
    """The adapter registered as ``name`` in the default registry."""
    return default_registry.get(name)


def names() -> list[str]:
    """The platform names in the default registry."""
    return default_registry.names()
