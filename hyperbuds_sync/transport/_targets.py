"""Where a request goes: the base URL per host and auth kind, and the URL with its query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from ._wire import Base, encoded_base, quote_value

if TYPE_CHECKING:
    from ..models import ProviderRequest

__all__ = ["Targets"]

_UNSET: Final[Any] = object()


class Targets:
    """Builds each request's URL from the configured ``endpoint`` (RapidAPI hosts) and
    ``endpoints`` (per host), parsing each RapidAPI base once."""

    def __init__(self, endpoint: str | None, endpoints: Mapping[str, str] | None) -> None:
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self._endpoints = {h.lower(): u.rstrip("/") for h, u in (endpoints or {}).items()}
        self._bases: dict[tuple[str, str], Base | None] = {}

    def base_for(self, host: str, auth: str) -> str:
        """The scheme, host and port for calls to ``host``: its ``endpoints`` entry, else for a
        RapidAPI host the ``endpoint`` shortcut, else ``https://{host}``."""
        mapped = self._endpoints.get(host.lower())
        if mapped is not None:
            return mapped
        if auth == "rapidapi" and self.endpoint:
            return self.endpoint
        return f"https://{host}"

    def url(self, request: ProviderRequest) -> str:
        """The plain URL of ``request``, without its query."""
        path = request.path if request.path.startswith("/") else f"/{request.path}"
        return f"{self.base_for(request.host, request.auth)}{path}"

    def target(self, request: ProviderRequest) -> tuple[str | URL, Mapping[str, str] | None]:
        """``(url, params)`` for aiohttp: the whole URL built as an encoded ``yarl.URL`` from
        parts parsed once (no ``params=`` processing per call), or the plain URL and ``params``
        when the base already carries a query or a value is not a string (aiohttp then does
        the work)."""
        if request.auth != "rapidapi":  # a path may hold the username (X): not cached
            base = encoded_base(self.url(request))
        else:
            base = self._bases.get((request.host, request.path), _UNSET)
            if base is _UNSET:
                base = self._bases[request.host, request.path] = encoded_base(self.url(request))
        params = request.params
        if base is None:
            return self.url(request), dict(params)
        parts = []
        for name, value in params.items():
            if type(name) is not str or type(value) is not str:
                return self.url(request), dict(params)
            parts.append(f"{quote_value(name)}={quote_value(value)}")
        scheme, authority, path = base
        query = "&".join(parts)
        return URL.build(
            scheme=scheme, authority=authority, path=path, query_string=query, encoded=True
        ), None
