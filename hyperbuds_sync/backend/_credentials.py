"""What a :class:`SyncClient` posts with and to: the bearer token (its own, or the one
:func:`acting_for` sets for a block), and the checked base URL (https unless loopback)."""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from yarl import URL

from ..errors import BackendConfigError
from ..transport import check_url

__all__ = ["TokenSource", "acting_for", "check_base_url", "resolve_token"]

_ACTING: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "hyperbuds_sync_acting_token", default=None
)


@contextmanager
def acting_for(token: str) -> Iterator[None]:
    """Posts made inside this block (in this task) use ``token`` instead of the client's own:
    the backend acts for the creator whose token it gets, so the roster syncs each creator with
    theirs through one client. A context variable, so concurrent tasks each keep their own."""
    reset = _ACTING.set(token)
    try:
        yield
    finally:
        _ACTING.reset(reset)


TokenSource = str | Callable[[], str | Awaitable[str]]
"""A bearer token, or a sync or async callable returning one (called on every attempt)."""


async def resolve_token(own: TokenSource | None) -> str:
    """The token for this attempt: :func:`acting_for`'s, else ``own`` (called when callable).

    Raises:
        BackendConfigError: neither gives a non-blank string.
    """
    source = _ACTING.get() or own
    token: object = source() if callable(source) else source
    if inspect.isawaitable(token):
        token = await token
    if not isinstance(token, str) or not token.strip():
        raise BackendConfigError("No HyperBuds token: set HYPERBUDS_TOKEN or pass token=")
    return token.strip()


# --- configuration -------------------------------------------------------------------------------


def check_base_url(base_url: str, allow_insecure_http: bool) -> URL:
    """``base_url`` parsed, without a trailing slash, held to the SDK's one outbound URL policy
    (:func:`hyperbuds_sync.transport.check_url`: https, plain http only to loopback or if allowed,
    never a link-local or metadata address).

    Raises:
        BackendConfigError: not an http(s) URL with a host, plain http refused, or a forbidden
            address.
    """
    return check_url(
        base_url.strip().rstrip("/"),
        allow_insecure_http=allow_insecure_http,
        what="HyperBuds base URL",
        flag="allow_insecure_http",
        error=BackendConfigError,
    )
