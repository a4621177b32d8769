"""The exception tree of hyperbuds-sync.

Every error the SDK raises on purpose is a :class:`HyperbudsSyncError`. Errors carry the facts of
the request that failed (platform, provider host, HTTP status, request id) and never a credential:
no API key, token or header value reaches a message or a ``repr``.

::

    HyperbudsSyncError
      ConfigError            ApiConfigError, BackendConfigError
      InvalidInput           UnknownPlatform, InvalidUsername, InvalidStats
      ProviderError          QuotaExceeded, RateLimited, UsernameNotFound, ProviderAuthError,
                             ProviderUnavailable, MalformedPayload
      BackendError           AuthenticationError, BackendValidationError, BackendUnavailable
      HistoryUnavailable, SuspiciousDrop
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

__all__ = [
    "ApiConfigError",
    "AuthenticationError",
    "BackendConfigError",
    "BackendError",
    "BackendUnavailable",
    "BackendValidationError",
    "ConfigError",
    "HistoryUnavailable",
    "HyperbudsSyncError",
    "InvalidInput",
    "InvalidStats",
    "InvalidUsername",
    "MalformedPayload",
    "ProviderAuthError",
    "ProviderError",
    "ProviderUnavailable",
    "QuotaExceeded",
    "RateLimited",
    "SuspiciousDrop",
    "UnknownFormula",
    "UnknownPlatform",
    "UsernameNotFound",
]


class HyperbudsSyncError(Exception):
    """Base class of every error raised by hyperbuds-sync."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as type, ``args`` and attributes, whatever the subclass's ``__init__`` takes.

        The default pickling calls ``cls(*args)``, which breaks for every subclass whose
        constructor takes other arguments than the message (``UnknownPlatform``, ...); process
        pools and job queues move errors between processes.
        """
        return _rebuild, (type(self), self.args, dict(self.__dict__))


def _rebuild(
    cls: type[HyperbudsSyncError], args: tuple[Any, ...], state: dict[str, Any]
) -> HyperbudsSyncError:
    """Unpickle an error: the instance without its ``__init__``, then its args and attributes."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


# --- configuration -------------------------------------------------------------------------------


class ConfigError(HyperbudsSyncError):
    """A setting the call needs is missing or invalid."""


class ApiConfigError(ConfigError):
    """No RapidAPI key is configured (``RAPIDAPI_KEY`` / ``RAPIDAPI_KEYS``)."""


class BackendConfigError(ConfigError):
    """The HyperBuds backend token or URL is missing or unsafe."""


# --- bad input -----------------------------------------------------------------------------------


class InvalidInput(HyperbudsSyncError, ValueError):
    """The caller passed a value the SDK refuses before doing any I/O."""


class UnknownPlatform(InvalidInput):
    """The platform name is not registered."""

    def __init__(self, platform: str, known: Iterable[str]) -> None:
        self.platform = platform
        self.known = tuple(sorted(known))
        super().__init__(
            f"Unknown platform {platform!r}; known platforms: {', '.join(self.known) or '(none)'}"
        )


class InvalidUsername(InvalidInput):
    """The username breaks the platform's username rules."""

    def __init__(self, platform: str, username: str, reason: str) -> None:
        self.platform = platform
        self.username = username
        self.reason = reason
        super().__init__(f"Invalid {platform} username {username!r}: {reason}")


class InvalidStats(InvalidInput):
    """Followers or engagement are not valid numbers to sync."""


class UnknownFormula(InvalidInput):
    """No engagement formula is registered under that name."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(
            f"Unknown engagement formula {name!r}; known formulas: {', '.join(self.known)}"
        )


# --- providers (RapidAPI) ------------------------------------------------------------------------


class ProviderError(HyperbudsSyncError):
    """A provider call failed.

    Attributes:
        platform: the platform name (``"tiktok"``, ...), when known.
        provider: the provider name (``"tiktok-api23"``, ...), when known.
        attempts: when a whole chain of providers failed, each provider tried with its error,
            in order (``()`` for a single provider's error).
        host: the provider host that was called.
        status: the HTTP status, or ``None`` for network faults.
        request_id: the gateway's ``x-rapidapi-request-id``, when given.
        username: the canonical username the call was for, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: str | None = None,
        host: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        username: str | None = None,
        provider: str | None = None,
        attempts: tuple[tuple[str, HyperbudsSyncError], ...] = (),
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.host = host
        self.status = status
        self.request_id = request_id
        self.username = username
        self.provider = provider
        self.attempts = attempts

    def __repr__(self) -> str:
        facts = [f"{self.message!r}"]
        for name in ("platform", "provider", "host", "status", "request_id"):
            value = getattr(self, name)
            if value is not None:
                facts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(facts)})"


class QuotaExceeded(ProviderError):
    """The plan's monthly (or daily) quota is spent. Never retried.

    ``reset_at`` is when the first key comes back, if known (timezone-aware UTC).
    """

    def __init__(self, message: str, *, reset_at: datetime | None = None, **facts: object) -> None:
        super().__init__(message, **facts)  # type: ignore[arg-type]
        self.reset_at = reset_at


class RateLimited(ProviderError):
    """The per-second limit was hit (HTTP 429 without quota words). Retried with backoff."""

    def __init__(self, message: str, *, retry_after: float | None = None, **facts: object) -> None:
        super().__init__(message, **facts)  # type: ignore[arg-type]
        self.retry_after = retry_after


class UsernameNotFound(ProviderError):
    """The provider says the user does not exist (404 or its own not-found body), or that it
    is unavailable (X's ``UserUnavailable``: suspended, withheld); ``reason`` then holds the
    provider's word for why (``"Suspended"``), else ``""``."""

    reason: str = ""

    @classmethod
    def for_user(cls, platform: str, username: str, **facts: object) -> UsernameNotFound:
        """Build the error with the old frontend's message."""
        return cls(
            f'Username "{username}" not found on {platform}. Please check the spelling.',
            platform=platform,
            username=username,
            **facts,  # type: ignore[arg-type]
        )


class ProviderAuthError(ProviderError):
    """The key is invalid or not subscribed to the provider's API (401/403). Never retried."""


class ProviderUnavailable(ProviderError):
    """5xx answers, timeouts and connection faults. Retried with backoff."""


class MalformedPayload(ProviderError):
    """The answer does not have the shape the adapter needs."""


# --- the HyperBuds backend -----------------------------------------------------------------------


class BackendError(HyperbudsSyncError):
    """The HyperBuds backend refused or failed a sync.

    Attributes:
        status: the HTTP status, or ``None`` for network faults.
        platform: the platform being synced, when known.
    """

    def __init__(
        self, message: str, *, status: int | None = None, platform: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.platform = platform

    def __repr__(self) -> str:
        facts = [f"{self.message!r}"]
        if self.status is not None:
            facts.append(f"status={self.status!r}")
        if self.platform is not None:
            facts.append(f"platform={self.platform!r}")
        return f"{type(self).__name__}({', '.join(facts)})"


class AuthenticationError(BackendError):
    """The backend answered 401: the token is missing, wrong or expired."""


class BackendValidationError(BackendError):
    """The backend refused the stats (400/422, or ``success: false``).

    Attributes:
        details: each broken rule's own message, as the backend's validator (Joi) lists them;
            empty when the answer gave none. ``message`` names them too:
            ``Validation failed: "followers" is required``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        platform: str | None = None,
        details: Iterable[str] = (),
    ) -> None:
        super().__init__(message, status=status, platform=platform)
        self.details: tuple[str, ...] = tuple(details)


class BackendUnavailable(BackendError):
    """5xx answers and network faults. Retried with backoff."""


# --- history -------------------------------------------------------------------------------------


class HistoryUnavailable(HyperbudsSyncError):
    """The history database cannot be reached now (refused, dropped or timed-out connections,
    a locked or unopenable SQLite file). Reading raises it; a fetch does not: its snapshot waits
    in the recorder's buffer and is written when the database is back."""


class SuspiciousDrop(HyperbudsSyncError):
    """A sync would write a sudden 0, or a fall of more than the guard's ratio, over the last good
    value synced on that platform. Nothing was sent; ``sync(..., force=True)`` sends anyway.

    Attributes:
        platform: the platform of the sync.
        username: the creator, when known.
        previous: the last good followers count synced, and ``previous_at`` when.
        current: the followers count refused, and ``current_at`` when it was read.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: str | None = None,
        username: str | None = None,
        previous: int | None = None,
        previous_at: datetime | None = None,
        current: int | None = None,
        current_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        self.username = username
        self.previous = previous
        self.previous_at = previous_at
        self.current = current
        self.current_at = current_at
