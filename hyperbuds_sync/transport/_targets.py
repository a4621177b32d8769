"""Where a request goes: the base URL per host and auth kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import ProviderRequest

__all__ = ["Targets"]


class Targets:
    """Builds each request's URL from the configured ``endpoint`` (RapidAPI hosts) and
    ``endpoints`` (per host); aiohttp encodes the query from the request's ``params``."""

    def __init__(self, endpoint: str | None, endpoints: Mapping[str, str] | None) -> None:
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self._endpoints = {h.lower(): u.rstrip("/") for h, u in (endpoints or {}).items()}

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
        """The URL of ``request``, without its query."""
        path = request.path if request.path.startswith("/") else f"/{request.path}"
        return f"{self.base_for(request.host, request.auth)}{path}"
