"""hyperbuds-sync: fetch creators' public social stats and sync them to HyperBuds.

::

    from hyperbuds_sync import SocialSync

    async with SocialSync.from_env() as sync:
        data = await sync.fetch("twitch", "some_streamer")
        result = await sync.sync("twitch", data)
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from . import _logging  # noqa: F401  (its NullHandler is on from the first import)
from .errors import (
    ApiConfigError,
    AuthenticationError,
    BackendConfigError,
    BackendError,
    BackendUnavailable,
    BackendValidationError,
    ConfigError,
    HistoryUnavailable,
    HyperbudsSyncError,
    InvalidInput,
    InvalidStats,
    InvalidUsername,
    MalformedPayload,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    QuotaExceeded,
    RateLimited,
    SuspiciousDrop,
    UnknownFormula,
    UnknownPlatform,
    UsernameNotFound,
)

if TYPE_CHECKING:
    from .anomalies import Anomaly, AnomalySettings
    from .backend import SyncClient
    from .blocking import BlockingSocialSync
    from .cache import Cache, MemoryCache
    from .client import SocialSync
    from .config import Settings
    from .dataframes import to_pandas
    from .engagement import Engagement
    from .history import Growth, GrowthWindow, Snapshot
    from .metrics import Metrics
    from .models import (
        KeyQuota,
        ManualEntry,
        PlatformData,
        PlatformStats,
        ProfileStats,
        ProviderState,
        QuotaStatus,
        SyncOutcome,
        SyncPayload,
        SyncReport,
        SyncResult,
        from_dict,
        to_dict,
    )
    from .platforms import PlatformRegistry, Profile, Provider, ProviderRequest
    from .platforms import Provider as Platform  # noqa: F401  (deprecated: warns at run time)
    from .roster import Roster
    from .transport import RetryPolicy

_LAZY = {
    "Anomaly": ".anomalies",
    "AnomalySettings": ".anomalies",
    "BlockingSocialSync": ".blocking",
    "Cache": ".cache",
    "Engagement": ".engagement",
    "Growth": ".history",
    "GrowthWindow": ".history",
    "KeyQuota": ".models",
    "ManualEntry": ".models",
    "MemoryCache": ".cache",
    "Metrics": ".metrics",
    "PlatformData": ".models",
    "PlatformRegistry": ".platforms",
    "PlatformStats": ".models",
    "Profile": ".platforms",
    "ProfileStats": ".models",
    "Provider": ".platforms",
    "ProviderRequest": ".platforms",
    "ProviderState": ".models",
    "QuotaStatus": ".models",
    "RetryPolicy": ".transport",
    "Roster": ".roster",
    "Settings": ".config",
    "Snapshot": ".history",
    "SocialSync": ".client",
    "SyncClient": ".backend",
    "SyncOutcome": ".models",
    "SyncPayload": ".models",
    "SyncReport": ".models",
    "SyncResult": ".models",
    "from_dict": ".models",
    "to_dict": ".models",
    "to_pandas": ".dataframes",
}
"""Each public name but the errors, and the module it comes from: imported on first use (PEP 562),
so ``import hyperbuds_sync`` (and ``hyperbuds-sync --version``) does not load aiohttp and the rest
until a name needs them."""

_DEPRECATED = {"Platform": "Provider"}
"""Old name -> new name: still importable, with a ``DeprecationWarning`` (see CHANGELOG.md)."""

__all__ = [
    "Anomaly",
    "AnomalySettings",
    "ApiConfigError",
    "AuthenticationError",
    "BackendConfigError",
    "BackendError",
    "BackendUnavailable",
    "BackendValidationError",
    "BlockingSocialSync",
    "Cache",
    "ConfigError",
    "Engagement",
    "Growth",
    "GrowthWindow",
    "HistoryUnavailable",
    "HyperbudsSyncError",
    "InvalidInput",
    "InvalidStats",
    "InvalidUsername",
    "KeyQuota",
    "MalformedPayload",
    "ManualEntry",
    "MemoryCache",
    "Metrics",
    "PlatformData",
    "PlatformRegistry",
    "PlatformStats",
    "Profile",
    "ProfileStats",
    "Provider",
    "ProviderAuthError",
    "ProviderError",
    "ProviderRequest",
    "ProviderState",
    "ProviderUnavailable",
    "QuotaExceeded",
    "QuotaStatus",
    "RateLimited",
    "RetryPolicy",
    "Roster",
    "Settings",
    "Snapshot",
    "SocialSync",
    "SuspiciousDrop",
    "SyncClient",
    "SyncOutcome",
    "SyncPayload",
    "SyncReport",
    "SyncResult",
    "UnknownFormula",
    "UnknownPlatform",
    "UsernameNotFound",
    "__version__",
    "from_dict",
    "to_dict",
    "to_pandas",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module the first time it is asked for."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("hyperbuds-sync")
        except PackageNotFoundError:  # running from a source tree that was never installed
            found = "0.0.0"
        globals()[name] = found
        return found
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(
            f"hyperbuds_sync.{name} is deprecated, use hyperbuds_sync.{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return __getattr__(new)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


# Tracebacks read hyperbuds_sync.QuotaExceeded, not hyperbuds_sync.errors.QuotaExceeded. Only the
# exceptions: attrs and cattrs resolve the records' string annotations through ``__module__``.
for _obj in list(globals().values()):
    if isinstance(_obj, type) and issubclass(_obj, HyperbudsSyncError):
        _obj.__module__ = __name__
del _obj
