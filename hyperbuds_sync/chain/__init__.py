"""Failover: each platform's ordered chain of providers, walked per fetch.

Owns: resolving a platform's chain from the settings (named chains, the default chain, the check
that every named provider has its credentials), the walk itself (:class:`Failover`: which errors
move on to the next provider, which provider gets benched and for how long, the error raised when
every provider failed, with its ``attempts``), and the state shown by ``SocialSync.providers()``.

It also holds the fetch path (:class:`Fetcher`: cache, walk, engagement, history record, stale
serving) and its memo of canonical usernames and cache keys (:class:`NameMemo`: it holds
platforms, which ``cache/`` may not import), so the client only builds and wires the parts.

May import: ``platforms``, ``providers.base``, ``errors``, ``models``, ``metrics``,
``engagement``, ``_logging``, and the public faces of ``transport`` (credentials), ``quota``
(provider benches), ``cache`` and ``history``. Never ``cli/``, ``testing/`` or the client.

Why a folder of its own and not inside ``platforms``: ``platforms`` is the public, pure registry
(no I/O, importable by providers' users); the walk does I/O through the gateway and keeps benches
in the quota store, so it sits between the transport and the client, and the client only wires.
"""

from __future__ import annotations

from ._fetch import Fetcher
from ._names import NameMemo
from ._resolve import chain_for, check_chains
from ._walk import Failover, Served

__all__ = ["Failover", "Fetcher", "NameMemo", "Served", "chain_for", "check_chains"]
