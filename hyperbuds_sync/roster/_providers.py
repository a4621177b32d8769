"""Which provider a creator-platform is known by, where its chain is not at hand.

The roster plans and spends on each platform's chain (``Roster.entries`` reads it from the client,
``Spending`` walks it). Here: the provider a roster row records (the one that answered its last
fetch, ``data.provider``), else the platform's default provider (written once, in
:data:`hyperbuds_sync.platforms.TABLE`), for a platform with no chain; and a
quota fact's host named by its provider's first label (``tiktok-api23.p.rapidapi.com`` ->
``tiktok-api23``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from ..platforms import TABLE, default_provider

__all__ = ["DEFAULT_PROVIDERS", "provider_for", "provider_of_host"]

DEFAULT_PROVIDERS: Final[Mapping[str, str]] = MappingProxyType(
    {platform: default_provider(platform) for platform in TABLE}
)
"""The provider each built-in platform's calls go to by default (read from the registry's
table, :func:`hyperbuds_sync.platforms.default_provider`)."""


def provider_for(platform: str, data: Any = None, stored: str | None = None) -> str:
    """The provider of ``platform``: the one named by the last fetch ``data`` (or ``stored``
    from the roster's state), else the platform's default, else the platform's own name."""
    named = getattr(data, "provider", None) or stored
    if isinstance(named, str) and named:
        return named
    return default_provider(platform)


def provider_of_host(host: str) -> str:
    """The provider a RapidAPI host belongs to: its first label."""
    return host.split(".", 1)[0]
