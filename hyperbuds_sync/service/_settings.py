"""The service's own settings: caller keys, CORS origins, formula and rate limits.

Every SDK setting keeps its own environment variable (read by ``SocialSync.from_env()``); the
service adds these, read by :meth:`ServiceSettings.from_env`:

- ``HYPERBUDS_SERVICE_KEYS``: comma-separated ``name:key`` pairs; a caller sends the key in
  ``X-API-Key``, logs and metrics name it by ``name``. Empty: anonymous callers are let in.
- ``HYPERBUDS_SERVICE_ORIGINS``: comma-separated origins (``https://app.example``) allowed by CORS.
- ``HYPERBUDS_FORMULA``: the engagement formula of the service's answers (default: the SDK's).
- ``HYPERBUDS_SERVICE_RATE_LIMIT``: per keyed caller, ``rate`` or ``rate/burst`` requests a
  second (default: none).
- ``HYPERBUDS_SERVICE_ANONYMOUS_RATE_LIMIT``: per anonymous client address (default ``10/20``);
  ``off`` turns either limit off.

A malformed value is a :class:`~hyperbuds_sync.ConfigError` naming the variable, never the value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from attrs import field, frozen

from .. import engagement
from ..errors import ConfigError

__all__ = ["RateLimit", "ServiceSettings"]

KEYS_VAR = "HYPERBUDS_SERVICE_KEYS"
ORIGINS_VAR = "HYPERBUDS_SERVICE_ORIGINS"
FORMULA_VAR = "HYPERBUDS_FORMULA"
RATE_VAR = "HYPERBUDS_SERVICE_RATE_LIMIT"
ANON_RATE_VAR = "HYPERBUDS_SERVICE_ANONYMOUS_RATE_LIMIT"
_OFF = frozenset({"off", "none", "0"})


@frozen
class RateLimit:
    """A token bucket's figures: ``per_second`` requests a second on average, ``burst`` at once."""

    per_second: float
    burst: int

    def __attrs_post_init__(self) -> None:
        if not (math.isfinite(self.per_second) and self.per_second > 0) or self.burst < 1:
            raise ConfigError("a rate limit needs per_second > 0 and burst >= 1")

    @classmethod
    def parse(cls, text: str, variable: str) -> RateLimit | None:
        """``"5"`` (burst: twice the rate, at least 1), ``"5/20"``, or ``"off"`` (``None``).

        Raises:
            ConfigError: naming ``variable``, not the value.
        """
        text = text.strip().lower()
        if text in _OFF:
            return None
        rate_text, _, burst_text = text.partition("/")
        try:
            rate = float(rate_text)
            burst = int(burst_text) if burst_text else max(1, math.ceil(rate * 2))
            return cls(rate, burst)
        except (ValueError, ConfigError):
            raise ConfigError(
                f"{variable} must be requests a second, optionally /burst (e.g. 10/20), or off"
            ) from None


DEFAULT_ANONYMOUS_LIMIT = RateLimit(10.0, 20)


def _keys(value: Mapping[str, str]) -> Mapping[str, str]:
    for name, key in value.items():
        if not name or not key:
            raise ConfigError("every service key needs a non-empty name and key")
    return MappingProxyType(dict(value))


def _origins(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen
class ServiceSettings:
    """What :func:`~hyperbuds_sync.service.create_app` needs beyond the :class:`SocialSync`.

    Args:
        keys: caller key name to key (``X-API-Key``); empty lets anonymous callers in. Never
            shown in a repr: :attr:`key_names` gives the names.
        origins: browser origins CORS allows (exact ``scheme://host[:port]`` strings).
        formula: the engagement formula of answers when the request names none (``None``: the
            :class:`SocialSync`'s own default).
        rate_limit: per keyed caller (``None``: no limit).
        anonymous_rate_limit: per client address of anonymous callers (``None``: no limit).
    """

    keys: Mapping[str, str] = field(factory=dict, converter=_keys, repr=False)
    origins: tuple[str, ...] = field(default=(), converter=_origins)
    formula: str | None = None
    rate_limit: RateLimit | None = None
    anonymous_rate_limit: RateLimit | None = DEFAULT_ANONYMOUS_LIMIT

    @property
    def key_names(self) -> tuple[str, ...]:
        """The callers' names, sorted."""
        return tuple(sorted(self.keys))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceSettings:
        """The settings from the environment (``environ``: another mapping, for tests).

        Raises:
            ConfigError: a malformed variable, named (its value never shown).
        """
        env = os.environ if environ is None else environ
        formula = env.get(FORMULA_VAR, "").strip() or None
        if formula is not None and formula not in engagement.names():
            raise ConfigError(
                f"{FORMULA_VAR} names no known formula; known: {', '.join(engagement.names())}"
            )
        anonymous = env.get(ANON_RATE_VAR, "").strip()
        return cls(
            keys=parse_keys(env.get(KEYS_VAR, "")),
            origins=parse_origins(env.get(ORIGINS_VAR, "")),
            formula=formula,
            rate_limit=RateLimit.parse(env.get(RATE_VAR, "off") or "off", RATE_VAR),
            anonymous_rate_limit=(
                RateLimit.parse(anonymous, ANON_RATE_VAR) if anonymous else DEFAULT_ANONYMOUS_LIMIT
            ),
        )


def parse_keys(text: str) -> dict[str, str]:
    """``"web:k1,node:k2"`` as ``{"web": "k1", "node": "k2"}``.

    Raises:
        ConfigError: a pair without both parts, or a name given twice (naming the variable).
    """
    keys: dict[str, str] = {}
    for pair in _items(text):
        name, sep, key = pair.partition(":")
        name, key = name.strip(), key.strip()
        if not sep or not name or not key:
            raise ConfigError(f"{KEYS_VAR} takes comma-separated name:key pairs")
        if name in keys:
            raise ConfigError(f"{KEYS_VAR} names a caller twice")
        keys[name] = key
    return keys


def parse_origins(text: str) -> tuple[str, ...]:
    """``"https://a.example, http://localhost:3000"`` as a tuple, trailing slashes dropped.

    Raises:
        ConfigError: an entry that is not ``http(s)://host[:port]`` (naming the variable).
    """
    origins = []
    for item in _items(text):
        origin = item.rstrip("/")
        scheme, sep, rest = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
            raise ConfigError(f"{ORIGINS_VAR} takes comma-separated http(s)://host[:port] origins")
        origins.append(origin)
    return tuple(origins)


def _items(text: str) -> Iterable[str]:
    return (part.strip() for part in text.split(",") if part.strip())
