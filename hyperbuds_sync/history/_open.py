""":func:`open_store`: a history URL (or ``"default"``, a path, ``:memory:``) -> a store.

Imports SQLAlchemy only when called, so the SDK works without the ``history`` extra.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._install import install_hint
from ..errors import ConfigError
from ._guard import DropGuard
from ._protocol import HistoryStore
from ._recorder import HistoryRecorder

if TYPE_CHECKING:
    from ._books import LedgerBooks
    from ._roster import RosterStore
    from ._store import SQLHistoryStore

__all__ = [
    "DEFAULT",
    "default_path",
    "ledger_books",
    "open_store",
    "recorder_for",
    "resolve_url",
    "roster_store",
]

DEFAULT = "default"
"""The history URL meaning the embedded SQLite file in the user's data directory."""

_NEEDS = {
    "history": install_hint("history"),
    "postgres": install_hint("history,postgres"),
}
_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}


def default_path() -> Path:
    """The embedded history file: ``history.db`` in the user's data directory (platformdirs)."""
    try:
        import platformdirs
    except ImportError:
        raise ConfigError(f"the history needs platformdirs: {_NEEDS['history']}") from None
    return platformdirs.user_data_path("hyperbuds-sync", appauthor=False) / "history.db"


def resolve_url(url: str) -> str:
    """A full SQLAlchemy async URL for ``url``: ``"default"``, ``":memory:"``, a file path,
    ``sqlite://`` / ``postgresql://`` URLs (given their async drivers) or a full URL."""
    url = url.strip()
    if not url:
        raise ConfigError("the history URL is empty")
    if url == DEFAULT:
        path = default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    if url == ":memory:":
        return "sqlite+aiosqlite:///:memory:"
    if "://" not in url:
        return f"sqlite+aiosqlite:///{Path(url).expanduser()}"
    scheme, rest = url.split("://", 1)
    return f"{_SCHEMES.get(scheme, scheme)}://{rest}"


def open_store(url: str, **engine_options: Any) -> SQLHistoryStore:
    """A history store for ``url`` (see :func:`resolve_url`). No I/O happens until first use.

    Raises:
        ConfigError: the extra the URL needs is not installed, or the URL is not SQLite or
            PostgreSQL.
    """
    full = resolve_url(url)
    scheme = full.split("://", 1)[0]
    if scheme not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ConfigError(
            f"history URLs are sqlite+aiosqlite:// or postgresql+asyncpg://, not {scheme}://"
        )
    extra = "postgres" if scheme.startswith("postgresql") else "history"
    try:
        importlib.import_module("greenlet")  # SQLAlchemy's asyncio needs it, says so late

        from ._engine import build_engine, build_writer
        from ._store import SQLHistoryStore

        engine, serialize = build_engine(full, engine_options)
    except ImportError:
        raise ConfigError(f"the {scheme} history needs its extra: {_NEEDS[extra]}") from None
    return SQLHistoryStore(engine, serialize=serialize, writer=build_writer(full))


def recorder_for(
    url: str | None,
    store: HistoryStore | None,
    *,
    keep_raw: bool = False,
    guard: DropGuard | None = None,
) -> HistoryRecorder | None:
    """SocialSync's recorder: on ``store`` when given (not closed by it), else on
    :func:`open_store` of ``url``; ``None`` (record nothing) when neither is set."""
    if store is not None:
        return HistoryRecorder(store, keep_raw=keep_raw, guard=guard, owns_store=False)
    if not url:
        return None
    return HistoryRecorder(open_store(url), keep_raw=keep_raw, guard=guard)


def roster_store(store: HistoryStore) -> RosterStore:
    """The roster's tables (creators, their refresh state, failed webhook deliveries) on an SQL
    history ``store``.

    Raises:
        ConfigError: ``store`` is not an SQL store, or SQLAlchemy is missing.
    """
    try:
        from ._roster import RosterStore
    except ImportError:
        raise ConfigError(f"the roster needs the history extra: {_NEEDS['history']}") from None
    return RosterStore(store)


def ledger_books(store: HistoryStore) -> LedgerBooks:
    """The roster's budget ledger rows (``budget_ledger``) on an SQL history ``store``.

    Raises:
        ConfigError: ``store`` is not an SQL store, or SQLAlchemy is missing.
    """
    try:
        from ._books import LedgerBooks
    except ImportError:
        raise ConfigError(
            f"the budget ledger needs the history extra: {_NEEDS['history']}"
        ) from None
    return LedgerBooks(store)
