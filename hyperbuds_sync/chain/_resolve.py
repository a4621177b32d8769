"""A platform's chain of providers, from the settings and the registry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..errors import ConfigError
from ..platforms import PlatformRegistry, Provider, default_chain
from ..transport import Credentials

__all__ = ["chain_for", "check_chains"]


def check_chains(
    registry: PlatformRegistry,
    chains: Mapping[str, tuple[str, ...]],
    credentials: Credentials,
) -> None:
    """Check named chains at construction.

    Raises:
        UnknownPlatform: a chain for a platform nobody registered.
        ConfigError: an unknown provider name, a provider of another platform, or a provider
            named without its credentials (the message names the variable).
    """
    for platform, names in chains.items():
        canonical = registry.get(platform).platform
        for name in names:
            provider = registry.provider(name)
            if provider.platform != canonical:
                raise ConfigError(f"provider {name!r} serves {provider.platform}, not {canonical}")
            missing = credentials.missing(provider.auth)
            if missing:
                raise ConfigError(
                    f"provider {name!r} needs {' and '.join(missing)}: set it or pass it to "
                    "SocialSync, or leave the provider out of the chain"
                )


def chain_for(
    registry: PlatformRegistry,
    chains: Mapping[str, tuple[str, ...]],
    present: Iterable[str],
    platform: str,
) -> tuple[Provider, ...]:
    """The providers to try for ``platform`` (a canonical name), in order: the named chain, else
    the default one (:func:`~hyperbuds_sync.platforms.default_chain`, given ``present``, the
    credentials' variables that are set: :meth:`Credentials.present`). Read from the registry
    when called (a client keeps the result until the registry changes)."""
    names = chains.get(platform)
    if names is None:
        return default_chain(registry, platform, present)
    primary = registry.get(platform)
    found = [registry.provider(n) for n in names]
    # a default adapter replaced in the registry (register(..., replace=True)) answers instead
    return tuple(primary if primary.provider == p.provider else p for p in found)
