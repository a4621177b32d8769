"""Which failures mean "the history database cannot be reached now" (retry later) rather than
"this record is wrong" (retrying will not help).

Unreachable: the socket refused, reset or timed out; the server shutting down or starting up
(PostgreSQL SQLSTATE classes 08 and 57P); a pooled connection found dead; SQLite's
``OperationalError`` (a lock held past the busy timeout, a file that cannot be opened); and our
own :class:`~hyperbuds_sync.HistoryUnavailable`. Imports SQLAlchemy's exceptions only, when asked
(the ``history`` extra: the client imports this module without it).
"""

from __future__ import annotations

from ..errors import HistoryUnavailable

__all__ = ["unavailable", "why"]

_DOWN_STATES = ("08", "57P")  # connection exceptions; operator intervention (shutdown, startup)


def _sqlstate(exc: BaseException) -> str:
    """The PostgreSQL SQLSTATE of ``exc`` or of the driver error under it, or ``""``."""
    seen: BaseException | None = exc
    for _ in range(4):  # SQLAlchemy's error -> the adapter's error -> asyncpg's
        if seen is None:
            return ""
        state = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(state, str) and state:
            return state
        seen = getattr(seen, "orig", None) or seen.__cause__
    return ""


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is out of reach (see the module's docstring)."""
    if isinstance(exc, HistoryUnavailable | OSError | TimeoutError):
        return True
    try:  # the history extra; a store of one's own may run without it
        from sqlalchemy import exc as sa_exc
    except ImportError:
        return _sqlstate(exc).startswith(_DOWN_STATES)
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    return _sqlstate(exc).startswith(_DOWN_STATES)


def why(exc: BaseException) -> str:
    """A short message for :class:`HistoryUnavailable`: the driver's first line, no SQL."""
    inner = getattr(exc, "orig", None) or exc
    first = (str(inner).strip().splitlines() or [""])[0][:200]
    detail = f": {first}" if first else ""
    return f"the history database cannot be reached ({type(inner).__name__}{detail})"
