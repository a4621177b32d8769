"""The records hyperbuds-sync returns and accepts.

All records are frozen, slotted attrs classes. :class:`PlatformData` converts to and from the old
frontend's camelCase JSON with :func:`to_dict` / :func:`from_dict`. The modules: ``_records``
(the creator's record, the manual entry, the provider request, the camelCase conversion),
``_raw`` (the provider's answer a record keeps, as bytes decoded on first use),
``_sync`` (sync payloads, results, outcomes), ``_quota`` (quota status), ``_roster`` (a
roster's status, which ``metrics`` exports), ``_display`` (the notebook HTML every record shows).

May import: ``errors``, attrs and cattrs; nothing else of the SDK (every other folder imports
these records, so they import none of them).
"""

from __future__ import annotations

from ._display import record_table as record_table  # shared with history's records, not public
from ._display import rows_table as rows_table
from ._quota import KeyQuota, ProviderState, QuotaStatus
from ._raw import RawAnswer
from ._records import ManualEntry, PlatformData, ProviderRequest, from_dict, to_dict
from ._roster import RosterStatus
from ._sync import (
    PlatformStats,
    ProfileStats,
    SyncOutcome,
    SyncPayload,
    SyncReport,
    SyncResult,
)

__all__ = [
    "KeyQuota",
    "ManualEntry",
    "PlatformData",
    "PlatformStats",
    "ProfileStats",
    "ProviderRequest",
    "ProviderState",
    "QuotaStatus",
    "RawAnswer",
    "RosterStatus",
    "SyncOutcome",
    "SyncPayload",
    "SyncReport",
    "SyncResult",
    "from_dict",
    "to_dict",
]
