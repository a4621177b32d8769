""":class:`GuardedResolver`: the outbound URL policy applied to what a name resolves to.

:func:`check_url` judges a URL's own host, so ``https://rebind.example/`` passes even when the
name resolves to ``169.254.169.254``. The session the SDK creates resolves every name through
this resolver, which drops the link-local and cloud metadata addresses an answer holds (the
ones :func:`is_forbidden_host` refuses by name) and refuses a name left with none, before any
connection is made. It runs on every connection aiohttp opens (its DNS cache holds the filtered
answer), so a name that changes its answer between the check and the request is judged again.
A session the caller passes in is the caller's: it resolves as they set it up.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver

from ._urls import is_forbidden_host

if TYPE_CHECKING:
    from aiohttp.abc import ResolveResult  # aiohttp >= 3.10; a plain dict before

__all__ = ["ForbiddenAddress", "GuardedResolver"]


class ForbiddenAddress(OSError):
    """A name resolved only to link-local or cloud metadata addresses: no connection is made.

    aiohttp reports it as a connection error (``ClientConnectorError``) with this as its cause,
    so every caller treats it as a request that got no answer.
    """


class GuardedResolver(AbstractResolver):
    """Resolves through ``inner`` (aiohttp's default resolver when ``None``), keeping only the
    addresses the outbound policy allows.

    Raises:
        ForbiddenAddress: from :meth:`resolve`, when no allowed address is left.
    """

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of ``host``, without link-local or cloud metadata ones."""
        found = await self._inner.resolve(host, port, family)
        kept = [result for result in found if not is_forbidden_host(result["host"])]
        if not kept:
            raise ForbiddenAddress(
                f"{host} resolves only to link-local or cloud metadata addresses: refused"
            )
        return kept

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()
