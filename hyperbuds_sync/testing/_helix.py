"""Helix's app tokens, as the official emulator keeps them: issued by the token endpoint to a
client id, checked on every Helix call (missing, unknown, expired, or another client's)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

__all__ = ["HelixTokens"]


class HelixTokens:
    """The app tokens issued so far, each with its client id and its expiry (epoch seconds)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (client id, expiry)

    def issue(self, client: str, ttl: float) -> str:
        """A new token for ``client``, valid ``ttl`` seconds."""
        token = secrets.token_hex(15)
        self._tokens[token] = (client, self._clock() + ttl)
        return token

    def refusal(self, token: str, client: str) -> str:
        """Helix's 401 message for ``token`` sent with ``client``, or ``""`` when it is valid."""
        issued = self._tokens.get(token)
        if not token:
            return "OAuth token is missing"
        if issued is None or issued[1] <= self._clock():
            return "Invalid OAuth token"
        if issued[0] != client:
            return "Client ID and OAuth token do not match"
        return ""

    def clear(self) -> None:
        """Make every token issued so far invalid."""
        self._tokens.clear()
