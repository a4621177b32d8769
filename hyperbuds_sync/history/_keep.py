"""What the history keeps of the quota between processes (:class:`KeptQuota`), and
:func:`quota_memory`, its table on an SQL store; needs no SQLAlchemy until called."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from attrs import frozen

from .._install import install_hint
from ..errors import ConfigError
from ..models import QuotaStatus
from ._protocol import HistoryStore

if TYPE_CHECKING:
    from ._quota import QuotaMemory

__all__ = ["KeptQuota", "quota_memory"]


@frozen
class KeptQuota:
    """What an earlier process knew: ``quota`` as ``SocialSync.quota()`` gives it (per host,
    keys by fingerprint) and ``benches``, provider name -> benched until (aware UTC)."""

    quota: Mapping[str, QuotaStatus]
    benches: Mapping[str, datetime]


def quota_memory(store: HistoryStore) -> QuotaMemory:
    """The provider benches and quota facts kept on an SQL history ``store`` (schema 4).

    Raises:
        ConfigError: ``store`` is not an SQL store, or SQLAlchemy is missing.
    """
    try:
        from ._quota import QuotaMemory
    except ImportError:
        hint = install_hint("history")
        raise ConfigError(f"the quota memory needs the history extra: {hint}") from None
    return QuotaMemory(store)
