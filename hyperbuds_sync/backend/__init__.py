"""The HyperBuds backend: :class:`SyncClient` posts a creator's stats and reads the answers.

Owns the backend's one route (``POST {base}/profiles/social-sync/:platform``), its answers and
the mapping of its failures to :class:`~hyperbuds_sync.BackendError` classes. It may import the
public modules (``config``, ``errors``, ``metrics``, ``models``) and the transport's session and
retry policy; never a provider, the history, the CLI or ``testing``. ``_client`` sends,
``_answers`` reads, ``_credentials`` holds the token and checks the base URL, ``_syncing`` runs
one sync or many (payload, drop guard, post, record), ``_creator`` says who a sync is for.
"""

from __future__ import annotations

from ..config import DEFAULT_API_URL
from ._client import SyncClient, TokenSource, acting_for
from ._creator import for_creator
from ._syncing import Syncer as Syncer  # for SocialSync only: internal, so not in __all__

__all__ = ["DEFAULT_API_URL", "SyncClient", "TokenSource", "acting_for", "for_creator"]

SyncClient.__module__ = __name__
