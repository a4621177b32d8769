"""The client: :class:`SocialSync`, the one object people hold, and its wiring.

Owns the facade (``_facade``: each method a few lines handing the call to the part that owns
it), building the parts from the arguments and the settings (``_parts``), the Redis-backed parts
a fleet shares (``_shared``, the only importer of ``_redis`` outside the Redis-backed folders),
and what the client reads of its parts: history, growth, readiness (``_reads``).

May import every folder's public face (and ``_redis``, ``_install``); nothing below it imports
the client (a roster uses a ``SocialSync`` through a protocol of its own). Others import
:class:`SocialSync` only.
"""

from __future__ import annotations

from ._facade import SocialSync

__all__ = ["SocialSync"]

SocialSync.__module__ = __name__  # as before the split: hyperbuds_sync.client.SocialSync
