"""hyperbuds-sync: fetch creators' public social stats and sync them to HyperBuds.

::

    from hyperbuds_sync import SocialSync

    async with SocialSync.from_env() as sync:
        data = await sync.fetch("twitch", "some_streamer")
        result = await sync.sync("twitch", data)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .anomalies import Anomaly, AnomalySettings
from .backend import SyncClient
from .blocking import BlockingSocialSync
from .cache import Cache, MemoryCache
from .client import SocialSync
from .config import Settings
from .dataframes import to_pandas
from .engagement import Engagement
from .errors import (
    ApiConfigError,
    AuthenticationError,
    BackendConfigError,
    BackendError,
    BackendUnavailable,
    BackendValidationError,
    ConfigError,
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
from .platforms import Platform, PlatformRegistry, Profile, Provider, ProviderRequest
from .roster import Roster
from .transport import RetryPolicy

try:
    __version__ = version("hyperbuds-sync")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

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
    "HyperbudsSyncError",
    "InvalidInput",
    "InvalidStats",
    "InvalidUsername",
    "KeyQuota",
    "MalformedPayload",
    "ManualEntry",
    "MemoryCache",
    "Metrics",
    "Platform",
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

# Tracebacks read hyperbuds_sync.QuotaExceeded, not hyperbuds_sync.errors.QuotaExceeded. Only the
# exceptions: attrs and cattrs resolve the records' string annotations through ``__module__``.
for _obj in list(globals().values()):
    if isinstance(_obj, type) and issubclass(_obj, HyperbudsSyncError):
        _obj.__module__ = __name__
del _obj
